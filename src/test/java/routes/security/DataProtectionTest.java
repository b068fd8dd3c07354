package routes.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.data.redis.connection.DataType;
import org.springframework.data.redis.connection.RedisConnection;
import org.springframework.data.redis.core.Cursor;
import org.springframework.data.redis.core.RedisCallback;
import org.springframework.data.redis.core.ScanOptions;
import org.springframework.data.redis.core.StringRedisTemplate;
import routes.envelope.ChatType;
import routes.envelope.Envelope;
import routes.envelope.Priority;
import routes.envelope.Turn;
import routes.pipeline.AccessPolicy;
import routes.pipeline.ModelCall;
import routes.pipeline.SessionProperties;
import routes.pipeline.SessionStore;
import routes.support.CaravanIntegrationTest;
import routes.support.KafkaTestSupport;
import routes.support.TestInfra;
import routes.support.WsTestClient;

/**
 * Conversation data at rest, seen from outside: what Redis holds after real conversations through the REST and
 * WebSocket channels (no plaintext), how long it lives (per-channel retention), and what an erasure leaves (nothing
 * about the sender).
 */
class DataProtectionTest extends CaravanIntegrationTest {

    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final KafkaTestSupport kafka = TestInfra.kafka();

    @Autowired
    private StringRedisTemplate redis;

    /** A word that appears nowhere but in this test's messages (and the model's echo of them). */
    private static String word(String prefix) {
        return prefix + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
    }

    @Test
    void aRestConversationLeavesNoPlaintextInRedis() throws Exception {
        String chat = uniqueChat("dp-rest");
        String sender = uniqueChat("dp-rest-user");
        String secret = word("zebra");
        String reminder = word("dentist");
        awaitReply(send(chat, sender, "/model cached"));
        JsonNode answer = awaitReply(send(chat, sender, "my secret is " + secret));
        // the stored reply is encrypted, and GET still shows it
        assertThat(answer.path("reply").path("text").asText()).isEqualTo("echo: my secret is " + secret);
        assertThat(awaitReply(send(chat, sender, "/remind 1h call the " + reminder)).path("reply").path("text")
                .asText()).contains(reminder);
        String history = "caravan:session:rest:" + chat;
        await().atMost(WAIT).until(() -> redis.opsForList().size(history) == 2);

        // the conversation's keys are there, and not one of them shows the text
        assertThat(redis.opsForSet().members("caravan:cache-index:rest:" + chat)).hasSize(1);
        assertThat(redis.opsForSet().members("caravan:user-chats:rest:" + sender)).containsExactly(chat);
        assertThat(raw(history)).hasSize(2).allSatisfy(v -> assertThat(v).startsWith("c1:"));
        assertThat(keysHolding(chat)).contains(history, "caravan:message-index:rest:" + chat);
        assertThat(keysHolding(secret)).isEmpty();
        assertThat(keysHolding(reminder)).isEmpty();
        assertThat(keysHolding("my secret is")).isEmpty();

        // retention: no retention is set for rest, so the history lives caravan.session.ttl (7d)
        assertThat(redis.getExpire(history, TimeUnit.SECONDS)).isBetween(7 * 86400L - 60, 7 * 86400L);
    }

    @Test
    void aWebSocketConversationAndItsKeptRepliesAreEncryptedAndLiveTheChannelsRetention() {
        String chat = uniqueChat("dp-ws");
        String secret = word("otter");
        try (WsTestClient ws = WsTestClient.connect(baseUrl(), chat)) {
            ws.sendMessage(chat, chat + "-1", "the password is " + secret);
            assertThat(ws.awaitReplyTo(chat + "-1", WAIT).path("text").asText())
                    .isEqualTo("echo: the password is " + secret);
        }
        String history = "caravan:session:websocket:" + chat;
        await().atMost(WAIT).until(() -> redis.opsForList().size(history) == 2);

        // a reply kept for a client that went away
        String kept = word("badger");
        MODEL.delay(Duration.ofMillis(800));
        try (WsTestClient away = WsTestClient.connect(baseUrl())) {
            away.sendMessage(chat, chat + "-2", "keep this for me: " + kept);
            away.awaitType("accepted", WAIT);
        }
        String mailbox = "caravan:mailbox:websocket:" + chat;
        await().atMost(WAIT).until(() -> Boolean.TRUE.equals(redis.hasKey(mailbox)));
        assertThat(keysHolding(secret)).isEmpty();
        assertThat(keysHolding(kept)).isEmpty();
        assertThat(raw(mailbox)).singleElement().satisfies(v -> assertThat(v).startsWith("c1:"));

        // caravan.session.retention.websocket=3d (shared test configuration) instead of caravan.session.ttl
        long threeDays = 3 * 86400L;
        assertThat(redis.getExpire(history, TimeUnit.SECONDS)).isBetween(threeDays - 60, threeDays);
        assertThat(redis.getExpire(mailbox, TimeUnit.SECONDS)).isBetween(threeDays - 60, threeDays);

        try (WsTestClient back = WsTestClient.connect(baseUrl(), chat)) {
            assertThat(back.awaitReplyTo(chat + "-2", WAIT).path("text").asText())
                    .isEqualTo("echo: keep this for me: " + kept);
        }
    }

