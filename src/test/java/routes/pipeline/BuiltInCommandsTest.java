package routes.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import routes.envelope.ChatType;
import routes.envelope.Envelope;
import routes.envelope.EnvelopeCodec;
import routes.envelope.Priority;
import routes.support.CaravanIntegrationTest;
import routes.support.KafkaTestSupport;
import routes.support.TestInfra;

/** /model and /usage answered by Caravan itself; the usage topic; the opt-in response cache. */
class BuiltInCommandsTest extends CaravanIntegrationTest {

    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final KafkaTestSupport kafka = TestInfra.kafka();

    private static int n;

    private static Envelope message(String chat, String text) {
        String id = chat + "-" + (++n);
        return Envelope.builder().id(id).traceId("t-" + id).channel("rest").chatId(chat).chatType(ChatType.DIRECT)
                .senderId(chat + "-user").text(text).priority(Priority.REALTIME).receivedAt(Instant.now()).build();
    }

    @Test
    void modelSwitchesTheProfileOfOneConversation() {
        String chat = uniqueChat("cmd-model");
        String other = uniqueChat("cmd-other");
        Envelope list = kafka.ask(message(chat, "/model"), WAIT);
        assertThat(list.text()).contains("routing rules", "- general", "- coding", "/model <profile>");
        assertThat(list.meta("command")).isEqualTo("model");

        assertThat(kafka.ask(message(chat, "/model nosuch"), WAIT).text()).contains("no profile called nosuch");
        assertThat(kafka.ask(message(chat, "/model coder"), WAIT).text()).contains("now uses the profile coder");
        assertThat(kafka.ask(message(chat, "what a lovely day"), WAIT).meta("profile")).isEqualTo("coder");
        assertThat(kafka.ask(message(other, "what a lovely day"), WAIT).meta("profile")).isEqualTo("general");

        assertThat(kafka.ask(message(chat, "/model auto"), WAIT).text()).contains("back on the routing rules");
        assertThat(kafka.ask(message(chat, "what a lovely night"), WAIT).meta("profile")).isEqualTo("general");
        assertThat(modelCallsFor("/model coder")).isZero();

        // both switches audited, the unknown profile not
        String user = "rest:" + chat + "-user";
        List<JsonNode> switches = kafka.readUntil("caravan.audit", r -> user.equals(r.key()), l -> l.size() >= 2,
                WAIT).stream().map(r -> json(r.value()))
                .filter(e -> "model.switched".equals(e.path("event_type").asText())).toList();
        assertThat(switches).extracting(e -> e.path("payload").path("previous").asText() + ">"
                + e.path("payload").path("profile").asText()).containsExactly("auto>coder", "coder>auto");
        assertThat(switches).allSatisfy(e -> {
            assertThat(e.path("user_id").asText()).isEqualTo(user);
            assertThat(e.path("payload").path("scope").asText()).isEqualTo("chat");
            assertThat(e.path("payload").path("chat").asText()).isEqualTo("rest:" + chat);
            assertThat(e.path("payload").path("by").asText()).isEqualTo(user);
        });
    }

    private static JsonNode json(byte[] value) {
        try {
            return EnvelopeCodec.mapper().readTree(value);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @Test
    void aReminderForTheFarPastIsDueAtOnceNotAPoisonMessage() {
        String chat = uniqueChat("cmd-remind-past");
        Envelope answer = kafka.ask(message(chat, "/remind -999999999-01-01T00:00 look back"), WAIT);
        assertThat(answer.meta("error")).isNull();
        assertThat(answer.text()).contains("I will remind you at", "look back").doesNotContain("-999999999");
    }

    @Test
    void everyAnswerLeavesAUsageRecordAndUsageShowsTheDay() throws Exception {
        String chat = uniqueChat("cmd-usage");
        Envelope question = message(chat, "count my tokens");
        Envelope answer = kafka.ask(question, WAIT);
        assertThat(answer.meta("error")).isNull();
        List<JsonNode> records = kafka.readUntil("caravan.usage", r -> question.kafkaKey().equals(r.key()),
                        l -> !l.isEmpty(), WAIT).stream()
                .map(r -> {
                    try {
                        return EnvelopeCodec.mapper().readTree(r.value());
                    } catch (java.io.IOException e) {
                        throw new java.io.UncheckedIOException(e);
                    }
                }).toList();
        assertThat(records).hasSize(1);
        JsonNode record = records.get(0);
        assertThat(record.path("messageId").asText()).isEqualTo(question.id());
        assertThat(record.path("user").asText()).isEqualTo(chat + "-user");
        assertThat(record.path("profile").asText()).isEqualTo("general");
        assertThat(record.path("provider").asText()).isEqualTo("openai");
        assertThat(record.path("outputTokens").asLong()).isPositive();

        Envelope usage = kafka.ask(message(chat, "/usage"), WAIT);
        assertThat(usage.text()).contains("you sent 1 message to the model",
                (record.path("inputTokens").asLong() + record.path("outputTokens").asLong()) + " tokens");

        String metrics = get("/actuator/prometheus").body();
        assertThat(metrics).containsPattern("caravan_model_tokens_total\\{[^}]*direction=\"output\"[^}]*"
                + "profile=\"general\",provider=\"openai\"} [1-9]");
        assertThat(metrics).containsPattern("caravan_model_latency_seconds_count\\{[^}]*provider=\"openai\"} [1-9]");
    }
}
