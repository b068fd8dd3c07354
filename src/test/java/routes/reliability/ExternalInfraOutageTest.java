package routes.reliability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
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
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import routes.envelope.Envelope;
import routes.envelope.EnvelopeCodec;
import routes.infra.EmbeddedRedis;
import routes.support.FakeOpenAiServer;
import routes.support.fakes.FakeTelegramServer;

/**
 * Caravan against a Kafka broker and a Redis server that run as processes of their own (external mode), each taken
 * away in the middle of a steady flow of REST messages and Telegram webhook updates and brought back: while one is
 * down the gateway reports itself unhealthy and refuses what it cannot store durably (webhooks get 503, so the
 * platform delivers again; REST clients get 503 and retry), and once it is back every accepted message is answered
 * exactly once.
 *
 * <p>The Kafka broker is killed with SIGKILL and started again on the same data; Redis is stopped and started
 * again on the same data and port. Figures go to standard output as one {@code CHAOS {json}} line.
 */
@Timeout(value = 600, unit = TimeUnit.SECONDS)
class ExternalInfraOutageTest {

    private static final int CHATS = 12;
    private static final int TELEGRAM_CHATS = 8;
    private static final int PER_CHAT = 8;
    /** Pause between two messages of one chat, so the flow lasts through both outages. */
    private static final Duration PACE = Duration.ofMillis(1500);
    private static final Duration START = Duration.ofSeconds(180);
    private static final String OUTBOUND = "caravan.outbound.rest";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newBuilder()
            .connectTimeout(Duration.ofSeconds(2))
            .version(HttpClient.Version.HTTP_1_1)
            .build();

    private Path root;
    private KafkaBrokerProcess kafka;
    private EmbeddedRedis redis;
    private FakeOpenAiServer model;
    private FakeTelegramServer telegram;
    private ChildCaravan caravan;
    private KafkaProbe probe;

    @AfterEach
    void stopEverything() {
        if (probe != null) {
            probe.close();
        }
        if (caravan != null) {
            caravan.close();
        }
        if (redis != null) {
            redis.close();
        }
        if (kafka != null) {
            kafka.close();
        }
        if (model != null) {
            model.close();
        }
        if (telegram != null) {
            telegram.close();
        }
        ChildCaravan.deleteTree(root);
    }