    @Test
    void forgetErasesEverythingOfTheSenderAndTheNextMessageStartsWithoutHistory() throws Exception {
        String sender = uniqueChat("dp-forget-user");
        String chatA = uniqueChat("dp-forget-a");
        String chatB = uniqueChat("dp-forget-b");
        String first = word("alpha");
        String second = word("beta");
        awaitReply(send(chatA, sender, "/model cached"));
        awaitReply(send(chatA, sender, "remember " + first));
        awaitReply(send(chatA, sender, "/remind 2h feed the " + word("cat")));
        awaitReply(send(chatB, sender, "and remember " + second));
        await().atMost(WAIT).until(() -> redis.opsForList().size("caravan:session:rest:" + chatA) == 2
                && redis.opsForList().size("caravan:session:rest:" + chatB) == 2);
        assertThat(keysHolding(sender)).isNotEmpty();

        String forgetId = send(chatA, sender, "/forget");
        assertThat(awaitReply(forgetId).path("reply").path("text").asText()).startsWith("Done: I erased");

        assertThat(keysHolding(sender)).isEmpty();
        assertThat(keysHolding(chatB)).isEmpty();
        // of chat A only the /forget request's own status (its reply, which the client may still fetch) is left
        assertThat(keysHolding(chatA)).containsExactlyInAnyOrder("caravan:message:" + forgetId,
                "caravan:message-index:rest:" + chatA);

        JsonNode event = auditEvent("rest:" + sender);
        assertThat(event.path("payload").path("actor").asText()).isEqualTo("rest:" + sender);
        JsonNode counts = event.path("payload");
        assertThat(counts.path("conversations").asLong()).isEqualTo(2);
        assertThat(counts.path("histories").asLong()).isEqualTo(2);
        assertThat(counts.path("cacheEntries").asLong()).isEqualTo(1);
        assertThat(counts.path("profiles").asLong()).isEqualTo(1);
        assertThat(counts.path("reminders").asLong()).isEqualTo(1);
        assertThat(counts.path("usageDays").asLong()).isEqualTo(1);
        assertThat(counts.path("storedReplies").asLong()).isGreaterThanOrEqualTo(4);

        String after = word("gamma");
        awaitReply(send(chatA, sender, "what did I say? " + after));
        JsonNode request = MODEL.requests().stream().filter(r -> ("what did I say? " + after).equals(lastUserText(r)))
                .findFirst().orElseThrow();
        assertThat(request.path("messages").toString()).doesNotContain(first);
    }

    @Test
    void anOperatorErasesASenderThroughTheAdminApi() throws Exception {
        String sender = uniqueChat("dp-admin-user");
        String chat = uniqueChat("dp-admin");
        String secret = word("heron");
        String id = send(chat, sender, "note " + secret);
        awaitReply(id);
        await().atMost(WAIT).until(() -> redis.opsForList().size("caravan:session:rest:" + chat) == 2);

        HttpResponse<String> erased = delete("/admin/users/rest/" + sender);
        assertThat(erased.statusCode()).isEqualTo(200);
        JsonNode body = JSON.readTree(erased.body());
        assertThat(body.path("userId").asText()).isEqualTo("rest:" + sender);
        assertThat(body.path("erased").path("histories").asLong()).isEqualTo(1);
        assertThat(body.path("erased").path("storedReplies").asLong()).isEqualTo(1);
        assertThat(body.path("erased").path("usageDays").asLong()).isEqualTo(1);

        assertThat(keysHolding(sender)).isEmpty();
        assertThat(keysHolding(chat)).isEmpty();
        assertThat(get("/api/v1/messages/" + id).statusCode()).isEqualTo(404);
        // on loopback without authentication the caller is "local"
        assertThat(auditEvent("rest:" + sender).path("payload").path("actor").asText()).isEqualTo("admin:local");

        // again: nothing left to erase, still a clean answer
        HttpResponse<String> twice = delete("/admin/users/rest/" + sender);
        assertThat(twice.statusCode()).isEqualTo(200);
        assertThat(JSON.readTree(twice.body()).path("erased").path("histories").asLong()).isZero();
    }

