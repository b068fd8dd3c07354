package routes.reliability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.pubsub.RedisPubSubAdapter;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;
import routes.infra.EmbeddedInfrastructure;
import routes.support.FakeOpenAiServer;
import routes.support.WsTestClient;

/**
 * Two Caravan processes sharing one Kafka and one Redis, as behind a load balancer.
 *
 * <p>Kafka and Redis are the embedded servers, started in this JVM on a temporary directory; both instances run
 * as child processes with {@code caravan.embedded.enabled=false} pointing at them. Chats spread over the partitions,
 * so each instance's pipeline answers messages whose WebSocket the other holds: those replies and deltas must cross
 * over the holder's Redis channel, which the test watches with its own subscription. Finally one instance is
 * SIGKILLed and the survivor must take over its partitions once the (short) session timeout expires.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@Timeout(value = 300, unit = TimeUnit.SECONDS)
class TwoInstancesTest {

    private static final Duration SESSION_TIMEOUT = Duration.ofSeconds(6);
    private static final Duration START = Duration.ofSeconds(180);
    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final ObjectMapper JSON = new ObjectMapper();
    /** The encryption key of both instances (base64 of 32 random bytes). */
    private static final String SHARED_KEY = randomKey();
    private static final HttpClient HTTP = HttpClient.newBuilder()
            .connectTimeout(Duration.ofSeconds(2))
            .version(HttpClient.Version.HTTP_1_1)
            .build();

    private Path root;
    private Path infraDir;
    private EmbeddedInfrastructure.Endpoints infra;
    private FakeOpenAiServer model;
    private ChildCaravan a;
    private ChildCaravan b;
    private KafkaProbe kafka;
    private RedisClient redisClient;
    private StatefulRedisPubSubConnection<String, String> spy;
    /** Messages seen on the instances' Redis channels: "channel kind" to count. */
    private final Map<String, AtomicInteger> busTraffic = new ConcurrentHashMap<>();
    /** Delta texts per message id, in the order they were published on the instances' Redis channels. */
    private final Map<String, List<String>> busDeltas = new ConcurrentHashMap<>();
    private final List<WsTestClient> clients = new ArrayList<>();

    /** A WebSocket message sent by one test client. */
    private record Sent(WsTestClient client, String chatId, String id, String text) {
    }

    @BeforeAll
    void startTwoInstances() throws Exception {
        long t0 = System.nanoTime();
        root = Files.createTempDirectory("caravan-duo-");
        infraDir = root.resolve("infra");
        infra = EmbeddedInfrastructure.ensureStarted(infraDir, 0, 0, 4);
        log("shared Kafka %s and Redis %s:%d started in %d ms", infra.kafkaBootstrapServers(), infra.redisHost(),
                infra.redisPort(), millisSince(t0));
        model = new FakeOpenAiServer().start().delay(Duration.ofMillis(100));

        int[] ports = ChildCaravan.freePorts(2);
        a = new ChildCaravan("duo-a", root.resolve("a"), ports[0], instanceConfig("duo-a"));
        b = new ChildCaravan("duo-b", root.resolve("b"), ports[1], instanceConfig("duo-b"));
        a.start();
        b.start();
        a.awaitReady(START);
        b.awaitReady(START);
        log("both instances ready after %d ms: %s, %s", millisSince(t0), a, b);

        kafka = new KafkaProbe(infra.kafkaBootstrapServers());
        // both instances must hold partitions of the pipeline's and the WebSocket egress's topics, or nothing
        // would have to cross from one instance to the other
        await("partitions spread over both instances").atMost(WAIT).pollInterval(Duration.ofMillis(250))
                .until(() -> kafka.holders("caravan-pipeline", "caravan.inbound").size() == 2
                        && kafka.holders("caravan-egress", "caravan.outbound.websocket").size() == 2
                        && kafka.holders("caravan-egress", "caravan.outbound.rest").size() == 2);
        log("pipeline partitions %s, websocket egress partitions %s (after %d ms)",
                kafka.holders("caravan-pipeline", "caravan.inbound").values(),
                kafka.holders("caravan-egress", "caravan.outbound.websocket").values(), millisSince(t0));

        redisClient = RedisClient.create(RedisURI.create(infra.redisHost(), infra.redisPort()));
        spy = redisClient.connectPubSub();
        spy.addListener(new RedisPubSubAdapter<>() {
            @Override
            public void message(String pattern, String channel, String message) {
                String kind;
                try {
                    JsonNode node = JSON.readTree(message);
                    kind = node.path("kind").asText("?");
                    if ("delta".equals(kind)) {
                        busDeltas.computeIfAbsent(node.path("delta").path("inReplyTo").asText(),
                                k -> new java.util.concurrent.CopyOnWriteArrayList<>())
                                .add(node.path("delta").path("text").asText());
                    }
                } catch (Exception e) {
                    kind = "unreadable";
                }
                busTraffic.computeIfAbsent(channel + " " + kind, k -> new AtomicInteger()).incrementAndGet();
            }
        });
        spy.sync().psubscribe("caravan:instance:*");
    }

    private static String randomKey() {
        byte[] key = new byte[32];
        new java.security.SecureRandom().nextBytes(key);
        return java.util.Base64.getEncoder().encodeToString(key);
    }

    private Map<String, String> instanceConfig(String id) {
        Map<String, String> config = new LinkedHashMap<>();
        config.put("caravan.embedded.enabled", "false");
        config.put("caravan.kafka.bootstrap-servers", infra.kafkaBootstrapServers());
        config.put("spring.data.redis.host", infra.redisHost());
        config.put("spring.data.redis.port", String.valueOf(infra.redisPort()));
        config.put("caravan.instance.id", id);
        // instances sharing one Redis read each other's encrypted values: one key for all
        config.put("caravan.encryption.key", SHARED_KEY);
        config.put("caravan.storage.path", root.resolve(id).resolve("data").toString());
        config.put("caravan.routes-dir", root.resolve(id).resolve("routes").toString());
        config.put("caravan.kafka.consumer.static-membership", "false");
        config.put("caravan.kafka.consumer.session-timeout", SESSION_TIMEOUT.toSeconds() + "s");
        config.put("caravan.models.providers.openai.base-url", model.baseUrl());
        config.put("caravan.models.providers.openai.api-key", "test-key");
        return config;
    }

    @AfterAll
    void stopEverything() {
        clients.forEach(c -> {
            try {
                c.close();
            } catch (RuntimeException ignored) {
                // the server may be gone
            }
        });
        closeSpy();
        if (redisClient != null) {
            redisClient.shutdown(Duration.ZERO, Duration.ofSeconds(2));
        }
        if (kafka != null) {
            kafka.close();
        }
        if (a != null) {
            a.close();
        }
        if (b != null) {
            b.close();
        }
        if (model != null) {
            model.close();
        }
        if (infraDir != null) {
            EmbeddedInfrastructure.stop(infraDir);
        }
        ChildCaravan.deleteTree(root);
    }

    /** The WebSocket messages of the first tests and the clients that sent them, once they were all answered. */
    private Map<WsTestClient, List<Sent>> conversation;

    /**
     * Six clients, three on each instance, each sending three rounds on four chats of its own; returns once every
     * message was accepted, replied and streamed in full (or fails). Runs once for the tests that look at it.
     */
    private synchronized Map<WsTestClient, List<Sent>> conversation() {
        if (conversation != null) {
            return conversation;
        }
        long t0 = System.nanoTime();
        List<Sent> sent = new ArrayList<>();
        for (ChildCaravan instance : List.of(a, b)) {
            for (int c = 0; c < 3; c++) {
                WsTestClient client = connect(instance);
                for (int chat = 0; chat < 4; chat++) {
                    for (int m = 0; m < 3; m++) {
                        String chatId = "duo-" + instance.httpPort() + "-c" + c + "-chat" + chat;
                        String id = chatId + "-m" + m;
                        sent.add(new Sent(client, chatId, id,
                                "message " + m + " in " + chatId + " held by " + instance));
                    }
                }
            }
        }
        // interleave the sends: one message of every chat, then the next round
        sent.stream().sorted(java.util.Comparator.comparing(s -> s.id().substring(s.id().lastIndexOf('-'))))
                .forEach(s -> s.client().sendMessage(s.chatId(), s.id(), s.text()));

        Map<WsTestClient, List<Sent>> byClient = sent.stream()
                .collect(Collectors.groupingBy(Sent::client, LinkedHashMap::new, Collectors.toList()));
        await("every message accepted, streamed and replied on its own connection").atMost(WAIT)
                .pollInterval(Duration.ofMillis(200))
                .until(() -> byClient.entrySet().stream().allMatch(e -> complete(e.getKey(), e.getValue())));
        log("%d WebSocket messages answered in %d ms; Redis instance-bus traffic: %s", sent.size(),
                millisSince(t0), busTraffic);
        conversation = byClient;
        return conversation;
    }

    @Test
    @Order(1)
    void everyWebSocketMessageIsAcceptedRepliedAndStreamedOnceOnItsOwnConnection() {
        List<String> problems = new ArrayList<>();
        int deltaAfterReply = 0;
        for (var entry : conversation().entrySet()) {
            WsTestClient client = entry.getKey();
            Map<String, Sent> mine = entry.getValue().stream().collect(Collectors.toMap(Sent::id, s -> s));
            Map<String, Integer> accepted = new LinkedHashMap<>();
            Map<String, Integer> replies = new LinkedHashMap<>();
            Map<String, List<String>> streamed = new LinkedHashMap<>();
            for (JsonNode f : client.frames()) {
                String type = f.path("type").asText();
                switch (type) {
                    case "accepted" -> accepted.merge(f.path("id").asText(), 1, Integer::sum);
                    case "reply" -> {
                        String id = f.path("inReplyTo").asText();
                        replies.merge(id, 1, Integer::sum);
                        Sent s = mine.get(id);
                        if (s != null && !f.path("text").asText().equals("echo: " + s.text())) {
                            problems.add("wrong reply text for " + id + ": " + f);
                        }
                    }
                    case "delta" -> {
                        String id = f.path("inReplyTo").asText();
                        if (replies.containsKey(id)) {
                            deltaAfterReply++;
                        }
                        streamed.computeIfAbsent(id, k -> new ArrayList<>()).add(f.path("text").asText());
                    }
                    default -> problems.add("unexpected frame " + f);
                }
            }
            for (String id : mine.keySet()) {
                if (accepted.getOrDefault(id, 0) != 1) {
                    problems.add(id + " accepted " + accepted.getOrDefault(id, 0) + " times");
                }
                if (replies.getOrDefault(id, 0) != 1) {
                    problems.add(id + " replied " + replies.getOrDefault(id, 0) + " times");
                }
                // every character of the answer once, none lost, none doubled: the sending instance may merge
                // fragments queued behind a frame in flight into one frame, and their order is the next test's
                // business, so the frames' characters are compared as a multiset
                String pieces = sortedChars(String.join("", streamed.getOrDefault(id, List.of())));
                String expected = sortedChars("echo: " + mine.get(id).text());
                if (!pieces.equals(expected)) {
                    problems.add(id + " streamed fragments " + streamed.get(id));
                }
            }
            for (String id : union(accepted.keySet(), replies.keySet(), streamed.keySet())) {
                if (!mine.containsKey(id)) {
                    problems.add("a frame about someone else's message " + id + " reached " + client);
                }
            }
        }
        log("deltas that arrived after their reply: %d", deltaAfterReply);
        assertThat(problems).isEmpty();
        assertThat(busCount("caravan:instance:duo-a", "reply"))
                .as("replies for connections on duo-a that went through its Redis channel").isPositive();
        assertThat(busCount("caravan:instance:duo-b", "reply"))
                .as("replies for connections on duo-b that went through its Redis channel").isPositive();
        assertThat(busCount("caravan:instance:duo-a", "delta") + busCount("caravan:instance:duo-b", "delta"))
                .as("deltas handed to the other instance").isPositive();
    }

    @Test
    @Order(2)
    void deltasReachTheClientInTheOrderTheModelStreamedThem() {
        List<String> disordered = new ArrayList<>();
        int crossed = 0;
        for (var entry : conversation().entrySet()) {
            for (Sent s : entry.getValue()) {
                String expected = "echo: " + s.text();
                String streamed = entry.getKey().framesOfType("delta").stream()
                        .filter(f -> s.id().equals(f.path("inReplyTo").asText()))
                        .map(f -> f.path("text").asText()).collect(Collectors.joining());
                List<String> onRedis = busDeltas.get(s.id());
                if (onRedis != null) {
                    crossed++;
                }
                if (!streamed.equals(expected)) {
                    disordered.add(s.id() + ": client got '" + streamed + "'; "
                            + (onRedis == null ? "delivered in-process"
                            : "crossed Redis, in " + (String.join("", onRedis).equals(expected)
                            ? "the right order" : "the wrong order '" + String.join("", onRedis) + "'")
                            + " on the channel"));
                }
            }
        }
        log("deltas of %d messages crossed the Redis bus; %d messages streamed out of order: %s", crossed,
                disordered.size(), disordered);
        // Deltas that crossed Redis in the right order yet reached the client shuffled are reordered by the
        // receiving instance: Spring's RedisMessageListenerContainer hands every pub/sub message to its default
        // SimpleAsyncTaskExecutor, a new thread per message, unless InstanceBus gives it an ordered executor.
        assertThat(disordered).as("messages whose deltas reached the client out of order").isEmpty();
    }

    @Test
    @Order(3)
    void restMessagePostedOnOneInstanceShowsItsReplyOnTheOther() throws Exception {
        long t0 = System.nanoTime();
        Map<String, String> texts = new LinkedHashMap<>();
        for (int i = 0; i < 10; i++) {
            String id = "duo-rest-" + i;
            String text = "rest message " + i;
            String body = JSON.createObjectNode().put("id", id).put("chatId", "duo-rest-chat-" + i)
                    .put("text", text).toString();
            HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(a.uri("/api/v1/messages"))
                    .header("Content-Type", "application/json").timeout(Duration.ofSeconds(30))
                    .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(r.statusCode()).as("POST on %s: %s", a, r.body()).isEqualTo(202);
            texts.put(id, text);
        }
        for (var e : texts.entrySet()) {
            JsonNode answer = await("reply of " + e.getKey() + " readable on " + b).atMost(WAIT)
                    .pollInterval(Duration.ofMillis(200))
                    .until(() -> getJson(b, "/api/v1/messages/" + e.getKey()),
                            n -> n != null && "replied".equals(n.path("status").asText()));
            assertThat(answer.path("reply").path("text").asText()).isEqualTo("echo: " + e.getValue());
        }
        log("10 REST replies posted on %s read on %s in %d ms", a, b, millisSince(t0));
    }

    @Test
    @Order(4)
    void survivorAnswersEveryChatOnceTheKilledInstanceSessionTimesOut() {
        int partitions = kafka.partitions("caravan.inbound");
        // three fresh chats per partition, so the killed instance's partitions certainly get messages
        Map<Integer, List<String>> chatsByPartition = new LinkedHashMap<>();
        for (int i = 0; chatsByPartition.values().stream().mapToInt(List::size).sum() < 3 * partitions; i++) {
            String chatId = "duo-after-kill-" + i;
            int p = KafkaProbe.partitionFor("websocket:" + chatId, partitions);
            List<String> list = chatsByPartition.computeIfAbsent(p, k -> new ArrayList<>());
            if (list.size() < 3) {
                list.add(chatId);
            }
        }
        WsTestClient client = connect(b);
        // our pattern subscription counts as a receiver of PUBLISH: drop it so it cannot change what the
        // survivor decides about replies for the dead instance's channel
        closeSpy();

        long killedAt = System.nanoTime();
        int exit = a.kill();
        assertThat(exit).as("exit value of a SIGKILLed JVM (128 + 9)").isEqualTo(137);
        log("killed %s (exit %d); orphans: %s", a, exit, a.survivorsOfLastKill().stream()
                .map(ChildCaravan::describe).toList());

        Map<String, String> sent = new LinkedHashMap<>();
        chatsByPartition.values().stream().flatMap(List::stream).forEach(chatId -> {
            String id = chatId + "-m0";
            String text = "after the kill in " + chatId;
            client.sendMessage(chatId, id, text);
            sent.put(id, text);
        });
        Map<String, Long> answeredAfter = new ConcurrentHashMap<>();
        await("survivor answers every chat").atMost(SESSION_TIMEOUT.plus(Duration.ofSeconds(30)))
                .pollInterval(Duration.ofMillis(100))
                .until(() -> {
                    for (JsonNode f : client.framesOfType("reply")) {
                        answeredAfter.putIfAbsent(f.path("inReplyTo").asText(), millisSince(killedAt));
                    }
                    return answeredAfter.keySet().containsAll(sent.keySet());
                });
        long last = answeredAfter.values().stream().mapToLong(Long::longValue).max().orElse(0);
        long first = answeredAfter.values().stream().mapToLong(Long::longValue).min().orElse(0);
        log("after the kill: %d messages on %d partitions answered by %s, first after %d ms, last after %d ms "
                        + "(session timeout %d ms); pipeline partitions now %s", sent.size(), partitions, b, first,
                last, SESSION_TIMEOUT.toMillis(), kafka.holders("caravan-pipeline", "caravan.inbound").values());

        List<JsonNode> replies = client.framesOfType("reply");
        System.out.println("CHAOS " + JSON.createObjectNode()
                .put("scenario", "two-instances-kill-one")
                .put("kills", 1)
                .put("accepted", sent.size())
                .put("replied", answeredAfter.size())
                .put("lost", sent.size() - answeredAfter.size())
                .put("duplicated", replies.size() - answeredAfter.size())
                .put("partitions", partitions)
                .put("session_timeout_ms", SESSION_TIMEOUT.toMillis())
                .put("failover_first_reply_ms", first)
                .put("failover_last_reply_ms", last));
        assertThat(replies).hasSize(sent.size());
        for (JsonNode reply : replies) {
            assertThat(reply.path("text").asText()).isEqualTo("echo: " + sent.get(reply.path("inReplyTo").asText()));
        }
        assertThat(b.isAlive()).isTrue();
    }

    private static String sortedChars(String text) {
        char[] chars = text.toCharArray();
        java.util.Arrays.sort(chars);
        return new String(chars);
    }

    private void closeSpy() {
        if (spy != null) {
            spy.close();
            spy = null;
        }
    }

    private WsTestClient connect(ChildCaravan instance) {
        WsTestClient client = WsTestClient.connect(instance.baseUrl());
        clients.add(client);
        return client;
    }

    /** Whether a client got the accepted frame, the whole streamed text and the reply of each of its messages. */
    private static boolean complete(WsTestClient client, List<Sent> sent) {
        List<JsonNode> frames = client.frames();
        for (Sent s : sent) {
            String expected = "echo: " + s.text();
            boolean accepted = frames.stream().anyMatch(f -> "accepted".equals(f.path("type").asText())
                    && s.id().equals(f.path("id").asText()));
            boolean replied = frames.stream().anyMatch(f -> "reply".equals(f.path("type").asText())
                    && s.id().equals(f.path("inReplyTo").asText()));
            String streamed = frames.stream().filter(f -> "delta".equals(f.path("type").asText())
                            && s.id().equals(f.path("inReplyTo").asText()))
                    .map(f -> f.path("text").asText()).collect(Collectors.joining());
            if (!accepted || !replied || streamed.length() < expected.length()) {
                return false;
            }
        }
        return true;
    }

    private int busCount(String channel, String kind) {
        AtomicInteger n = busTraffic.get(channel + " " + kind);
        return n == null ? 0 : n.get();
    }

    @SafeVarargs
    private static java.util.Set<String> union(java.util.Set<String>... sets) {
        java.util.Set<String> all = new java.util.LinkedHashSet<>();
        for (var s : sets) {
            all.addAll(s);
        }
        return all;
    }

    private static JsonNode getJson(ChildCaravan instance, String path) {
        try {
            HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(instance.uri(path)).GET()
                    .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
            return r.statusCode() == 200 ? JSON.readTree(r.body()) : null;
        } catch (Exception e) {
            return null;
        }
    }

    private static long millisSince(long nanos) {
        return (System.nanoTime() - nanos) / 1_000_000;
    }

    private static void log(String format, Object... args) {
        System.out.println("[TwoInstancesTest] " + String.format(format, args));
    }
}
