package routes.ops;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.UUID;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import routes.envelope.ChatType;
import routes.envelope.Envelope;
import routes.envelope.EnvelopeCodec;
import routes.envelope.Priority;
import routes.support.CaravanIntegrationTest;
import routes.support.KafkaTestSupport;
import routes.support.TestInfra;

/** The operator's admin API: health detail, channels and their routes, sessions, the DLQ and its re-drive. */
class OperationsControllerTest extends CaravanIntegrationTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private final KafkaTestSupport kafka = TestInfra.kafka();

    private JsonNode call(String method, String path, String body, int status) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(uri(path)).timeout(Duration.ofSeconds(30));
        if (body != null) {
            request.header("Content-Type", "application/json");
        }
        HttpResponse<String> response = HTTP.send(request.method(method, body == null
                ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as(method + " " + path + ": " + response.body()).isEqualTo(status);
        return JSON.readTree(response.body());
    }

    @Test
    void healthShowsEveryComponent() throws Exception {
        JsonNode health = call("GET", "/admin/health", null, 200);
        assertThat(health.path("components").has("kafka")).isTrue();
        assertThat(health.path("components").has("redis")).isTrue();
    }

    @Test
    void aChannelsRoutesCanBeSuspendedAndResumed() throws Exception {
        JsonNode channels = call("GET", "/admin/channels", null, 200);
        assertThat(channels.findValuesAsText("channel")).contains("rest", "websocket", "openai");
        JsonNode suspended = call("POST", "/admin/channels/rest/suspend", null, 200);
        assertThat(suspended.path("routes").findValuesAsText("id")).contains("rest-egress");
        assertThat(suspended.path("state").asText()).isIn("Suspended", "Stopped");
        JsonNode resumed = call("POST", "/admin/channels/rest/resume", null, 200);
        assertThat(resumed.path("state").asText()).isEqualTo("Started");
        call("POST", "/admin/channels/nowhere/suspend", null, 404);
        call("POST", "/admin/channels/rest/explode", null, 404);
    }

    @Test
    void sessionsAreCounted() throws Exception {
        String chat = uniqueChat("sessions");
        String id = JSON.readTree(postJson("/api/v1/messages", "{\"chatId\":\"" + chat + "\",\"text\":\"hi\"}")
                .body()).path("id").asText();
        Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> "replied".equals(
                call("GET", "/api/v1/messages/" + id, null, 200).path("status").asText()));
        assertThat(call("GET", "/admin/sessions", null, 200).path("sessions").asLong()).isPositive();
    }

    @Test
    void aDeadLetterIsListedAndReDrivenIntoAnAnswer() throws Exception {
        String chat = uniqueChat("redrive");
        Envelope message = Envelope.builder().id(UUID.randomUUID().toString()).channel("rest").chatId(chat)
                .chatType(ChatType.DIRECT).senderId(chat).text("try me again " + chat).priority(Priority.REALTIME)
                .receivedAt(Instant.now()).build();
        // as the pipeline dead-letters a message whose processing failed
        kafka.send("caravan.dlq", message.kafkaKey(), EnvelopeCodec.encode(message), Map.of(
                "caravan-dlq-reason", "ModelException: provider down", "caravan-dlq-source-topic", "caravan.inbound",
                "caravan-dlq-source-position", "0@1", "caravan-dlq-route", "pipeline-consume-realtime",
                "caravan-dlq-at", Instant.now().toString()));

        JsonNode listed = Awaitility.await().atMost(Duration.ofSeconds(20)).until(
                () -> call("GET", "/admin/dlq?limit=1000", null, 200).path("entries"),
                entries -> entries.findValuesAsText("messageId").contains(message.id()));
        JsonNode entry = null;
        for (JsonNode e : listed) {
            if (message.id().equals(e.path("messageId").asText())) {
                entry = e;
            }
        }
        assertThat(entry.path("reason").asText()).isEqualTo("ModelException: provider down");
        assertThat(entry.toString()).doesNotContain("try me again");

        call("POST", "/admin/dlq/redrive", "{\"partition\":" + entry.path("partition").asInt() + ",\"offset\":"
                + entry.path("offset").asLong() + "}", 200);
        assertThat(kafka.repliesTo(message, 1, Duration.ofSeconds(30), false)).singleElement()
                .satisfies(reply -> assertThat(reply.text()).isEqualTo("echo: try me again " + chat));
        call("POST", "/admin/dlq/redrive", "{\"partition\":0}", 400);
        call("POST", "/admin/dlq/redrive", "{\"partition\":0,\"offset\":999999999}", 404);
        call("GET", "/admin/dlq?limit=0", null, 400);
    }
}
