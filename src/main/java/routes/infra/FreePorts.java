package routes.infra;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.Arrays;

/**
 * Finds TCP ports that are free right now on a local address.
 *
 * <p>The port is released before the caller binds it, so another process can win the race; callers retry on a bind
 * failure. We cannot simply bind port 0 in the servers: the Kafka controller must name its own port in
 * {@code controller.quorum.voters}, and Redis must be told its port on the command line.
 */
final class FreePorts {

    private static final int ATTEMPTS = 20;

    private FreePorts() {
    }

    /**
     * @param host    local address to probe, e.g. 127.0.0.1
     * @param exclude ports not to return (already handed out for the same server)
     * @return a port that was free on {@code host} a moment ago
     */
    static int pick(String host, int... exclude) {
        for (int attempt = 0; attempt < ATTEMPTS; attempt++) {
            try (var socket = new ServerSocket(0, 1, InetAddress.getByName(host))) {
                int port = socket.getLocalPort();
                if (Arrays.stream(exclude).noneMatch(p -> p == port)) {
                    return port;
                }
            } catch (IOException e) {
                throw new UncheckedIOException("Cannot probe for a free port on " + host, e);
            }
        }
        throw new IllegalStateException("No free port found on " + host);
    }
}
