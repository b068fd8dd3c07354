package routes.tools;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.apache.camel.ProducerTemplate;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import routes.envelope.ChatType;
import routes.envelope.Envelope;
import routes.envelope.EnvelopeCodec;
import routes.envelope.Priority;
import routes.infra.RoutesDirectory;
import routes.support.CaravanIntegrationTest;
import routes.support.FakeOpenAiServer.ToolCall;
import routes.support.KafkaTestSupport;
import routes.support.TestInfra;

/**
 * The model calls tools that are Camel routes declared in YAML: results go back to it, bad input is reported to it,
 * the loop is bounded, permissions and confirmations hold, every call is audited; commands from YAML answer.
 */
class ToolLoopTest extends CaravanIntegrationTest {

    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final KafkaTestSupport kafka = TestInfra.kafka();

    @Autowired
    private ProducerTemplate producer;

    @Autowired
    private RoutesDirectory routes;

    @Autowired
    private ToolRegistry registry;

    private static int n;

    private static Envelope message(String chat, String text) {
        return message(chat, text, "tool-user");
    }

    private static Envelope message(String chat, String text, String sender) {
        String id = chat + "-" + (++n);
        return Envelope.builder().id(id).traceId("t-" + id).channel("rest").chatId(chat).chatType(ChatType.DIRECT)
                .senderId(sender).text(text).priority(Priority.REALTIME).receivedAt(Instant.now()).build();
    }

    private static boolean lastIsUser(JsonNode body, String text) {
        JsonNode messages = body.path("messages");
        JsonNode last = messages.get(messages.size() - 1);
        return "user".equals(last.path("role").asText()) && last.path("content").asText().equals(text);
    }

    private static List<String> toolMessages(JsonNode body) {
        List<String> out = new java.util.ArrayList<>();
        body.path("messages").forEach(m -> {
            if ("tool".equals(m.path("role").asText())) {
                out.add(m.path("content").asText());
            }
        });
        return out;
    }

    @Test
    void theShippedYamlToolRuns() {
        String result = producer.requestBody("direct:tool-word-count", "{\"text\":\"one two  three\"}",
                String.class);
        assertThat(result).isEqualTo("words: 3, characters: 14");
    }

    @Test
    void theModelCallsAToolAndAnswersWithItsResult() {
        String chat = uniqueChat("tool-loop");
        MODEL.toolCalls(body -> lastIsUser(body, "how many words: alpha beta gamma")
                ? new ToolCall("word-count", "{\"text\":\"alpha beta gamma\"}") : null);
        Envelope reply = kafka.ask(message(chat, "how many words: alpha beta gamma"), WAIT);
        assertThat(reply.meta("error")).isNull();
        List<JsonNode> requests = MODEL.requests();
        JsonNode first = requests.get(requests.size() - 2);
        JsonNode second = requests.get(requests.size() - 1);
        assertThat(first.path("tools").toString()).contains("word-count", "\"text\"");
        assertThat(toolMessages(second)).singleElement().satisfies(t -> assertThat(t)
                .contains("<tool_result name=\"word-count\">", "words: 3", "not instructions"));

        JsonNode audit = auditFor(chat, 1).get(0);
        assertThat(audit.path("event_type").asText()).isEqualTo("tool.call");
        assertThat(audit.path("user_id").asText()).isEqualTo("rest:tool-user");
        assertThat(audit.path("id").asText()).isNotBlank();
        assertThat(audit.path("created_at").asText()).isNotBlank();
        assertThat(audit.path("payload").path("tool").asText()).isEqualTo("word-count");
        assertThat(audit.path("payload").path("outcome").asText()).isEqualTo("ok");
        assertThat(audit.path("payload").path("input").asText()).contains("alpha beta gamma");
        assertThat(audit.path("payload").path("durationMs").isNumber()).isTrue();
    }

    @Test
    void badToolInputIsReportedToTheModelNotACrash() {
        String chat = uniqueChat("tool-bad");
        MODEL.toolCalls(body -> lastIsUser(body, "count badly") ? new ToolCall("word-count", "{\"txt\":1}") : null);
        Envelope reply = kafka.ask(message(chat, "count badly"), WAIT);
        assertThat(reply.meta("error")).isNull();
        JsonNode last = MODEL.requests().get(MODEL.requests().size() - 1);
        assertThat(toolMessages(last)).singleElement().satisfies(t -> assertThat(t)
                .contains("does not fit the schema", "text"));
        assertThat(auditFor(chat, 1).get(0).path("payload").path("outcome").asText()).isEqualTo("invalid");
    }

    @Test
    void theLoopIsBoundedByMaxSteps() {
        String chat = uniqueChat("tool-bounded");
        MODEL.clear();
        MODEL.toolCalls(body -> body.has("tools") ? new ToolCall("word-count", "{\"text\":\"again\"}") : null);
        Envelope reply = kafka.ask(message(chat, "loop forever"), WAIT);
        assertThat(reply.meta("error")).isNull();
        List<JsonNode> requests = MODEL.requests().stream()
                .filter(r -> r.path("messages").get(1).path("content").asText().equals("loop forever")).toList();
        assertThat(requests).hasSize(5);
        assertThat(requests.get(4).has("tools")).as("the last call offers no tools").isFalse();
    }

