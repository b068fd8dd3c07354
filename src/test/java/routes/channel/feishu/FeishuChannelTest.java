package routes.channel.feishu;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import routes.infra.EmbeddedInfrastructure;
import routes.ops.DeadLetters;
import routes.support.KafkaTestSupport;
import routes.support.TestInfra;
import routes.support.fakes.FakeFeishuServer;

/** The Feishu channel end to end: webhook → Kafka → pipeline → fake model → egress → fake Feishu. */
class FeishuChannelTest extends FeishuIntegrationTest {

    private static KafkaTestSupport kafka;

    @Autowired
    private FeishuApi api;

    @BeforeAll
    static void kafka() {
        kafka = new KafkaTestSupport(EmbeddedInfrastructure.ensureStarted(TestInfra.STORAGE, 0, 0, 4)
                .kafkaBootstrapServers());
    }

    @AfterAll
    static void closeKafka() {
        kafka.close();
    }

    @Test
    void plainAndEncryptedChallengesAreAnswered() throws Exception {
        HttpResponse<String> plain = post(FeishuEvents.challenge("plain-c", TOKEN).getBytes(StandardCharsets.UTF_8),
                Map.of());
        assertThat(plain.statusCode()).isEqualTo(200);
        assertThat(JSON.readTree(plain.body()).path("challenge").asText()).isEqualTo("plain-c");

        HttpResponse<String> encrypted = post(FeishuEvents.encrypted(FeishuEvents.challenge("sealed-c", TOKEN), KEY)
                .getBytes(StandardCharsets.UTF_8), Map.of());
        assertThat(encrypted.statusCode()).isEqualTo(200);
        assertThat(JSON.readTree(encrypted.body()).path("challenge").asText()).isEqualTo("sealed-c");

        assertError(post(FeishuEvents.challenge("c", "forged").getBytes(StandardCharsets.UTF_8), Map.of()),
                401, "bad_token");
    }