    @Test
    void kafkaAndRedisOutagesAreReportedRefusedAndRecoveredWithNothingLostOrDoubled() throws Exception {
        long t0 = System.nanoTime();
        root = Files.createTempDirectory("caravan-outage-");
        int[] ports = ChildCaravan.freePorts(4);
        kafka = new KafkaBrokerProcess(root.resolve("kafka"), ports[1], ports[2]).start(START);
        redis = EmbeddedRedis.start(root.resolve("redis"), ports[3]);
        log("Kafka broker process on %s, Redis process on %d, after %d ms", kafka.bootstrapServers(), ports[3],
                millisSince(t0));
        AtomicInteger answers = new AtomicInteger();
        model = new FakeOpenAiServer().start().delay(Duration.ofMillis(200))
                .replyWith(request -> FakeOpenAiServer.echoReply(request) + " #" + answers.incrementAndGet());
        telegram = FakeTelegramServer.start();

        Map<String, String> config = new LinkedHashMap<>();
        config.put("caravan.embedded.enabled", "false");
        config.put("caravan.kafka.bootstrap-servers", kafka.bootstrapServers());
        config.put("spring.data.redis.host", "127.0.0.1");
        config.put("spring.data.redis.port", String.valueOf(ports[3]));
        config.put("caravan.instance.id", "outage-a");
        config.put("caravan.storage.path", root.resolve("caravan").resolve("data").toString());
        config.put("caravan.routes-dir", root.resolve("caravan").resolve("routes").toString());
        config.put("caravan.models.providers.openai.base-url", model.baseUrl());
        config.put("caravan.models.providers.openai.api-key", "test-key");
        ClientTraffic.configure(config, telegram);
        caravan = new ChildCaravan("external-infra", root.resolve("caravan"), ports[0], config);
        caravan.start().awaitReady(START);
        log("Caravan ready after %d ms", millisSince(t0));

        // ---- the steady flow: every chat sends its messages one after another, PACE apart, each until accepted
        Map<String, AtomicInteger> statuses = new ConcurrentHashMap<>();
        Set<String> restAccepted = ConcurrentHashMap.newKeySet();
        Map<String, List<String>> telegramPlan = new LinkedHashMap<>();
        Set<Long> telegramAccepted = ConcurrentHashMap.newKeySet();
        long deadline = System.nanoTime() + Duration.ofSeconds(300).toNanos();
        List<CompletableFuture<Void>> chains = new ArrayList<>();
        Map<String, String> restTexts = new LinkedHashMap<>();
        for (int c = 0; c < CHATS; c++) {
            String chatId = "outage-chat-" + c;
            CompletableFuture<Void> chain = CompletableFuture.completedFuture(null);
            for (int m = 0; m < PER_CHAT; m++) {
                String id = chatId + "-m" + m;
                String body = JSON.createObjectNode().put("id", id).put("chatId", chatId).put("senderId", "tester")
                        .put("text", "message " + m + " of " + chatId).toString();
                restTexts.put(id, "message " + m + " of " + chatId);
                chain = chain.thenCompose(ignored -> paced())
                        .thenCompose(ignored -> post("/api/v1/messages", Map.of(), body, 202, deadline, statuses))
                        .thenRun(() -> restAccepted.add(id));
            }
            chains.add(chain);
        }
        for (int c = 0; c < TELEGRAM_CHATS; c++) {
            long chatId = 770_000 + c;
            List<String> texts = new ArrayList<>();
            CompletableFuture<Void> chain = CompletableFuture.completedFuture(null);
            for (int m = 0; m < PER_CHAT; m++) {
                String text = "update " + m + " of " + chatId;
                texts.add(text);
                JsonNode update = telegram.privateText(chatId, text);
                long updateId = update.path("update_id").asLong();
                chain = chain.thenCompose(ignored -> paced())
                        .thenCompose(ignored -> post("/webhooks/telegram", ClientTraffic.telegramHeaders(),
                                update.toString(), 200, deadline, statuses))
                        .thenRun(() -> telegramAccepted.add(updateId));
            }
            telegramPlan.put(Long.toString(chatId), texts);
            chains.add(chain);
        }
        CompletableFuture<Void> allPosted = CompletableFuture.allOf(chains.toArray(CompletableFuture[]::new));
        await("the flow under way").atMost(Duration.ofSeconds(60)).until(() -> model.requestCount() >= 20);

        // ---- Kafka goes away (SIGKILL) and comes back on the same data
        int refusedBefore = refused(statuses);
        long kafkaDown = System.nanoTime();
        kafka.kill();
        log("Kafka broker killed at %d ms (%d model calls so far)", millisSince(t0), model.requestCount());
        long kafkaUnhealthyAfter = awaitHealth(false, Duration.ofSeconds(60));
        await("a refusal while Kafka is down").atMost(Duration.ofSeconds(90)).until(() -> refused(statuses) > refusedBefore);
        int refusedDuringKafka = refused(statuses) - refusedBefore;
        kafka.start(START);
        long kafkaBack = System.nanoTime();
        long kafkaHealthyAfter = awaitHealth(true, Duration.ofSeconds(120));
        log("Kafka: unhealthy %d ms after the kill, %d refusals (503), healthy again %d ms after the broker was back",
                kafkaUnhealthyAfter, refusedDuringKafka, kafkaHealthyAfter);
        long kafkaOutageMs = (kafkaBack - kafkaDown) / 1_000_000;

        // ---- Redis goes away and comes back on the same data and port
        int callsWithKafkaBack = model.requestCount();
        await("the flow under way again").atMost(Duration.ofSeconds(60))
                .until(() -> model.requestCount() >= callsWithKafkaBack + 5);
        int refusedBeforeRedis = refused(statuses);
        long redisDown = System.nanoTime();
        redis.close();
        log("Redis stopped at %d ms", millisSince(t0));
        long redisUnhealthyAfter = awaitHealth(false, Duration.ofSeconds(60));
        redis = EmbeddedRedis.start(root.resolve("redis"), ports[3]);
        long redisBack = System.nanoTime();
        long redisHealthyAfter = awaitHealth(true, Duration.ofSeconds(120));
        int refusedDuringRedis = refused(statuses) - refusedBeforeRedis;
        log("Redis: unhealthy %d ms after the stop, %d refusals, healthy again %d ms after the server was back",
                redisUnhealthyAfter, refusedDuringRedis, redisHealthyAfter);
        long redisOutageMs = (redisBack - redisDown) / 1_000_000;

        // ---- everything accepted, everything answered once
        allPosted.get(300, TimeUnit.SECONDS);
        assertThat(restAccepted).hasSize(CHATS * PER_CHAT);
        assertThat(telegramAccepted).hasSize(TELEGRAM_CHATS * PER_CHAT);
        Map<String, String> restReplies = new ConcurrentHashMap<>();
        await("every REST message replied").atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(500))
                .until(() -> {
                    for (String id : restAccepted) {
                        if (!restReplies.containsKey(id)) {
                            replyOf(id).ifPresent(text -> restReplies.put(id, text));
                        }
                    }
                    return restReplies.size() == restAccepted.size();
                });
        await("every Telegram update answered").atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(500))
                .until(() -> telegramPlan.keySet().stream().allMatch(chat -> telegram.shown(chat).size() >= PER_CHAT));
        probe = new KafkaProbe(kafka.bootstrapServers());
        await("pipeline and egress caught up").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(250))
                .until(() -> probe.caughtUp("caravan-pipeline", "caravan.inbound")
                        && probe.caughtUp("caravan-egress", OUTBOUND));

        // a reply published twice (a send that timed out while the broker was away may still have been written) is
        // fine as long as the person sees one: the one shown must be the first record of its message
        Map<String, List<String>> replyRecords = new LinkedHashMap<>();
        for (ConsumerRecord<String, byte[]> record : probe.readAll(OUTBOUND, Duration.ofSeconds(30))) {
            Envelope reply = EnvelopeCodec.decode(record.value());
            replyRecords.computeIfAbsent(reply.inReplyTo(), k -> new ArrayList<>()).add(reply.text());
        }
        List<String> restShownNotFirst = restReplies.entrySet().stream()
                .filter(e -> replyRecords.containsKey(e.getKey())
                        && !replyRecords.get(e.getKey()).get(0).equals(e.getValue()))
                .map(e -> e.getKey() + " shows '" + e.getValue() + "' of " + replyRecords.get(e.getKey()))
                .sorted().toList();
        List<String> wrongRest = restReplies.entrySet().stream()
                .filter(e -> !e.getValue().startsWith("echo: " + restTexts.get(e.getKey()) + " #"))
                .map(e -> e.getKey() + "=" + e.getValue()).sorted().toList();
        ClientTraffic.TelegramTally telegramSeen = ClientTraffic.TelegramTally.of(telegram, telegramPlan);
        int duplicateRecords = replyRecords.values().stream().mapToInt(l -> l.size() - 1).sum();
        int accepted = restAccepted.size() + telegramAccepted.size();
        int lost = restAccepted.size() - restReplies.size() + telegramSeen.lost();
        System.out.println("CHAOS " + JSON.createObjectNode()
                .put("scenario", "external-kafka-redis-outages")
                .put("kills", 1)
                .put("accepted", accepted)
                .put("replied", accepted - lost)
                .put("lost", lost)
                .put("duplicated", restShownNotFirst.size() + telegramSeen.duplicated())
                .put("duplicate_reply_records", duplicateRecords)
                .put("kafka_outage_ms", kafkaOutageMs)
                .put("kafka_unhealthy_after_ms", kafkaUnhealthyAfter)
                .put("kafka_healthy_after_ms", kafkaHealthyAfter)
                .put("refused_during_kafka_outage", refusedDuringKafka)
                .put("redis_outage_ms", redisOutageMs)
                .put("redis_unhealthy_after_ms", redisUnhealthyAfter)
                .put("redis_healthy_after_ms", redisHealthyAfter)
                .put("refused_during_redis_outage", refusedDuringRedis)
                .putPOJO("answers", statuses.entrySet().stream()
                        .collect(java.util.stream.Collectors.toMap(Map.Entry::getKey, e -> e.getValue().get())))
                .put("model_calls", model.requestCount())
                .put("total_ms", millisSince(t0)));

        assertThat(refusedDuringKafka).as("webhooks and REST refused with 503 while Kafka was down").isPositive();
        assertThat(statuses.keySet()).as("answers other than accepted, 503 or no connection")
                .allMatch(s -> s.endsWith(" 200") || s.endsWith(" 202") || s.endsWith(" 503") || s.endsWith(" -1"));
        assertThat(wrongRest).as("REST replies not answering their message").isEmpty();
        assertThat(replyRecords.keySet()).as("reply records on " + OUTBOUND)
                .containsExactlyInAnyOrderElementsOf(restAccepted);
        assertThat(restShownNotFirst).as("REST messages whose reply was delivered again").isEmpty();
        assertThat(telegramSeen.lost()).as("Telegram updates never answered").isZero();
        assertThat(telegramSeen.duplicated()).as("Telegram updates answered more than once").isZero();
        assertThat(telegramSeen.wrong()).as("Telegram chats whose replies do not answer their updates in order")
                .isEmpty();
    }

    private static CompletableFuture<Void> paced() {
        return CompletableFuture.runAsync(() -> { },
                CompletableFuture.delayedExecutor(PACE.toMillis(), TimeUnit.MILLISECONDS));
    }

    /** Posts until accepted (see {@link ClientTraffic#postUntil}), counting every answer by path and status. */
    private CompletableFuture<Void> post(String path, Map<String, String> headers, String body, int accepted,
            long deadline, Map<String, AtomicInteger> statuses) {
        return ClientTraffic.postUntil(caravan.uri(path), headers, body, accepted, deadline,
                status -> statuses.computeIfAbsent(path + " " + status, k -> new AtomicInteger()).incrementAndGet());
    }

    private static int refused(Map<String, AtomicInteger> statuses) {
        return statuses.entrySet().stream().filter(e -> e.getKey().endsWith(" 503"))
                .mapToInt(e -> e.getValue().get()).sum();
    }

    /** Waits until {@code /actuator/health} says UP (or anything else, for {@code up = false}); millis waited. */
    private long awaitHealth(boolean up, Duration timeout) {
        long begin = System.nanoTime();
        await(up ? "healthy" : "unhealthy").atMost(timeout).pollInterval(Duration.ofMillis(200))
                .until(() -> healthUp() == up);
        return millisSince(begin);
    }

    private boolean healthUp() {
        try {
            HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(caravan.uri("/actuator/health"))
                    .timeout(Duration.ofSeconds(5)).GET().build(), HttpResponse.BodyHandlers.ofString());
            return r.statusCode() == 200 && r.body().contains("\"status\":\"UP\"");
        } catch (java.io.IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private java.util.Optional<String> replyOf(String id) {
        try {
            HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(caravan.uri("/api/v1/messages/" + id))
                    .timeout(Duration.ofSeconds(5)).GET().build(), HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() != 200) {
                return java.util.Optional.empty();
            }
            JsonNode answer = JSON.readTree(r.body());
            return "replied".equals(answer.path("status").asText())
                    ? java.util.Optional.of(answer.path("reply").path("text").asText())
                    : java.util.Optional.empty();
        } catch (java.io.IOException e) {
            return java.util.Optional.empty();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return java.util.Optional.empty();
        }
    }

    private static long millisSince(long nanos) {
        return (System.nanoTime() - nanos) / 1_000_000;
    }

    private static void log(String format, Object... args) {
        System.out.println("[ExternalInfraOutageTest] " + String.format(format, args));
    }
}
