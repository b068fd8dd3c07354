package routes.tools.builtin;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Decides which web addresses {@code web-fetch} may reach: only http and https, and only hosts whose every resolved
 * address is public. Loopback, private, link-local (cloud metadata at 169.254.169.254 included), carrier-grade NAT,
 * unique-local, unspecified, multicast and reserved addresses are refused, as are IPv6 forms that embed one of those
 * IPv4 addresses (IPv4-mapped, IPv4-compatible, NAT64, 6to4).
 *
 * <p>The host is resolved once, here, and the caller connects only to the addresses returned: no second lookup, so a
 * name cannot resolve to a public address for the check and a private one for the connection. {@code web-fetch}
 * makes this its HTTP client's only resolver ({@link GuardedDnsResolver}).
 *
 * <p>The only way past the address rules is the allowlist of exact {@code host:port} entries (an internal wiki, say).
 * A listed host is reached at whatever address it resolves to, loopback included; nothing else is.
 */
public final class AddressGuard {

    /** Resolves a host name (or address literal) to its addresses; {@code InetAddress::getAllByName} in production. */
    @FunctionalInterface
    public interface Resolver {
        InetAddress[] resolve(String host) throws UnknownHostException;
    }

    /** A checked URL and the address to connect to. {@code host} has no brackets, {@code port} is never -1. */
    public record Target(URI uri, String host, int port, InetAddress address) {

        public boolean https() {
            return "https".equalsIgnoreCase(uri.getScheme());
        }
    }

    /** The URL may not be fetched; the message is the reason, worded for the model. */
    public static final class Refused extends Exception {

        public Refused(String reason) {
            super(reason, null, false, false);
        }
    }

    private final Resolver resolver;
    private final Set<String> allowedHosts;

    /**
     * @param allowedHosts exact {@code host:port} entries reached whatever they resolve to (IPv6 literals in brackets,
     *     {@code [fd00::1]:8080}); matched case-insensitively
     */
    public AddressGuard(Resolver resolver, Collection<String> allowedHosts) {
        this.resolver = resolver;
        this.allowedHosts = allowedHosts.stream().map(AddressGuard::checkedEntry)
                .collect(Collectors.toUnmodifiableSet());
    }

    /** The guard of the running gateway: the system resolver and the configured allowlist. */
    public static AddressGuard system(Collection<String> allowedHosts) {
        return new AddressGuard(InetAddress::getAllByName, allowedHosts);
    }

    /** Checks {@code uri}, resolving its host once, and returns where to connect. */
    public Target check(URI uri) throws Refused {
        checkUrl(uri);
        String host = bare(uri.getHost().toLowerCase(Locale.ROOT));
        int port = port(uri);
        return new Target(uri, host, port, addresses(host, port).get(0));
    }