    @Test
    void anErasureAlsoDropsThePendingPairingRequestWithTheSendersName() throws Exception {
        // channel "paired" has policy pairing in the shared test configuration
        String stranger = uniqueChat("dp-stranger");
        Envelope hello = Envelope.builder().id(UUID.randomUUID().toString()).channel("paired").chatId(stranger)
                .chatType(ChatType.DIRECT).senderId(stranger).senderName("Erin Example").text("hello")
                .priority(Priority.REALTIME).receivedAt(Instant.now()).build();
        assertThat(kafka.ask(hello, WAIT).meta(ModelCall.META_ERROR)).isEqualTo(AccessPolicy.PAIRING_REQUIRED);
        assertThat(keysHolding(stranger)).isNotEmpty();
        assertThat(keysHolding("Erin Example")).isNotEmpty();

        HttpResponse<String> erased = delete("/admin/users/paired/" + stranger);
        assertThat(erased.statusCode()).isEqualTo(200);
        assertThat(JSON.readTree(erased.body()).path("erased").path("pairingRequests").asLong()).isEqualTo(1);
        assertThat(keysHolding(stranger)).isEmpty();
        assertThat(keysHolding("Erin Example")).isEmpty();
    }

    @Test
    void anErasureRequestWithABadChannelGetsAClearError() throws Exception {
        HttpResponse<String> bad = delete("/admin/users/no%20such%20channel/someone");
        assertThat(bad.statusCode()).isEqualTo(400);
        assertThat(JSON.readTree(bad.body()).path("error").path("code").asText()).isEqualTo("invalid_channel");
    }

    @Test
    void aHistoryWrittenWithTheOldKeyIsReadAfterRotationAndWrittenAgainWithTheNewKey() {
        byte[] oldKey = randomKey();
        byte[] newKey = randomKey();
        var meters = new SimpleMeterRegistry();
        DataCipher before = new DataCipher(new EncryptionKeys("old", Map.of("old", oldKey)), meters);
        DataCipher after = new DataCipher(new EncryptionKeys("new", Map.of("new", newKey, "old", oldKey)), meters);
        var properties = new SessionProperties();
        String chat = uniqueChat("dp-rotate");
        String key = "caravan:session:rest:" + chat;

        var oldStore = new SessionStore(redis, properties, before);
        oldStore.append("rest", chat, "u", oldStore.history("rest", chat), Turn.user("first question", "m1"),
                Turn.assistant("first answer", null));
        assertThat(raw(key)).allSatisfy(v -> assertThat(v).startsWith("c1:old:"));

        var newStore = new SessionStore(redis, properties, after);
        List<Turn> loaded = newStore.history("rest", chat);
        assertThat(loaded).extracting(Turn::text).containsExactly("first question", "first answer");
        newStore.append("rest", chat, "u", loaded, Turn.user("second question", "m2"),
                Turn.assistant("second answer", null));
        assertThat(raw(key)).hasSize(4).allSatisfy(v -> assertThat(v).startsWith("c1:new:"));
        assertThat(newStore.history("rest", chat)).extracting(Turn::text)
                .containsExactly("first question", "first answer", "second question", "second answer");
        assertThat(redis.getExpire(key, TimeUnit.SECONDS)).isBetween(7 * 86400L - 60, 7 * 86400L);
        // once the old key is dropped from the configuration, nothing of this history depends on it
        DataCipher withoutOld = new DataCipher(new EncryptionKeys("new", Map.of("new", newKey)), meters);
        assertThat(new SessionStore(redis, properties, withoutOld).history("rest", chat)).hasSize(4);
        assertThat(meters.find("caravan.encryption.failures").counters()).allSatisfy(c ->
                assertThat(c.count()).isZero());
    }

