package routes.channel.feishu;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.apache.camel.builder.RouteBuilder;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import routes.support.CaravanIntegrationTest;
import routes.support.fakes.FakeFeishuServer;

/**
 * Base of the Feishu tests that run the whole gateway against a fake Feishu. Subclasses share one application
 * context (same configuration), which also runs the two kamelets from {@code kamelets/}.
 */
@Import(FeishuIntegrationTest.KameletRoutes.class)
abstract class FeishuIntegrationTest extends CaravanIntegrationTest {

    protected static final ObjectMapper JSON = new ObjectMapper();
    protected static final String TOKEN = "test-verification-token";
    protected static final String KEY = "test-encrypt-key";
    protected static final int CHUNK = 60;
    protected static final String KAMELET_PATH = "/webhooks/feishu-kamelet";

    /** The fake Feishu lives as long as the test JVM, like the context that points at it. */
    protected static final FakeFeishuServer FEISHU = new FakeFeishuServer();

    /** What the source kamelet passed on. */
    protected static final ConcurrentLinkedQueue<String> FROM_KAMELET = new ConcurrentLinkedQueue<>();

    @DynamicPropertySource
    static void feishu(DynamicPropertyRegistry registry) {
        registry.add("caravan.channels.feishu.app-id", () -> FakeFeishuServer.APP_ID);
        registry.add("caravan.channels.feishu.app-secret", () -> FakeFeishuServer.APP_SECRET);
        registry.add("caravan.channels.feishu.verification-token", () -> TOKEN);
        registry.add("caravan.channels.feishu.encrypt-key", () -> KEY);
        registry.add("caravan.channels.feishu.api-url", FEISHU::apiUrl);
        registry.add("caravan.channels.feishu.chunk-size", () -> String.valueOf(CHUNK));
        registry.add("caravan.channels.retry-delay", () -> "100ms");
        registry.add("caravan.channels.max-retry-delay", () -> "2s");
    }

    /** Routes an integrator would write around the kamelets. */
    @TestConfiguration
    static class KameletRoutes {
        @Bean
        RouteBuilder feishuKameletRoutes() {
            return new RouteBuilder() {
                @Override
                public void configure() {
                    from("kamelet:feishu-source?path=" + KAMELET_PATH + "&verificationToken=RAW(" + TOKEN
                            + ")&encryptKey=RAW(" + KEY + ")&botOpenId=" + FakeFeishuServer.BOT_OPEN_ID)
                            .routeId("feishu-kamelet-source-test")
                            .process(e -> FROM_KAMELET.add(e.getMessage().getBody(String.class)));
                    from("direct:feishu-kamelet-sink").routeId("feishu-kamelet-sink-test")
                            .to("kamelet:feishu-sink?appId=" + FakeFeishuServer.APP_ID + "&appSecret=RAW("
                                    + FakeFeishuServer.APP_SECRET + ")&apiUrl=RAW(" + FEISHU.apiUrl() + ")&chunkSize="
                                    + CHUNK);
                }
            };
        }
    }

    protected HttpResponse<String> post(String path, byte[] body, Map<String, String> headers) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(uri(path))
                .header("Content-Type", "application/json; charset=utf-8")
                .timeout(Duration.ofSeconds(30))
                .POST(HttpRequest.BodyPublishers.ofByteArray(body));
        headers.forEach(request::header);
        return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    protected HttpResponse<String> post(byte[] body, Map<String, String> headers) throws Exception {
        return post(FeishuConstants.WEBHOOK_PATH, body, headers);
    }

    protected HttpResponse<String> postSigned(String path, String json, Instant at) throws Exception {
        byte[] body = json.getBytes(StandardCharsets.UTF_8);
        String timestamp = String.valueOf(at.getEpochSecond());
        String nonce = FeishuEvents.nonce();
        return post(path, body, Map.of(FeishuConstants.TIMESTAMP, timestamp, FeishuConstants.NONCE, nonce,
                FeishuConstants.SIGNATURE, FeishuEvents.sign(timestamp, nonce, KEY, body)));
    }

    protected HttpResponse<String> postSigned(String json, Instant at) throws Exception {
        return postSigned(FeishuConstants.WEBHOOK_PATH, json, at);
    }

    /** An encrypted, signed text message, as Feishu sends it with an Encrypt Key configured. */
    protected HttpResponse<String> deliver(String eventId, String chat, String chatType, String text,
            String... mentions) throws Exception {
        return postSigned(FeishuEvents.encrypted(
                FeishuEvents.textMessage(eventId, TOKEN, chat, chatType, text, mentions), KEY), Instant.now());
    }

    protected static String eventId() {
        return UUID.randomUUID().toString().replace("-", "");
    }

    protected static List<String> textsSentTo(String chat) {
        return FEISHU.sentTo(chat).stream().map(FakeFeishuServer.Sent::text).toList();
    }

    protected static void assertError(HttpResponse<String> response, int status, String code) throws Exception {
        assertThat(response.statusCode()).as(response.body()).isEqualTo(status);
        assertThat(response.headers().firstValue("Content-Type").orElse("")).startsWith("application/json");
        JsonNode error = JSON.readTree(response.body()).path("error");
        assertThat(error.path("code").asText()).isEqualTo(code);
        assertThat(error.path("type").asText()).isEqualTo(status == 401 ? "authentication_error"
                : "invalid_request_error");
        assertThat(error.path("message").asText()).isNotBlank();
    }
}
