package routes.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import routes.pipeline.ContentFilterProperties.Action;
import routes.envelope.Envelope;
import routes.support.CaravanIntegrationTest;
import routes.support.KafkaTestSupport;
import routes.support.TestInfra;
import routes.support.WsTestClient;

/**
 * The sensitive-word filter through the REST API, each action on the way in and on the way out, with the words
 * added to the list file while the gateway runs.
 */
class ContentFilterPipelineTest extends CaravanIntegrationTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final KafkaTestSupport kafka = TestInfra.kafka();

    @Autowired
    ContentFilterProperties properties;

    // Channels of their own carry the block and flag actions (caravan.content-filter.channels.* in the shared test
    // configuration): every running test context consumes the pipeline, so the actions are configuration, not
    // something one context could switch for itself.

    @Autowired
    SensitiveWords words;

    @Test
    void theWordListFileIsCreatedAtStartUp() throws Exception {
        assertThat(words.file()).exists();
        assertThat(Files.readString(words.file())).startsWith("# Sensitive words");
    }

    @Test
    void maskedInputReachesTheModelWithAsterisks() throws Exception {
        String word = listed();
        String chat = uniqueChat("cf-in-mask");
        JsonNode reply = converse(chat, "please say " + word.toUpperCase() + " twice: " + word + "!");

        String masked = "please say " + "*".repeat(word.length()) + " twice: " + "*".repeat(word.length()) + "!";
        assertThat(modelCallsFor(masked)).isEqualTo(1);
        assertThat(reply.path("text").asText()).isEqualTo("echo: " + masked);
        assertAudit("rest", chat, "input", "mask", 2);
    }

    @Test
    void blockedInputNeverReachesTheModel() throws Exception {
        String word = listed();
        String chat = uniqueChat("cf-in-block");
        String text = "tell me about " + word;
        Envelope reply = converseOn("cf-in-block", chat, text);

        assertThat(reply.text()).isEqualTo(properties.getBlockReply());
        assertThat(reply.meta(ModelCall.META_ERROR)).isEqualTo(ContentFilterStep.BLOCKED);
        assertThat(MODEL.requests()).noneMatch(r -> r.toString().contains(word));
        assertAudit("cf-in-block", chat, "input", "block", 1);
    }

    @Test
    void flaggedInputGoesOnUnchanged() throws Exception {
        String phrase = listed() + " " + listed();
        String chat = uniqueChat("cf-in-flag");
        String text = "the phrase " + phrase + " is here";
        Envelope reply = converseOn("cf-in-flag", chat, text);

        assertThat(modelCallsFor(text)).isEqualTo(1);
        // the echo repeats the words, and replies are still masked
        String maskedPhrase = phrase.replaceAll("\\S", "*");
        assertThat(reply.text()).isEqualTo("echo: " + text.replace(phrase, maskedPhrase));
        assertAudit("cf-in-flag", chat, "input", "flag", 2);
        assertAudit("cf-in-flag", chat, "output", "mask", 2);
    }

    @Test
    void maskedReplyIsPublishedWithAsterisks() throws Exception {
        String word = listed();
        MODEL.replyWith(request -> "here is " + word + " for you");
        String chat = uniqueChat("cf-out-mask");
        JsonNode reply = converse(chat, "a harmless question");

        assertThat(reply.path("text").asText()).isEqualTo("here is " + "*".repeat(word.length()) + " for you");
        assertAudit("rest", chat, "output", "mask", 1);
    }

    @Test
    void blockedReplyIsReplacedByTheBlockReply() throws Exception {
        String word = listed();
        MODEL.replyWith(request -> "here is " + word + " for you");
        String chat = uniqueChat("cf-out-block");
        Envelope reply = converseOn("cf-out-block", chat, "another harmless question");

        assertThat(reply.text()).isEqualTo(properties.getBlockReply());
        assertThat(reply.meta(ModelCall.META_ERROR)).isEqualTo(ContentFilterStep.BLOCKED);
        assertAudit("cf-out-block", chat, "output", "block", 1);
    }

    @Test
    void flaggedReplyIsPublishedUnchanged() throws Exception {
        String word = listed();
        MODEL.replyWith(request -> "here is " + word + " for you");
        String chat = uniqueChat("cf-out-flag");
        Envelope reply = converseOn("cf-out-flag", chat, "a third harmless question");

        assertThat(reply.text()).isEqualTo("here is " + word + " for you");
        assertAudit("cf-out-flag", chat, "output", "flag", 1);
    }

    @Test
    void streamedDeltasAreMaskedBeforeTheReplyIsChecked() throws Exception {
        String word = listed();
        String text = "first part, then " + word + " and " + word + ", then a long enough tail of ordinary words";
        // Paced tokens: the WebSocket outbox coalesces whatever arrives while a frame is being sent, so a stream
        // answered all at once may reach the client as a single delta on a busy machine.
        MODEL.replyWith(request -> text).tokenInterval(Duration.ofMillis(60));
        String masked = text.replace(word, "*".repeat(word.length()));
        String chat = uniqueChat("cf-ws");
        try (WsTestClient ws = WsTestClient.connect(baseUrl())) {
            ws.sendMessage(chat, chat + "-m", "stream me something");
            JsonNode reply = ws.awaitReplyTo(chat + "-m", WAIT);
            assertThat(reply.path("text").asText()).isEqualTo(masked);
            List<String> deltas = ws.framesOfType("delta").stream()
                    .filter(f -> (chat + "-m").equals(f.path("inReplyTo").asText()))
                    .map(f -> f.path("text").asText()).toList();
            assertThat(deltas).hasSizeGreaterThan(1).noneMatch(d -> d.contains(word));
            assertThat(String.join("", deltas)).isEqualTo(masked);
        }
    }

    /** A new word, added to the list file; returns once the gateway has reloaded the list. */
    private String listed() throws Exception {
        String word = "zorblax" + UUID.randomUUID().toString().substring(0, 6);
        Files.writeString(words.file(), word + "\n", StandardCharsets.UTF_8, StandardOpenOption.APPEND);
        await().atMost(Duration.ofSeconds(10)).until(() -> words.current().scan(word).found());
        return word;
    }

    /** Sends {@code text} as a REST message and returns the reply part of its status once replied. */
    private JsonNode converse(String chat, String text) throws Exception {
        var posted = postJson("/api/v1/messages", JSON.writeValueAsString(
                JSON.createObjectNode().put("chatId", chat).put("senderId", "cf-user").put("text", text)));
        assertThat(posted.statusCode()).isEqualTo(202);
        String id = JSON.readTree(posted.body()).path("id").asText();
        return await().atMost(WAIT).until(() -> JSON.readTree(get("/api/v1/messages/" + id).body()),
                n -> "replied".equals(n.path("status").asText())).path("reply");
    }

    /** Sends {@code text} on {@code channel} (straight onto the inbound topic) and returns its reply. */
    private static Envelope converseOn(String channel, String chat, String text) {
        return kafka.ask(Envelope.builder().id(UUID.randomUUID().toString()).channel(channel).chatId(chat)
                .chatType(routes.envelope.ChatType.DIRECT).senderId("cf-user").text(text)
                .priority(routes.envelope.Priority.REALTIME).receivedAt(java.time.Instant.now()).build(), WAIT);
    }

    private static void assertAudit(String channel, String chat, String direction, String action, int words)
            throws Exception {
        var records = kafka.readUntil("caravan.audit", r -> (channel + ":cf-user").equals(r.key())
                && new String(r.value(), StandardCharsets.UTF_8).contains("\"chatId\":\"" + chat + "\"")
                && new String(r.value(), StandardCharsets.UTF_8).contains("\"direction\":\"" + direction + "\""),
                found -> !found.isEmpty(), WAIT);
        assertThat(records).hasSize(1);
        JsonNode event = JSON.readTree(new String(records.get(0).value(), StandardCharsets.UTF_8));
        assertThat(event.path("event_type").asText()).isEqualTo("content.flagged");
        assertThat(event.path("user_id").asText()).isEqualTo(channel + ":cf-user");
        assertThat(event.path("payload").path("direction").asText()).isEqualTo(direction);
        assertThat(event.path("payload").path("action").asText()).isEqualTo(action);
        assertThat(event.path("payload").path("words").asInt()).isEqualTo(words);
        assertThat(event.path("created_at").asText()).isNotBlank();
        assertThat(event.toString()).doesNotContain("zorblax");
    }
}
