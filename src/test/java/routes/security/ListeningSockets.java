package routes.security;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Locale;
import java.util.Set;

/** Reads from the kernel which local addresses listen on a TCP port (Linux {@code /proc/net/tcp} and tcp6). */
final class ListeningSockets {

    private static final String LISTEN = "0A";

    private ListeningSockets() {
    }

    static Set<String> addressesListeningOn(int port) throws IOException {
        Set<String> found = new HashSet<>();
        String hexPort = String.format(Locale.ROOT, "%04X", port);
        for (String table : new String[] {"/proc/net/tcp", "/proc/net/tcp6"}) {
            Path path = Path.of(table);
            if (!Files.exists(path)) {
                continue;
            }
            for (String line : Files.readAllLines(path)) {
                String[] columns = line.trim().split("\\s+");
                if (columns.length < 4 || !columns[3].equals(LISTEN) || !columns[1].endsWith(":" + hexPort)) {
                    continue;
                }
                found.add(address(columns[1].substring(0, columns[1].indexOf(':'))));
            }
        }
        return found;
    }

    /** The kernel's little-endian hex address as text; IPv6 any/loopback named like their IPv4 forms. */
    private static String address(String hex) {
        if (hex.length() == 8) {
            return (Integer.parseInt(hex.substring(6, 8), 16)) + "." + Integer.parseInt(hex.substring(4, 6), 16) + "."
                    + Integer.parseInt(hex.substring(2, 4), 16) + "." + Integer.parseInt(hex.substring(0, 2), 16);
        }
        if (hex.startsWith("0000000000000000FFFF0000")) {
            return address(hex.substring(24));
        }
        if (hex.equals("00000000000000000000000000000000")) {
            return "0.0.0.0";
        }
        if (hex.equals("00000000000000000000000001000000")) {
            return "127.0.0.1";
        }
        return hex;
    }
}
