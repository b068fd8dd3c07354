package routes.channel.telegram;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.IThrowableProxy;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import org.apache.camel.CamelContext;
import org.apache.camel.Endpoint;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import routes.support.CapturedLogs;
import routes.support.CaravanIntegrationTest;
import routes.support.fakes.FakeTelegramServer;

/**
 * Webhook mode end to end: a real HTTP request to /webhooks/telegram, through Kafka, the pipeline and the fake
 * model, to sendMessage on the fake Bot API.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class TelegramWebhookTest extends CaravanIntegrationTest {

    static final FakeTelegramServer TELEGRAM = FakeTelegramServer.shared();
    static final String SECRET = "webhook_Secret-for-tests-42";
    static final Duration WAIT = FakeTelegramServer.WAIT;
    static final ObjectMapper JSON = new ObjectMapper();
    static CapturedLogs logs;

    @DynamicPropertySource
    static void telegram(DynamicPropertyRegistry registry) {
        registry.add("caravan.channels.telegram.token", () -> FakeTelegramServer.TOKEN);
        registry.add("caravan.channels.telegram.api-url", TELEGRAM::baseUrl);
        registry.add("caravan.channels.telegram.mode", () -> "webhook");
        registry.add("caravan.channels.telegram.webhook-secret", () -> SECRET);
        registry.add("caravan.channels.telegram.webhook-url", () -> "https://caravan.example.org/webhooks/telegram");
        // these tests look at the final replies; TelegramStreamEditsTest looks at drafts
        registry.add("caravan.channels.telegram.stream-edits", () -> "false");
    }

    @Autowired
    CamelContext camel;

    @BeforeAll
    static void captureLogs() {
        logs = CapturedLogs.start();
    }

    @AfterAll
    static void stopCapturing() {
        logs.close();
    }

    @Test
    @Order(1)
    void signedUpdateIsAnsweredInTheChat() throws Exception {
        String chat = privateChat();
        HttpResponse<String> response = post(TELEGRAM.privateText(Long.parseLong(chat), "hello telegram"), SECRET);

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(JSON.readTree(response.body()).path("ok").asBoolean()).isTrue();
        List<JsonNode> sent = awaitSent(chat, 1);
        assertThat(sent.get(0).path("text").asText()).isEqualTo("echo: hello telegram");
        assertThat(sent.get(0).has("parse_mode")).as("plain text, never parsed as Markdown").isFalse();
        assertThat(sent.get(0).has("reply_parameters")).as("no reply quote in a private chat").isFalse();
    }

    @Test
    void updateWithoutTheSecretHeaderIsRejected() throws Exception {
        String chat = privateChat();
        HttpResponse<String> response = post(TELEGRAM.privateText(Long.parseLong(chat), "unsigned update"), null);

        assertRejected(response, 401, "authentication_error", "missing_secret");
        assertNotAnsweredBefore(chat, "unsigned update");
    }

    @Test
    void updateWithAForgedSecretIsRejected() throws Exception {
        String chat = privateChat();
        HttpResponse<String> response =
                post(TELEGRAM.privateText(Long.parseLong(chat), "forged update"), SECRET + "x");
        HttpResponse<String> empty = post(TELEGRAM.privateText(Long.parseLong(chat), "forged update"), "");

        assertRejected(response, 401, "authentication_error", "invalid_secret");
        assertRejected(empty, 401, "authentication_error", "missing_secret");
        assertThat(response.headers().firstValue(TelegramConstants.SECRET_HEADER)).isEmpty();
        assertNotAnsweredBefore(chat, "forged update");
    }

    @Test
    void bodiesThatAreNotUpdatesGet400() throws Exception {
        assertRejected(postRaw("this is not json", SECRET), 400, "invalid_request_error", "invalid_json");
        assertRejected(postRaw("{\"message\":{\"text\":\"no update id\"}}", SECRET), 400, "invalid_request_error",
                "invalid_update");
        assertRejected(postRaw("[1,2,3]", SECRET), 400, "invalid_request_error", "invalid_update");
        assertRejected(postRaw("", SECRET), 400, "invalid_request_error", "empty_body");
    }

    @Test
    void getIsNotAllowed() throws Exception {
        HttpResponse<String> response = get(TelegramConstants.WEBHOOK_PATH);
        assertThat(response.statusCode()).isEqualTo(405);
    }

    @Test
    void sameUpdateDeliveredTwiceGetsOneReply() throws Exception {
        String chat = privateChat();
        ObjectNode update = TELEGRAM.privateText(Long.parseLong(chat), "tell me once");

        assertThat(post(update, SECRET).statusCode()).isEqualTo(200);
        assertThat(post(update, SECRET).statusCode()).isEqualTo(200);

        assertNotAnsweredBefore(chat, "tell me once", "echo: tell me once");
        assertThat(modelCallsFor("tell me once"))
                .as("a rebalance between test instances may repeat a model call; never the reply")
                .isBetween(1L, 2L);
    }

    @Test
    void replyLongerThan4096CharactersArrivesAsTwoMessages() throws Exception {
        String longAnswer = longText(4100);
        MODEL.replyWith(request -> "write a long answer".equals(lastUserText(request)) ? longAnswer
                : "echo: " + lastUserText(request));
        String chat = privateChat();

        post(TELEGRAM.privateText(Long.parseLong(chat), "write a long answer"), SECRET);

        List<JsonNode> sent = awaitSent(chat, 2);
        String first = sent.get(0).path("text").asText();
        String second = sent.get(1).path("text").asText();
        assertThat(first.length()).isLessThanOrEqualTo(4096);
        assertThat(second.length()).isLessThanOrEqualTo(4096);
        assertThat(first + " " + second).isEqualTo(longAnswer);
        assertNotAnsweredBefore(chat, null, first, second);
    }

    @Test
    void withStreamEditsOffASlowlyStreamedReplyIsOneMessage() throws Exception {
        String answer = "first second third fourth fifth sixth seventh eighth ninth tenth";
        MODEL.replyWith(request -> "stream slowly".equals(lastUserText(request)) ? answer
                : "echo: " + lastUserText(request)).tokenInterval(Duration.ofMillis(200));
        String chat = privateChat();

        post(TELEGRAM.privateText(Long.parseLong(chat), "stream slowly"), SECRET);

        List<JsonNode> sent = awaitSent(chat, 1);
        assertThat(sent.get(0).path("text").asText()).isEqualTo(answer);
        MODEL.tokenInterval(Duration.ZERO);
        assertNotAnsweredBefore(chat, null, answer);
        assertThat(TELEGRAM.calls("editMessageText")).noneMatch(c -> chat.equals(c.params().path("chat_id").asText()));
    }

    @Test
    void tooManyRequestsIsRetriedAfterRetryAfterAndDeliveredOnce() throws Exception {
        String chat = privateChat();
        TELEGRAM.failNextSend(chat, 1, 429, "Too Many Requests: retry after 2", 2);

        post(TELEGRAM.privateText(Long.parseLong(chat), "slow down"), SECRET);

        awaitSent(chat, 1);
        List<FakeTelegramServer.Call> attempts = TELEGRAM.sendAttempts(chat);
        assertThat(attempts).extracting(FakeTelegramServer.Call::status).containsExactly(429, 200);
        assertThat(Duration.between(attempts.get(0).at(), attempts.get(1).at()))
                .as("waited what retry_after said").isGreaterThanOrEqualTo(Duration.ofMillis(1900));
        assertNotAnsweredBefore(chat, null, "echo: slow down");
    }

    @Test
    void groupMessageIsAnsweredOnlyWhenTheBotIsMentioned() throws Exception {
        String group = groupChat();
        long group64 = Long.parseLong(group);
        post(TELEGRAM.groupText(group64, 42, "hello everyone", null), SECRET);
        post(TELEGRAM.groupText(group64, 42, "hello @caravan_test_botanist", null), SECRET);
        ObjectNode mention = TELEGRAM.groupText(group64, 42, "@Caravan_Test_Bot what is new?", null);
        post(mention, SECRET);

        List<JsonNode> sent = awaitSent(group, 1);
        assertThat(sent.get(0).path("text").asText()).isEqualTo("echo: @Caravan_Test_Bot what is new?");
        assertThat(sent.get(0).path("reply_parameters").path("message_id").asLong())
                .as("answers the person's message in a group")
                .isEqualTo(mention.path("message").path("message_id").asLong());
        assertThat(modelCallsFor("hello everyone")).isZero();
        assertThat(modelCallsFor("hello @caravan_test_botanist")).isZero();
    }

    @Test
    void replyToTheBotInAGroupCountsAsAMention() throws Exception {
        String group = groupChat();
        post(TELEGRAM.groupText(Long.parseLong(group), 43, "and what about you?", FakeTelegramServer.BOT_ID),
                SECRET);

        List<JsonNode> sent = awaitSent(group, 1);
        assertThat(sent.get(0).path("text").asText()).isEqualTo("echo: and what about you?");
    }

    @Test
    void webhookIsRegisteredWithItsSecret() {
        await().atMost(WAIT).until(() -> !TELEGRAM.calls("setWebhook").isEmpty());
        JsonNode registration = TELEGRAM.calls("setWebhook").get(0).params();
        assertThat(registration.path("url").asText()).isEqualTo("https://caravan.example.org/webhooks/telegram");
        assertThat(registration.path("secret_token").asText()).isEqualTo(SECRET);
    }

    @Test
    @Order(Integer.MAX_VALUE)
    void neitherTokenNorSecretIsEverLoggedOrShownInEndpoints() {
        assertThat(logs.events()).isNotEmpty();
        for (ILoggingEvent event : logs.events()) {
            String text = event.getFormattedMessage() + throwableText(event.getThrowableProxy());
            assertThat(text).doesNotContain(FakeTelegramServer.TOKEN).doesNotContain(SECRET);
        }
        for (Endpoint endpoint : camel.getEndpoints()) {
            assertThat(endpoint.toString()).doesNotContain(FakeTelegramServer.TOKEN);
        }
    }

    // ------------------------------------------------------------------ helpers

    private HttpResponse<String> post(ObjectNode update, String secret) throws Exception {
        return postRaw(JSON.writeValueAsString(update), secret);
    }

    private HttpResponse<String> postRaw(String body, String secret) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(uri(TelegramConstants.WEBHOOK_PATH))
                .header("Content-Type", "application/json")
                .timeout(Duration.ofSeconds(30))
                .POST(HttpRequest.BodyPublishers.ofString(body));
        if (secret != null) {
            request.header(TelegramConstants.SECRET_HEADER, secret);
        }
        return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static void assertRejected(HttpResponse<String> response, int status, String type, String code)
            throws Exception {
        assertThat(response.statusCode()).isEqualTo(status);
        assertThat(response.headers().firstValue("Content-Type")).hasValueSatisfying(
                v -> assertThat(v).startsWith("application/json"));
        JsonNode error = JSON.readTree(response.body()).path("error");
        assertThat(error.path("type").asText()).isEqualTo(type);
        assertThat(error.path("code").asText()).isEqualTo(code);
        assertThat(error.path("message").asText()).isNotBlank();
    }

    /**
     * Sends a marker message into the chat and waits for its reply: one chat is answered in order, so whatever
     * was published before the marker has been answered by then. The chat must then hold exactly the
     * {@code expected} replies followed by the marker's, and nothing may have answered {@code text}.
     */
    private void assertNotAnsweredBefore(String chat, String text, String... expected) throws Exception {
        String marker = "marker " + System.nanoTime();
        post(TELEGRAM.privateText(Long.parseLong(chat), marker), SECRET);
        await().atMost(WAIT).until(() -> TELEGRAM.sent(chat).stream()
                .anyMatch(m -> m.path("text").asText().equals("echo: " + marker)));
        List<String> texts = TELEGRAM.sent(chat).stream().map(m -> m.path("text").asText()).toList();
        assertThat(texts).containsExactly(concat(expected, "echo: " + marker));
        if (text != null) {
            assertThat(modelCallsFor(text)).isLessThanOrEqualTo(expected.length == 0 ? 0 : 1);
        }
    }

    private static String[] concat(String[] head, String last) {
        String[] all = java.util.Arrays.copyOf(head, head.length + 1);
        all[head.length] = last;
        return all;
    }

    private static List<JsonNode> awaitSent(String chat, int n) {
        await().atMost(WAIT).until(() -> TELEGRAM.sent(chat).size() >= n);
        return TELEGRAM.sent(chat);
    }

    static String privateChat() {
        return String.valueOf(ThreadLocalRandom.current().nextLong(1_000_000_000L, 9_000_000_000L));
    }

    static String groupChat() {
        return String.valueOf(-ThreadLocalRandom.current().nextLong(1_000_000_000_000L, 1_999_999_999_999L));
    }

    static String longText(int length) {
        StringBuilder text = new StringBuilder();
        int word = 0;
        while (text.length() < length) {
            text.append(text.length() == 0 ? "" : " ").append("word").append(word++ % 10);
        }
        return text.substring(0, length).strip();
    }

    private static String throwableText(IThrowableProxy proxy) {
        StringBuilder text = new StringBuilder();
        for (IThrowableProxy p = proxy; p != null; p = p.getCause()) {
            text.append(' ').append(p.getClassName()).append(": ").append(p.getMessage());
        }
        return text.toString();
    }
}
