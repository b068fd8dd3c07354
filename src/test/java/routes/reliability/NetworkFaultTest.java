package routes.reliability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
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
 * The network between Caravan and what it depends on misbehaves: a {@link FaultProxy} sits between the gateway and
 * each of the Kafka broker (which advertises the proxy's port, so every broker connection crosses it), Redis and
 * the model provider, and in turn adds latency, resets every connection and holds all bytes back for a while
 * (a partition), in the middle of a steady flow of REST messages and Telegram webhook updates. Every accepted
 * message must still be answered exactly once, in order per chat (by the fallback provider, reached directly,
 * while the first one's link is broken); what the gateway cannot store meanwhile it refuses with 503 (never 500),
 * and it never stops.
 */
@Timeout(value = 600, unit = TimeUnit.SECONDS)
class NetworkFaultTest {

    private static final int CHATS = 12;
    private static final int WEBSOCKET_CHATS = 4;
    private static final int TELEGRAM_CHATS = 8;
    private static final int PER_CHAT = 30;
    private static final Duration PACE = Duration.ofMillis(1500);
    private static final Duration START = Duration.ofSeconds(180);
    /** How long each fault lasts. */
    private static final Duration SPELL = Duration.ofSeconds(6);
    private static final ObjectMapper JSON = new ObjectMapper();

    private Path root;
    private FaultProxy kafkaProxy;
    private FaultProxy redisProxy;
    private FaultProxy modelProxy;
    private KafkaBrokerProcess kafka;
    private EmbeddedRedis redis;
    private FakeOpenAiServer model;
    private FakeOpenAiServer backup;
    private FakeTelegramServer telegram;
    private ChildCaravan caravan;
    private KafkaProbe probe;

    @AfterEach
    void stopEverything() {
        ChildCaravan.closeAll("NetworkFaultTest", root, probe, caravan, kafkaProxy, redisProxy, modelProxy, redis, kafka,
                model, backup, telegram);
    }

    @Test
    void latencyResetsAndPartitionsOnEveryLinkLoseAndDoubleNothing() throws Exception {
        long t0 = System.nanoTime();
        root = Files.createTempDirectory("caravan-netfault-");
        int[] ports = ChildCaravan.freePorts(5);
        kafkaProxy = new FaultProxy("kafka", ports[4], ports[1]);
        kafka = new KafkaBrokerProcess(root.resolve("kafka"), ports[1], ports[2], kafkaProxy.port()).start(START);
        redis = EmbeddedRedis.start(root.resolve("redis"), ports[3]);
        redisProxy = new FaultProxy("redis", 0, ports[3]);
        AtomicInteger answers = new AtomicInteger();
        model = new FakeOpenAiServer().start().delay(Duration.ofMillis(100))
                .replyWith(request -> FakeOpenAiServer.echoReply(request) + " #" + answers.incrementAndGet());
        modelProxy = new FaultProxy("model", 0, model.port());
        // the fallback provider, reached directly: what answers while the link to the first one is broken
        backup = new FakeOpenAiServer().start().delay(Duration.ofMillis(100))
                .replyWith(request -> FakeOpenAiServer.echoReply(request) + " #" + answers.incrementAndGet());
        telegram = FakeTelegramServer.start();

        Map<String, String> config = new LinkedHashMap<>();
        config.put("caravan.embedded.enabled", "false");
        config.put("caravan.kafka.bootstrap-servers", kafka.bootstrapServers());
        config.put("spring.data.redis.host", "127.0.0.1");
        config.put("spring.data.redis.port", String.valueOf(redisProxy.port()));
        config.put("caravan.instance.id", "netfault-a");
        config.put("caravan.storage.path", root.resolve("caravan").resolve("data").toString());
        config.put("caravan.routes-dir", root.resolve("caravan").resolve("routes").toString());
        config.put("caravan.models.providers.openai.base-url", "http://127.0.0.1:" + modelProxy.port() + "/v1");
        config.put("caravan.models.providers.openai.api-key", "test-key");
        // a call that gets no bytes back gives up soon, so the chain falls back while the link is partitioned
        config.put("caravan.models.providers.openai.timeout", "3s");
        config.put("caravan.models.providers.openai.connect-timeout", "2s");
        config.put("caravan.models.providers.backup.type", "openai");
        config.put("caravan.models.providers.backup.base-url", backup.baseUrl());
        config.put("caravan.models.providers.backup.api-key", "test-key");
        config.put("caravan.models.profiles.general.chain[0].provider", "openai");
        config.put("caravan.models.profiles.general.chain[0].model", FakeOpenAiServer.MODEL_ID);
        config.put("caravan.models.profiles.general.chain[1].provider", "backup");
        config.put("caravan.models.profiles.general.chain[1].model", FakeOpenAiServer.MODEL_ID);
        ClientTraffic.configure(config, telegram);
        caravan = new ChildCaravan("network-faults", root.resolve("caravan"), ports[0], config);
        caravan.start().awaitReady(START);
        log("Caravan ready after %d ms, through %s, %s, %s", millisSince(t0), kafkaProxy, redisProxy, modelProxy);

        SteadyFlow flow = new SteadyFlow(caravan, telegram, "netfault", CHATS, TELEGRAM_CHATS, WEBSOCKET_CHATS, PER_CHAT, PACE)
                .start(Duration.ofSeconds(420), 880_000);
        await("the flow under way").atMost(Duration.ofSeconds(60)).until(() -> modelCalls() >= 20);

        ArrayNode faults = JSON.createArrayNode();
        for (FaultProxy link : new FaultProxy[] {modelProxy, redisProxy, kafkaProxy}) {
            fault(faults, flow, link, "latency 300 ms", SPELL, () -> link.latency(Duration.ofMillis(300)),
                    () -> link.latency(Duration.ZERO));
            fault(faults, flow, link, "reset every connection", Duration.ZERO, link::resetAll, () -> { });
            fault(faults, flow, link, "partition", SPELL, link::partition, link::heal);
            fault(faults, flow, link, "reset every connection", Duration.ZERO, link::resetAll, () -> { });
        }
        long healthyAfter = caravan.awaitHealth(true, Duration.ofSeconds(120));
        assertThat(caravan.isAlive()).isTrue();

        probe = new KafkaProbe(kafka.bootstrapServers());
        SteadyFlow.Tally tally = flow.finish(probe, Duration.ofSeconds(240));
        System.out.println("CHAOS " + JSON.createObjectNode()
                .put("scenario", "network-faults")
                .put("kills", 0)
                .put("accepted", tally.accepted())
                .put("replied", tally.replied())
                .put("lost", tally.lost())
                .put("duplicated", tally.duplicated())
                .put("duplicate_reply_records", tally.duplicateReplyRecords())
                .put("healthy_after_faults_ms", healthyAfter)
                .<com.fasterxml.jackson.databind.node.ObjectNode>set("faults", faults)
                .putPOJO("answers", tally.answers())
                .put("model_calls", model.requestCount())
                .put("fallback_calls", backup.requestCount())
                .put("total_ms", millisSince(t0)));

        assertThat(flow.onlyAcceptedOrRefused()).as("answers other than accepted, 503 or no connection: %s",
                tally.answers()).isTrue();
        assertThat(tally.wrong()).as("replies lost, doubled, out of order or not answering their message").isEmpty();
        assertThat(tally.lost()).as("accepted messages never answered").isZero();
        assertThat(tally.duplicated()).as("messages answered more than once").isZero();
    }

    /** Applies a fault for {@code spell}, lifts it, and notes what the flow met until it was flowing again. */
    private void fault(ArrayNode faults, SteadyFlow flow, FaultProxy link, String what, Duration spell,
            Runnable apply, Runnable lift) throws InterruptedException {
        int refusedBefore = flow.refused();
        int acceptedBefore = flow.accepted();
        int callsBefore = modelCalls();
        int connectionsBefore = link.connections();
        long begin = System.nanoTime();
        apply.run();
        // the fault's length: nothing to wait for, the flow meets it meanwhile
        TimeUnit.MILLISECONDS.sleep(spell.toMillis());
        lift.run();
        // the flow goes on once the link is well again: a few more messages accepted and answered
        await("the flow under way after " + what + " on " + link).atMost(Duration.ofSeconds(90))
                .pollInterval(Duration.ofMillis(200))
                .until(() -> flow.accepted() >= acceptedBefore + 5 && modelCalls() >= callsBefore + 5);
        long recovered = millisSince(begin) - spell.toMillis();
        faults.addObject()
                .put("link", link.toString().split(" ")[0])
                .put("fault", what)
                .put("spell_ms", spell.toMillis())
                .put("accepted_meanwhile", flow.accepted() - acceptedBefore)
                .put("refused_meanwhile", flow.refused() - refusedBefore)
                .put("new_connections", link.connections() - connectionsBefore)
                .put("flowing_again_after_ms", recovered);
        log("%s on %s: %s", what, link, faults.get(faults.size() - 1));
    }

    private int modelCalls() {
        return model.requestCount() + backup.requestCount();
    }

    private static long millisSince(long nanos) {
        return (System.nanoTime() - nanos) / 1_000_000;
    }

    private static void log(String format, Object... args) {
        System.out.println("[NetworkFaultTest] " + String.format(format, args));
    }
}