    // ------------------------------------------------------------------ helpers

    private static byte[] randomKey() {
        byte[] key = new byte[32];
        new java.security.SecureRandom().nextBytes(key);
        return key;
    }

    /** Sends a REST message; returns its id. */
    private String send(String chat, String sender, String text) throws Exception {
        String body = JSON.createObjectNode().put("chatId", chat).put("senderId", sender).put("text", text)
                .toString();
        HttpResponse<String> accepted = postJson("/api/v1/messages", body);
        assertThat(accepted.statusCode()).isEqualTo(202);
        return JSON.readTree(accepted.body()).path("id").asText();
    }

    /** Waits until GET shows the message replied; returns that answer. */
    private JsonNode awaitReply(String id) {
        JsonNode[] answer = new JsonNode[1];
        await().atMost(WAIT).pollInterval(Duration.ofMillis(100)).until(() -> {
            HttpResponse<String> r = get("/api/v1/messages/" + id);
            answer[0] = r.statusCode() == 200 ? JSON.readTree(r.body()) : null;
            return answer[0] != null && "replied".equals(answer[0].path("status").asText());
        });
        return answer[0];
    }

    private HttpResponse<String> delete(String path) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(uri(path)).DELETE().timeout(WAIT).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    /** The {@code data.erased} audit event keyed by {@code userId}. */
    private static JsonNode auditEvent(String userId) throws Exception {
        // the sender's other events (a profile switch) share the key
        var records = kafka.readUntil("caravan.audit", r -> userId.equals(r.key())
                && new String(r.value(), StandardCharsets.UTF_8).contains("\"event_type\":\"data.erased\""),
                l -> !l.isEmpty(), WAIT);
        assertThat(records).isNotEmpty();
        JsonNode event = JSON.readTree(new String(records.get(records.size() - 1).value(), StandardCharsets.UTF_8));
        assertThat(event.path("event_type").asText()).isEqualTo("data.erased");
        assertThat(event.path("user_id").asText()).isEqualTo(userId);
        assertThat(event.path("created_at").asText()).isNotBlank();
        assertThat(event.path("id").asText()).isNotBlank();
        return event;
    }

    /** The raw values of a list key. */
    private List<String> raw(String listKey) {
        return redis.opsForList().range(listKey, 0, -1);
    }

    /** Every Redis key whose name or raw value bytes contain {@code needle} (a SCAN over the whole database). */
    private List<String> keysHolding(String needle) {
        byte[] wanted = needle.getBytes(StandardCharsets.UTF_8);
        return redis.execute((RedisCallback<List<String>>) connection -> {
            List<byte[]> keys = new ArrayList<>();
            try (Cursor<byte[]> cursor = connection.keyCommands().scan(ScanOptions.scanOptions().count(1000).build())) {
                cursor.forEachRemaining(keys::add);
            }
            List<String> holding = new ArrayList<>();
            for (byte[] key : keys) {
                if (contains(key, wanted) || values(connection, key).stream().anyMatch(v -> contains(v, wanted))) {
                    holding.add(new String(key, StandardCharsets.UTF_8));
                }
            }
            return holding;
        });
    }

    private static List<byte[]> values(RedisConnection connection, byte[] key) {
        DataType type = connection.keyCommands().type(key);
        List<byte[]> values = new ArrayList<>();
        if (type == DataType.STRING) {
            byte[] value = connection.stringCommands().get(key);
            if (value != null) {
                values.add(value);
            }
        } else if (type == DataType.LIST) {
            values.addAll(orEmpty(connection.listCommands().lRange(key, 0, -1)));
        } else if (type == DataType.SET) {
            values.addAll(orEmpty(connection.setCommands().sMembers(key)));
        } else if (type == DataType.ZSET) {
            values.addAll(orEmpty(connection.zSetCommands().zRange(key, 0, -1)));
        } else if (type == DataType.HASH) {
            Map<byte[], byte[]> hash = connection.hashCommands().hGetAll(key);
            if (hash != null) {
                hash.forEach((field, value) -> {
                    values.add(field);
                    values.add(value);
                });
            }
        }
        return values;
    }

    private static <T> java.util.Collection<T> orEmpty(java.util.Collection<T> values) {
        return values == null ? List.of() : values;
    }

    private static boolean contains(byte[] haystack, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= haystack.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (haystack[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return true;
        }
        return false;
    }
}
