package routes.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.data.redis.RedisProperties;
import routes.infra.EmbeddedInfrastructure;
import routes.model.ModelProperties;
import routes.support.FakeOpenAiServer;
import routes.support.TestInfra;

/** The doctor's network checks against real servers: the test run's Kafka and Redis, fakes on loopback, closed ports. */
class ReachabilityTest {

    private final Net net = new Net(Duration.ofSeconds(3));
    private final Reachability reachability = new Reachability(new ConfigurationChecks(Settings.of(Map.of()),
            java.nio.file.Path.of(".")), net);

    @Test
    void aRunningKafkaIsOkAndAClosedPortFails() throws IOException {
        String bootstrap = EmbeddedInfrastructure.ensureStarted(TestInfra.STORAGE, 0, 0, 4).kafkaBootstrapServers();
        Check ok = reachability.kafka(bootstrap);
        assertThat(ok.status()).isEqualTo(Check.Status.OK);
        assertThat(ok.message()).startsWith(bootstrap + ": cluster ").endsWith("1 broker");

        Check closed = reachability.kafka("127.0.0.1:" + closedPort());
        assertThat(closed.status()).isEqualTo(Check.Status.FAIL);
        assertThat(closed.message()).contains("unreachable");
    }

    @Test
    void aRunningRedisAnswersPingAndAClosedPortFails() throws IOException {
        var endpoints = EmbeddedInfrastructure.ensureStarted(TestInfra.STORAGE, 0, 0, 4);
        RedisProperties redis = new RedisProperties();
        redis.setHost(endpoints.redisHost());
        redis.setPort(endpoints.redisPort());
        assertThat(reachability.redis(redis).message()).endsWith("answered PONG");

        redis.setPort(closedPort());
        Check closed = reachability.redis(redis);
        assertThat(closed.status()).isEqualTo(Check.Status.FAIL);
        assertThat(closed.message()).startsWith("127.0.0.1:" + redis.getPort() + " unreachable")
                .doesNotContain("null");
    }

    @Test
    void aProviderThatTakesTheKeyIsOkAndOneThatRefusesItFails() {
        try (FakeOpenAiServer openAi = new FakeOpenAiServer().start().requireApiKey("sk-doctor")) {
            ModelProperties.Provider provider = new ModelProperties.Provider();
            provider.setBaseUrl(openAi.baseUrl());
            provider.setApiKey("sk-doctor");
            assertThat(reachability.provider("openai", provider).line())
                    .startsWith("OK    model     openai (openai, " + openAi.baseUrl() + "): key accepted");
            provider.setApiKey("sk-other");
            Check refused = reachability.provider("openai", provider);
            assertThat(refused.status()).isEqualTo(Check.Status.FAIL);
            assertThat(refused.fix()).isEqualTo("check caravan.models.providers.openai.api-key");
        }
    }

    @Test
    void aPlatformApiAnsweringAnythingIsReachable() throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", exchange -> {
            exchange.sendResponseHeaders(404, -1);
            exchange.close();
        });
        server.start();
        try {
            String url = "http://127.0.0.1:" + server.getAddress().getPort() + "/api";
            assertThat(reachability.api("slack", url).line()).isEqualTo("OK    slack     " + url
                    + " reachable (HTTP 404)");
        } finally {
            server.stop(0);
        }
        Check down = reachability.api("telegram", "http://127.0.0.1:" + closedPort());
        assertThat(down.status()).isEqualTo(Check.Status.FAIL);
        assertThat(down.message()).contains("unreachable: cannot connect to 127.0.0.1:");
    }

    private static int closedPort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
