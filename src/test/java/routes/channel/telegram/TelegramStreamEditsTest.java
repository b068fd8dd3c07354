package routes.channel.telegram;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import routes.support.CaravanIntegrationTest;
import routes.support.fakes.FakeTelegramServer;
import routes.support.fakes.FakeTelegramServer.Call;

/**
 * Streamed replies on Telegram: a draft message posted with the first text, edited as the model writes, and
 * edited into the final reply by the egress.
 *
 * <p>This context reads and writes topics of its own: test contexts stay alive for the whole run and share the
 * consumer groups, so on the usual topics another context (with drafts off, or without Telegram) could run the
 * model call. Here the model call always runs in this context, which shows drafts.
 */
class TelegramStreamEditsTest extends CaravanIntegrationTest {

    static final FakeTelegramServer TELEGRAM = FakeTelegramServer.shared();
    static final String SECRET = "stream_edits-secret-7";
    static final Duration INTERVAL = Duration.ofSeconds(1);
    static final Duration WAIT = FakeTelegramServer.WAIT;
    static final ObjectMapper JSON = new ObjectMapper();

    @DynamicPropertySource
    static void telegram(DynamicPropertyRegistry registry) {
        registry.add("caravan.channels.telegram.token", () -> FakeTelegramServer.TOKEN);
        registry.add("caravan.channels.telegram.api-url", TELEGRAM::baseUrl);
        registry.add("caravan.channels.telegram.mode", () -> "webhook");
        registry.add("caravan.channels.telegram.webhook-secret", () -> SECRET);
        registry.add("caravan.channels.telegram.stream-edits", () -> "true");
        registry.add("caravan.channels.telegram.edit-interval", () -> "1s");
        registry.add("caravan.kafka.topics.inbound-urgent", () -> "stream-edits-tg.inbound.urgent");
        registry.add("caravan.kafka.topics.inbound", () -> "stream-edits-tg.inbound");
        registry.add("caravan.kafka.topics.inbound-batch", () -> "stream-edits-tg.inbound.batch");
        registry.add("caravan.kafka.topics.inbound-low", () -> "stream-edits-tg.inbound.low");
        registry.add("caravan.kafka.topics.outbound-prefix", () -> "stream-edits-tg.outbound.");
        // a slowly streamed reply takes seconds: it must not turn into a timeout reply
        registry.add("caravan.models.providers.openai.timeout", () -> "30s");
    }

    @Test
    void slowlyStreamedReplyIsADraftEditedIntoTheFinalText() throws Exception {
        String answer = "Caravans cross the desert at night, when the sand is cool and the stars show the way "
                + "from one well to the next.";
        MODEL.replyWith(request -> answer).tokenInterval(Duration.ofMillis(150));
        String chat = TelegramWebhookTest.privateChat();

        post(TELEGRAM.privateText(Long.parseLong(chat), "tell me about caravans"));

        List<Call> calls = callsOfTheReply(chat);
        List<Call> posts = calls.stream().filter(c -> c.method().equals("sendMessage")).toList();
        assertThat(posts).as("one message: the draft").hasSize(1);
        String draft = posts.get(0).params().path("text").asText();
        assertThat(draft).isNotBlank();
        assertThat(answer).startsWith(draft);
        List<String> edits = calls.stream().filter(c -> c.method().equals("editMessageText") && c.status() == 200)
                .map(c -> c.params().path("text").asText()).toList();
        assertThat(edits).isNotEmpty();
        assertThat(edits.get(edits.size() - 1)).isEqualTo(answer);
        String previous = draft;
        for (String edit : edits) {
            assertThat(edit).as("the draft only grows").startsWith(previous).isNotEqualTo(previous);
            previous = edit;
        }
        assertThat(TELEGRAM.shown(chat).get(0)).isEqualTo(answer);
        assertSpacedByTheInterval(calls);
    }