    /**
     * Challenges are answered at once on the platform-http thread while the servlet thread leaves the filter chain:
     * the security headers must not be added from both at the same time (that answered 500 now and then).
     */
    @Test
    void manyChallengesAtOnceAreAllAnswered() throws Exception {
        var pool = java.util.concurrent.Executors.newFixedThreadPool(16);
        try {
            List<java.util.concurrent.Future<Integer>> statuses = new java.util.ArrayList<>();
            for (int i = 0; i < 400; i++) {
                String challenge = "many-" + i;
                statuses.add(pool.submit(() -> post(FeishuEvents.challenge(challenge, TOKEN)
                        .getBytes(StandardCharsets.UTF_8), Map.of()).statusCode()));
            }
            List<Integer> answered = new java.util.ArrayList<>();
            for (var status : statuses) {
                answered.add(status.get(60, java.util.concurrent.TimeUnit.SECONDS));
            }
            assertThat(answered).containsOnly(200);
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void signedMessageGetsOneReplyEvenWhenFeishuDeliversItTwice() throws Exception {
        String chat = uniqueChat("oc-dup");
        String event = FeishuEvents.encrypted(FeishuEvents.textMessage(eventId(), TOKEN, chat, "p2p", "hello feishu"),
                KEY);
        HttpResponse<String> first = postSigned(event, Instant.now());
        assertThat(first.statusCode()).as(first.body()).isEqualTo(200);
        // Feishu's retry: same event, signed anew
        assertThat(postSigned(event, Instant.now()).statusCode()).isEqualTo(200);
        // one chat is answered in order: once "after" is answered, the duplicate has been seen
        assertThat(deliver(eventId(), chat, "p2p", "after").statusCode()).isEqualTo(200);
        await().atMost(Duration.ofSeconds(30)).until(() -> textsSentTo(chat).contains("echo: after"));
        assertThat(textsSentTo(chat)).containsExactly("echo: hello feishu", "echo: after");
    }

    @Test
    void forgedUnsignedAndExpiredEventsAreRefused() throws Exception {
        String chat = uniqueChat("oc-forged");
        String event = FeishuEvents.encrypted(FeishuEvents.textMessage(eventId(), TOKEN, chat, "p2p", "forged"), KEY);
        byte[] body = event.getBytes(StandardCharsets.UTF_8);
        String ts = String.valueOf(Instant.now().getEpochSecond());
        assertError(post(body, Map.of(FeishuConstants.TIMESTAMP, ts, FeishuConstants.NONCE, "n",
                FeishuConstants.SIGNATURE, FeishuEvents.sign(ts, "n", "guessed-key", body))), 401, "bad_signature");
        assertError(post(body, Map.of()), 401, "missing_signature");
        assertError(postSigned(event, Instant.now().minus(Duration.ofHours(3))), 401, "expired");
        assertError(postSigned("{\"encrypt\":", Instant.now()), 400, "bad_json");
        assertError(postSigned(FeishuEvents.encrypted("{\"schema\":\"2.0\"}", "other-key"), Instant.now()), 400,
                "bad_encryption");
        assertError(postSigned(FeishuEvents.encrypted(FeishuEvents.textMessage(eventId(), "forged", chat, "p2p",
                "wrong token"), KEY), Instant.now()), 401, "bad_token");
        assertThat(modelCallsFor("forged")).isZero();
        assertThat(FEISHU.sentTo(chat)).isEmpty();
    }

    @Test
    void webhookAcceptsOnlyPost() throws Exception {
        HttpResponse<String> get = HTTP.send(HttpRequest.newBuilder(uri(FeishuConstants.WEBHOOK_PATH)).GET().build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(get.statusCode()).isBetween(400, 499);
    }

    @Test
    void oneTokenServesSeveralReplies() throws Exception {
        int before = FEISHU.tokensIssued();
        List<String> chats = List.of(uniqueChat("oc-t1"), uniqueChat("oc-t2"), uniqueChat("oc-t3"));
        for (String chat : chats) {
            assertThat(deliver(eventId(), chat, "p2p", "token check").statusCode()).isEqualTo(200);
        }
        await().atMost(Duration.ofSeconds(30)).until(() -> chats.stream().allMatch(c -> FEISHU.sentTo(c).size() == 1));
        assertThat(FEISHU.tokensIssued() - before).isLessThanOrEqualTo(1);
        assertThat(chats.stream().map(c -> FEISHU.sentTo(c).get(0).token()).distinct()).hasSize(1);
    }

    @Test
    void aRevokedTokenIsRenewedAndTheReplyDelivered() throws Exception {
        String warm = uniqueChat("oc-warm");
        deliver(eventId(), warm, "p2p", "warm up");
        await().atMost(Duration.ofSeconds(30)).until(() -> FEISHU.sentTo(warm).size() == 1);
        int before = FEISHU.tokensIssued();
        FEISHU.revokeTokens();
        String chat = uniqueChat("oc-revoked");
        deliver(eventId(), chat, "p2p", "after revocation");
        await().atMost(Duration.ofSeconds(30)).until(() -> FEISHU.sentTo(chat).size() == 1);
        assertThat(FEISHU.tokensIssued()).isEqualTo(before + 1);
        assertThat(FEISHU.sentTo(chat).get(0).text()).isEqualTo("echo: after revocation");
    }

    @Test
    void rateLimitedAndFailedSendsAreRetriedAndDeliveredOnce() throws Exception {
        String chat = uniqueChat("oc-429");
        int attempts = FEISHU.sendAttempts();
        FEISHU.failNext(1, 429, 99991400, Map.of("x-ogw-ratelimit-reset", "1"));
        FEISHU.failNext(1, 503, 1500, Map.of());
        deliver(eventId(), chat, "p2p", "slow down");
        await().atMost(Duration.ofSeconds(30)).until(() -> FEISHU.sentTo(chat).size() == 1);
        assertThat(FEISHU.sendAttempts() - attempts).isEqualTo(3);
        assertThat(textsSentTo(chat)).containsExactly("echo: slow down");
    }

    @Test
    void longRepliesAreSplitInOrder() throws Exception {
        String chat = uniqueChat("oc-long");
        String text = "The caravan crosses the desert slowly. ".repeat(5).trim();
        deliver(eventId(), chat, "p2p", text);
        String expected = "echo: " + text;
        await().atMost(Duration.ofSeconds(30))
                .until(() -> String.join(" ", textsSentTo(chat)).length() >= expected.length());
        List<String> pieces = textsSentTo(chat);
        assertThat(pieces).hasSizeGreaterThan(1).allSatisfy(p -> assertThat(p.length()).isLessThanOrEqualTo(CHUNK));
        assertThat(String.join(" ", pieces)).isEqualTo(expected);
    }

    @Test
    void groupMessagesAreAnsweredWhenTheBotIsMentioned() throws Exception {
        await().atMost(Duration.ofSeconds(10)).until(() -> FakeFeishuServer.BOT_OPEN_ID.equals(api.botOpenId()));
        String chat = uniqueChat("oc-group");
        assertThat(deliver(eventId(), chat, "group", "nobody asked me").statusCode()).isEqualTo(200);
        assertThat(deliver(eventId(), chat, "group", "@_user_1 what do you think", "ou_other", "Other")
                .statusCode()).isEqualTo(200);
        assertThat(deliver(eventId(), chat, "group", "@_user_1 what is the time", FakeFeishuServer.BOT_OPEN_ID,
                "Caravan").statusCode()).isEqualTo(200);
        await().atMost(Duration.ofSeconds(30)).until(() -> FEISHU.sentTo(chat).size() == 1);
        assertThat(textsSentTo(chat)).containsExactly("echo: what is the time");
        assertThat(modelCallsFor("nobody asked me")).isZero();
        assertThat(modelCallsFor("@Other what do you think")).isZero();
    }

    @Test
    void otherEventsAreAcknowledgedWithoutAReply() throws Exception {
        String chat = uniqueChat("oc-image");
        String image = FeishuEvents.message(eventId(), TOKEN, chat, "p2p", "image", "{\"image_key\":\"img_1\"}",
                "user");
        HttpResponse<String> response = postSigned(FeishuEvents.encrypted(image, KEY), Instant.now());
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body()).isEqualTo("{}");
        assertThat(deliver(eventId(), chat, "p2p", "and a text").statusCode()).isEqualTo(200);
        await().atMost(Duration.ofSeconds(30)).until(() -> FEISHU.sentTo(chat).size() == 1);
        assertThat(textsSentTo(chat)).containsExactly("echo: and a text");
    }

    @Test
    void theSignatureIsCheckedOverTheRawBytesOfAPlainEvent() throws Exception {
        String chat = uniqueChat("oc-raw");
        String event = FeishuEvents.textMessage(eventId(), TOKEN, chat, "p2p", "你好，商队 — ünïcödé ✓");
        assertThat(postSigned(event, Instant.now()).statusCode()).isEqualTo(200);
        await().atMost(Duration.ofSeconds(30)).until(() -> FEISHU.sentTo(chat).size() == 1);
        assertThat(textsSentTo(chat)).containsExactly("echo: 你好，商队 — ünïcödé ✓");
    }

    @Test
    void aReplyFeishuRefusesGoesToTheDeadLetterTopicWithTheReason() throws Exception {
        String chat = uniqueChat("oc-refused");
        int attempts = FEISHU.sendAttempts();
        FEISHU.failNext(1, 400, 230002, Map.of());
        deliver(eventId(), chat, "p2p", "bot left the chat");
        List<ConsumerRecord<String, byte[]>> dead = kafka.readUntil("caravan.dlq",
                r -> ("feishu:" + chat).equals(r.key()), found -> !found.isEmpty(), Duration.ofSeconds(30));
        assertThat(dead).hasSize(1);
        assertThat(DeadLetters.entry(dead.get(0)).reason()).contains("230002");
        assertThat(FEISHU.sendAttempts() - attempts).isEqualTo(1);
        assertThat(FEISHU.sentTo(chat)).isEmpty();
    }
}
