package routes.support;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import org.springframework.data.redis.connection.RedisStandaloneConfiguration;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;
import org.springframework.data.redis.core.StringRedisTemplate;

/**
 * A real Lettuce client pointed at a loopback port nobody listens on: every command fails to connect, as it does
 * while Redis is away.
 */
public final class UnreachableRedis implements AutoCloseable {

    private final int port;
    private final LettuceConnectionFactory connections;

    public UnreachableRedis() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = socket.getLocalPort();
        }
        connections = new LettuceConnectionFactory(new RedisStandaloneConfiguration("127.0.0.1", port));
        connections.afterPropertiesSet();
    }

    public StringRedisTemplate template() {
        return new StringRedisTemplate(connections);
    }

    /** The port it tries (for checking that a log line does not name it). */
    public int port() {
        return port;
    }

    @Override
    public void close() {
        connections.destroy();
    }
}
