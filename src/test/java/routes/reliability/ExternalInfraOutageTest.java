package routes.reliability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
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
    private static final int WEBSOCKET_CHATS = 4;
    private static final int TELEGRAM_CHATS = 8;
    private static final int PER_CHAT = 8;
    /** Pause between two messages of one chat, so the flow lasts through both outages. */
    private static final Duration PACE = Duration.ofMillis(1500);
    private static final Duration START = Duration.ofSeconds(180);
    private static final ObjectMapper JSON = new ObjectMapper();

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
        SteadyFlow flow = new SteadyFlow(caravan, telegram, "outage", CHATS, TELEGRAM_CHATS, WEBSOCKET_CHATS, PER_CHAT, PACE)
                .start(Duration.ofSeconds(300), 770_000);
        await("the flow under way").atMost(Duration.ofSeconds(60)).until(() -> model.requestCount() >= 20);

        // ---- Kafka goes away (SIGKILL) and comes back on the same data
        int refusedBefore = flow.refused();
        long kafkaDown = System.nanoTime();
        kafka.kill();
        log("Kafka broker killed at %d ms (%d model calls so far)", millisSince(t0), model.requestCount());
        long kafkaUnhealthyAfter = caravan.awaitHealth(false, Duration.ofSeconds(60));
        await("a refusal while Kafka is down").atMost(Duration.ofSeconds(90)).until(() -> flow.refused() > refusedBefore);
        int refusedDuringKafka = flow.refused() - refusedBefore;
        kafka.start(START);
        long kafkaBack = System.nanoTime();
        long kafkaHealthyAfter = caravan.awaitHealth(true, Duration.ofSeconds(120));
        log("Kafka: unhealthy %d ms after the kill, %d refusals (503), healthy again %d ms after the broker was back",
                kafkaUnhealthyAfter, refusedDuringKafka, kafkaHealthyAfter);
        long kafkaOutageMs = (kafkaBack - kafkaDown) / 1_000_000;

        // ---- Redis goes away and comes back on the same data and port
        int callsWithKafkaBack = model.requestCount();
        await("the flow under way again").atMost(Duration.ofSeconds(60))
                .until(() -> model.requestCount() >= callsWithKafkaBack + 5);
        int refusedBeforeRedis = flow.refused();
        long redisDown = System.nanoTime();
        redis.close();
        log("Redis stopped at %d ms", millisSince(t0));
        long redisUnhealthyAfter = caravan.awaitHealth(false, Duration.ofSeconds(60));
        redis = EmbeddedRedis.start(root.resolve("redis"), ports[3]);
        long redisBack = System.nanoTime();
        long redisHealthyAfter = caravan.awaitHealth(true, Duration.ofSeconds(120));
        int refusedDuringRedis = flow.refused() - refusedBeforeRedis;
        log("Redis: unhealthy %d ms after the stop, %d refusals, healthy again %d ms after the server was back",
                redisUnhealthyAfter, refusedDuringRedis, redisHealthyAfter);
        long redisOutageMs = (redisBack - redisDown) / 1_000_000;

        // ---- everything accepted, everything answered once
        probe = new KafkaProbe(kafka.bootstrapServers());
        SteadyFlow.Tally tally = flow.finish(probe, Duration.ofSeconds(120));
        assertThat(tally.accepted()).isEqualTo((CHATS + TELEGRAM_CHATS + WEBSOCKET_CHATS) * PER_CHAT);
        System.out.println("CHAOS " + JSON.createObjectNode()
                .put("scenario", "external-kafka-redis-outages")
                .put("kills", 1)
                .put("accepted", tally.accepted())
                .put("replied", tally.replied())
                .put("lost", tally.lost())
                .put("duplicated", tally.duplicated())
                .put("duplicate_reply_records", tally.duplicateReplyRecords())
                .put("kafka_outage_ms", kafkaOutageMs)
                .put("kafka_unhealthy_after_ms", kafkaUnhealthyAfter)
                .put("kafka_healthy_after_ms", kafkaHealthyAfter)
                .put("refused_during_kafka_outage", refusedDuringKafka)
                .put("redis_outage_ms", redisOutageMs)
                .put("redis_unhealthy_after_ms", redisUnhealthyAfter)
                .put("redis_healthy_after_ms", redisHealthyAfter)
                .put("refused_during_redis_outage", refusedDuringRedis)
                .putPOJO("answers", tally.answers())
                .put("model_calls", model.requestCount())
                .put("total_ms", millisSince(t0)));

        assertThat(refusedDuringKafka).as("webhooks and REST refused with 503 while Kafka was down").isPositive();
        assertThat(flow.onlyAcceptedOrRefused()).as("answers other than accepted, 503 or no connection: %s",
                tally.answers()).isTrue();
        assertThat(tally.wrong()).as("replies lost, doubled, out of order or not answering their message").isEmpty();
        assertThat(tally.lost()).as("accepted messages never answered").isZero();
        assertThat(tally.duplicated()).as("messages answered more than once").isZero();
    }

    private static long millisSince(long nanos) {
        return (System.nanoTime() - nanos) / 1_000_000;
    }

    private static void log(String format, Object... args) {
        System.out.println("[ExternalInfraOutageTest] " + String.format(format, args));
    }
}