    @Test
    void longStreamedReplyEditsTheDraftIntoTheFirstPieceAndSendsTheRest() throws Exception {
        String answer = TelegramWebhookTest.longText(4100);
        MODEL.replyWith(request -> answer).tokenInterval(Duration.ofMillis(4));
        String chat = TelegramWebhookTest.privateChat();

        post(TELEGRAM.privateText(Long.parseLong(chat), "write a long answer"));

        List<Call> calls = callsOfTheReply(chat);
        List<String> shown = TELEGRAM.shown(chat).subList(0, 2);
        assertThat(shown.get(0).length()).isLessThanOrEqualTo(TelegramSender.MAX_TEXT);
        assertThat(shown.get(0) + " " + shown.get(1)).isEqualTo(answer);
        List<Call> posts = calls.stream().filter(c -> c.method().equals("sendMessage")).toList();
        assertThat(posts).as("the draft and the second piece").hasSize(2);
        assertThat(posts.get(1).params().path("text").asText()).isEqualTo(shown.get(1));
        assertThat(calls).as("the draft was edited as the text grew")
                .anyMatch(c -> c.method().equals("editMessageText") && c.status() == 200);
        assertSpacedByTheInterval(calls.stream().filter(c -> c != posts.get(1)).toList());
    }

    @Test
    void failureAfterTheFirstTokensReplacesTheDraftWithTheExplanation() throws Exception {
        MODEL.replyWith(request -> "the first words and then").tokenInterval(Duration.ofMillis(400))
                .truncateStreamNext(1);
        String chat = TelegramWebhookTest.privateChat();

        post(TELEGRAM.privateText(Long.parseLong(chat), "this answer breaks off"));

        List<Call> calls = callsOfTheReply(chat);
        assertThat(calls.stream().filter(c -> c.method().equals("sendMessage")))
                .as("the draft, and no second message").hasSize(1);
        assertThat(TELEGRAM.shown(chat).get(0)).contains("model").doesNotContain("the first");
    }

    // ------------------------------------------------------------------ helpers

    /**
     * Waits until the reply in {@code chat} is delivered and returns the calls made for it. A later message of
     * the chat is sent and awaited: one chat is answered in order, so by then the reply went through the egress,
     * and a draft call that came after it would be among the calls returned.
     */
    private List<Call> callsOfTheReply(String chat) throws Exception {
        await().atMost(WAIT).until(() -> !TELEGRAM.sent(chat).isEmpty());
        int before = TELEGRAM.calls().size();
        MODEL.tokenInterval(Duration.ZERO).replyWith(request -> "echo: " + lastUserText(request));
        String marker = "marker " + System.nanoTime();
        post(TELEGRAM.privateText(Long.parseLong(chat), marker));
        await().atMost(WAIT).until(() -> TELEGRAM.shown(chat).contains("echo: " + marker));
        assertThat(TELEGRAM.shown(chat).get(TELEGRAM.shown(chat).size() - 1)).isEqualTo("echo: " + marker);
        List<Call> all = TELEGRAM.calls();
        List<Call> calls = new ArrayList<>();
        for (int i = 0; i < all.size(); i++) {
            Call c = all.get(i);
            boolean ofMarker = i >= before && ("echo: " + marker).startsWith(c.params().path("text").asText());
            if (chat.equals(c.params().path("chat_id").asText()) && !ofMarker) {
                calls.add(c);
            }
        }
        return calls;
    }

    /** Every call for the draft (the post, each edit tried, the final edit) starts an interval after the last. */
    private static void assertSpacedByTheInterval(List<Call> calls) {
        assertThat(calls).hasSizeGreaterThan(1);
        for (int i = 1; i < calls.size(); i++) {
            assertThat(Duration.between(calls.get(i - 1).at(), calls.get(i).at()))
                    .as("call %d of the draft", i).isGreaterThanOrEqualTo(INTERVAL);
        }
    }

    private void post(ObjectNode update) throws Exception {
        HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(uri(TelegramConstants.WEBHOOK_PATH))
                .header("Content-Type", "application/json")
                .header(TelegramConstants.SECRET_HEADER, SECRET)
                .timeout(Duration.ofSeconds(30))
                .POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(update)))
                .build(), HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).isEqualTo(200);
    }
}