    /** The checks that need no lookup: scheme, credentials and host name. */
    public void checkUrl(URI uri) throws Refused {
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("http") && !scheme.equals("https")) {
            throw new Refused("only http and https URLs can be fetched");
        }
        if (uri.getRawUserInfo() != null) {
            throw new Refused("URLs with a user name or password are not fetched");
        }
        if (uri.getHost() == null || uri.getHost().isEmpty()) {
            throw new Refused("the URL has no valid host name");
        }
    }

    /**
     * Resolves {@code host} once and returns its addresses, all of them allowed: every one public, or the exact
     * {@code host:port} on the allowlist. IPv6 literals may come with or without brackets.
     */
    public List<InetAddress> addresses(String host, int port) throws Refused {
        String bare = bare(host.toLowerCase(Locale.ROOT));
        String entry = (bare.contains(":") ? "[" + bare + "]" : bare) + ":" + port;
        InetAddress[] addresses;
        try {
            addresses = resolver.resolve(bare);
        } catch (UnknownHostException e) {
            throw new Refused("unknown host " + bare);
        }
        if (addresses == null || addresses.length == 0) {
            throw new Refused("unknown host " + bare);
        }
        if (!allowedHosts.contains(entry)) {
            // every address, not just the first: a name with one public and one private record is refused whole
            for (InetAddress address : addresses) {
                String why = blockedReason(address);
                if (why != null) {
                    throw new Refused(why);
                }
            }
        }
        return List.of(addresses);
    }

    private static String bare(String host) {
        return host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
    }

    private static int port(URI uri) {
        return uri.getPort() != -1 ? uri.getPort() : "https".equalsIgnoreCase(uri.getScheme()) ? 443 : 80;
    }

    /** Why {@code address} may not be reached, or null when it is public. */
    public static String blockedReason(InetAddress address) {
        if (address instanceof Inet4Address) {
            return blockedIpv4(address.getAddress());
        }
        if (address instanceof Inet6Address) {
            return blockedIpv6(address.getAddress());
        }
        return "unsupported address";
    }

    private static String blockedIpv4(byte[] b) {
        int a0 = b[0] & 0xff;
        int a1 = b[1] & 0xff;
        int a2 = b[2] & 0xff;
        if (a0 == 0) {
            return "unspecified address";
        }
        if (a0 == 127) {
            return "loopback address";
        }
        if (a0 == 10 || (a0 == 172 && a1 >= 16 && a1 <= 31) || (a0 == 192 && a1 == 168)) {
            return "private address";
        }
        if (a0 == 169 && a1 == 254) {
            return "link-local address";
        }
        if (a0 == 100 && a1 >= 64 && a1 <= 127) {
            return "shared (carrier-grade NAT) address";
        }
        if (a0 >= 224 && a0 <= 239) {
            return "multicast address";
        }
        if (a0 >= 240) {
            return "reserved address";
        }
        // protocol assignments (192.0.0/24), benchmarking (198.18/15), documentation (192.0.2/24, 198.51.100/24,
        // 203.0.113/24): none of them is a public web server
        if ((a0 == 192 && a1 == 0 && (a2 == 0 || a2 == 2)) || (a0 == 198 && (a1 == 18 || a1 == 19))
                || (a0 == 198 && a1 == 51 && a2 == 100) || (a0 == 203 && a1 == 0 && a2 == 113)) {
            return "reserved address";
        }
        return null;
    }

    private static String blockedIpv6(byte[] b) {
        if (allZero(b, 0, 10)) {
            if ((b[10] & 0xff) == 0xff && (b[11] & 0xff) == 0xff) {
                return blockedIpv4(slice(b, 12)); // ::ffff:a.b.c.d
            }
            if (allZero(b, 10, 15)) {
                int last = b[15] & 0xff;
                if (last == 0) {
                    return "unspecified address";
                }
                if (last == 1) {
                    return "loopback address";
                }
            }
            if (allZero(b, 10, 12)) {
                return blockedIpv4(slice(b, 12)); // deprecated IPv4-compatible ::a.b.c.d
            }
        }
        int first = b[0] & 0xff;
        int second = b[1] & 0xff;
        if (first == 0xff) {
            return "multicast address";
        }
        if ((first & 0xfe) == 0xfc) {
            return "private address"; // unique local fc00::/7
        }
        if (first == 0xfe && (second & 0xc0) == 0x80) {
            return "link-local address"; // fe80::/10
        }
        if (first == 0xfe && (second & 0xc0) == 0xc0) {
            return "private address"; // deprecated site-local fec0::/10
        }
        if (first == 0x00 && second == 0x64 && (b[2] & 0xff) == 0xff && (b[3] & 0xff) == 0x9b) {
            // NAT64 64:ff9b::/96 and the local-use 64:ff9b:1::/48 carry an IPv4 address in the last four bytes
            return allZero(b, 4, 12) ? blockedIpv4(slice(b, 12)) : "reserved address";
        }
        if (first == 0x20 && second == 0x02) {
            return blockedIpv4(slice(b, 2)); // 6to4 2002:a.b.c.d::/48
        }
        if (first == 0x20 && second == 0x01 && b[2] == 0 && b[3] == 0) {
            return "reserved address"; // Teredo 2001::/32 hides its IPv4 address
        }
        if (first == 0x20 && second == 0x01 && (b[2] & 0xff) == 0x0d && (b[3] & 0xff) == 0xb8) {
            return "reserved address"; // documentation 2001:db8::/32
        }
        return null;
    }

    private static boolean allZero(byte[] b, int from, int to) {
        for (int i = from; i < to; i++) {
            if (b[i] != 0) {
                return false;
            }
        }
        return true;
    }

    private static byte[] slice(byte[] b, int from) {
        return new byte[] {b[from], b[from + 1], b[from + 2], b[from + 3]};
    }

    private static String checkedEntry(String entry) {
        String value = entry == null ? "" : entry.trim().toLowerCase(Locale.ROOT);
        int colon = value.lastIndexOf(':');
        boolean bracketed = value.startsWith("[");
        if (colon <= 0 || (bracketed && value.charAt(colon - 1) != ']') || (!bracketed && value.indexOf(':') != colon)
                || !value.substring(colon + 1).matches("\\d{1,5}")) {
            throw new IllegalArgumentException("caravan.tools.web-fetch.allowed-hosts entries are host:port "
                    + "([address]:port for IPv6), not '" + entry + "'");
        }
        return value;
    }

    /** The allowlist in use; for the start-up log and tests. */
    public List<String> allowedHosts() {
        return allowedHosts.stream().sorted().toList();
    }
}