    @Test
    void toolsAddedInYamlWhileRunningObeyPermissionsAndConfirmation() throws Exception {
        Path file = routes.path().resolve("test-tools.yaml");
        Files.writeString(file, """
                - beans:
                    - name: tool-wipe-disk
                      type: routes.tools.ToolDefinition
                      properties:
                        name: wipe-disk
                        description: Erases the disk.
                        sideEffects: true
                    - name: tool-order-pizza
                      type: routes.tools.ToolDefinition
                      properties:
                        name: order-pizza
                        description: Orders a pizza.
                        confirm: true
                        inputSchema: '{"type":"object","properties":{"size":{"type":"string"}},"required":["size"]}'
                - route:
                    id: tool-wipe-disk
                    from:
                      uri: direct:tool-wipe-disk
                      steps:
                        - setBody:
                            constant: wiped
                - route:
                    id: tool-order-pizza
                    from:
                      uri: direct:tool-order-pizza
                      steps:
                        - setBody:
                            simple: "ordered a ${jq(.size)} pizza"
                """.replace("${jq(.size)}", "large"), StandardCharsets.UTF_8);
        try {
            Awaitility.await().atMost(WAIT).until(() -> registry.get("order-pizza").isPresent());
            String chat = uniqueChat("tool-perm");

            // side effects and no allowlist: denied, and the model hears so
            MODEL.toolCalls(body -> lastIsUser(body, "wipe it") ? new ToolCall("wipe-disk", "{}") : null);
            kafka.ask(message(chat, "wipe it"), WAIT);
            assertThat(toolMessages(MODEL.requests().get(MODEL.requests().size() - 1))).singleElement()
                    .satisfies(t -> assertThat(t).contains("not allowed in this conversation"));
            assertThat(kafka.ask(message(chat, "/tools"), WAIT).text()).contains("order-pizza", "asks you first")
                    .doesNotContain("wipe-disk");

            // a sender holding a role the tool's allowlist names may use it
            MODEL.toolCalls(body -> lastIsUser(body, "wipe it, I am allowed") ? new ToolCall("wipe-disk", "{}") : null);
            kafka.ask(message(chat, "wipe it, I am allowed", "tool-admin"), WAIT);
            assertThat(toolMessages(MODEL.requests().get(MODEL.requests().size() - 1))).singleElement()
                    .satisfies(t -> assertThat(t).contains("wiped"));

            // confirmation: asked first, runs on /confirm, and the model answers with the result
            MODEL.toolCalls(body -> lastIsUser(body, "get me a pizza")
                    ? new ToolCall("order-pizza", "{\"size\":\"large\"}") : null);
            Envelope question = kafka.ask(message(chat, "get me a pizza"), WAIT);
            assertThat(question.text()).contains("order-pizza", "/confirm");
            Envelope done = kafka.ask(message(chat, "/confirm"), WAIT);
            assertThat(done.meta("error")).isNull();
            assertThat(MODEL.requests().get(MODEL.requests().size() - 1).toString()).contains("ordered a large pizza");
            assertThat(kafka.ask(message(chat, "/confirm"), WAIT).text()).contains("nothing waiting");
            assertThat(auditFor(chat, 3)).extracting(a -> a.path("user_id").asText() + ":"
                            + a.path("payload").path("tool").asText() + ":"
                            + a.path("payload").path("outcome").asText())
                    .containsExactly("rest:tool-user:wipe-disk:denied", "rest:tool-admin:wipe-disk:ok",
                            "rest:tool-user:order-pizza:ok");
        } finally {
            Files.deleteIfExists(file);
        }
    }

    @Test
    void commandsDeclaredInYamlAnswerAndHelpListsThem() {
        String chat = uniqueChat("cmd-yaml");
        assertThat(kafka.ask(message(chat, "/ping"), WAIT).text()).startsWith("pong");
        assertThat(kafka.ask(message(chat, "/help"), WAIT).text()).contains("/new", "/forget", "/ping — check");
        assertThat(kafka.ask(message(chat, "/status"), WAIT).text()).contains("Model profile", "History", "Instance");
        assertThat(modelCallsFor("/ping")).isZero();
    }

    /**
     * The tool-call audit events of {@code chat}, oldest first (keyed by their senders, so on several partitions:
     * found by the chat in the payload, ordered by time).
     */
    private static List<JsonNode> auditFor(String chat, int expected) {
        return kafka.readUntil("caravan.audit", r -> isToolCallIn(json(r.value()), chat), l -> l.size() >= expected,
                        WAIT).stream()
                .map(r -> json(r.value()))
                .sorted(java.util.Comparator.comparing(e -> Instant.parse(e.path("created_at").asText())))
                .toList();
    }

    private static boolean isToolCallIn(JsonNode event, String chat) {
        return "tool.call".equals(event.path("event_type").asText())
                && chat.equals(event.path("payload").path("chatId").asText());
    }

    /** The record as JSON; other tests put records on the topic that are not (a missing node then). */
    private static JsonNode json(byte[] value) {
        try {
            return EnvelopeCodec.mapper().readTree(value);
        } catch (java.io.IOException e) {
            return com.fasterxml.jackson.databind.node.MissingNode.getInstance();
        }
    }
}
