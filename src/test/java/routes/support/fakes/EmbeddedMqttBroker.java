package routes.support.fakes;

import com.hivemq.embedded.EmbeddedHiveMQ;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import org.springframework.util.FileSystemUtils;
import routes.support.TestInfra;

/**
 * A real MQTT 5 broker (HiveMQ Community Edition, embedded) on 127.0.0.1 and a free port, for tests. Keeps its
 * state in memory; its folders live in the test run's storage, deleted on {@link #close} or with that storage when
 * the JVM ends.
 */
public final class EmbeddedMqttBroker implements AutoCloseable {

    private final EmbeddedHiveMQ hivemq;
    private final int port;
    private final Path home;

    public EmbeddedMqttBroker() {
        try {
            port = freePort();
            home = Files.createTempDirectory(TestInfra.STORAGE, "mqtt-broker-");
            Path conf = Files.createDirectories(home.resolve("conf"));
            Files.writeString(conf.resolve("config.xml"), """
                    <?xml version="1.0"?>
                    <hivemq>
                        <listeners>
                            <tcp-listener>
                                <port>%d</port>
                                <bind-address>127.0.0.1</bind-address>
                            </tcp-listener>
                        </listeners>
                        <persistence>
                            <mode>in-memory</mode>
                        </persistence>
                        <anonymous-usage-statistics>
                            <enabled>false</enabled>
                        </anonymous-usage-statistics>
                    </hivemq>
                    """.formatted(port), StandardCharsets.UTF_8);
            hivemq = EmbeddedHiveMQ.builder()
                    .withConfigurationFolder(conf)
                    .withDataFolder(Files.createDirectories(home.resolve("data")))
                    .withExtensionsFolder(Files.createDirectories(home.resolve("extensions")))
                    .withoutLoggingBootstrap()
                    .build();
            hivemq.start().get(60, TimeUnit.SECONDS);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (Exception e) {
            throw new IllegalStateException("the embedded MQTT broker did not start", e);
        }
    }

    /** The broker URL clients take: {@code tcp://127.0.0.1:<port>}. */
    public String url() {
        return "tcp://127.0.0.1:" + port;
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    @Override
    public void close() {
        try {
            hivemq.stop().get(30, TimeUnit.SECONDS);
            hivemq.close();
            FileSystemUtils.deleteRecursively(home);
        } catch (Exception e) {
            // the JVM is ending anyway
        }
    }
}
