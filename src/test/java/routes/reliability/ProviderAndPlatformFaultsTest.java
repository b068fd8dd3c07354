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
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import routes.infra.EmbeddedRedis;
import routes.support.FakeOpenAiServer;
import routes.support.fakes.FakeTelegramServer;

/**
 * The model provider and the platform misbehave under a steady flow of REST messages and Telegram webhook updates:
 * the provider answers 500, 429 with Retry-After, hangs, sends malformed JSON, cuts streams short and slows down;
 * Telegram answers 502 and 429 or nothing at all for some chats and refuses every reply to one chat for good. Every message of the
 * flow is still answered once, in order, by retry or by the fallback provider; the refused replies wait in the
 * DLQ with their reason, and re-driving them from the admin API delivers each once the platform takes them.
 */
@Timeout(value = 600, unit = TimeUnit.SECONDS)
class ProviderAndPlatformFaultsTest {

    private static final int CHATS = 10;
    private static final int WEBSOCKET_CHATS = 4;
    private static final int TELEGRAM_CHATS = 6;
    private static final int PER_CHAT = 45;
    private static final Duration PACE = Duration.ofMillis(1000);
    private static final Duration START = Duration.ofSeconds(180);
    private static final long TELEGRAM_BASE = 990_000;
    /** The chat whose every reply Telegram refuses until the re-drive. */
    private static final long REFUSED_CHAT = 991_000;
    private static final int REFUSED_MESSAGES = 4;
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newBuilder()
            .connectTimeout(Duration.ofSeconds(2))
            .version(HttpClient.Version.HTTP_1_1)
            .build();

    private Path root;
    private KafkaBrokerProcess kafka;
    private EmbeddedRedis redis;
    private FakeOpenAiServer model;
    private FakeOpenAiServer backup;
    private FakeTelegramServer telegram;
    private ChildCaravan caravan;
    private KafkaProbe probe;

    @AfterEach
    void stopEverything() {
        ChildCaravan.closeAll("ProviderAndPlatformFaultsTest", root, probe, caravan, redis, kafka, model, backup,
                telegram);
    }

    @Test
    void repliesArriveThroughProviderAndPlatformFaultsAndTheDlqRedrivesWhatWasRefused() throws Exception {
        long t0 = System.nanoTime();
        root = Files.createTempDirectory("caravan-faults-");
        int[] ports = ChildCaravan.freePorts(4);
        kafka = new KafkaBrokerProcess(root.resolve("kafka"), ports[1], ports[2]).start(START);
        redis = EmbeddedRedis.start(root.resolve("redis"), ports[3]);
        AtomicInteger answers = new AtomicInteger();
        model = new FakeOpenAiServer().start().delay(Duration.ofMillis(100))
                .replyWith(request -> FakeOpenAiServer.echoReply(request) + " #" + answers.incrementAndGet());
        backup = new FakeOpenAiServer().start().delay(Duration.ofMillis(100))
                .replyWith(request -> FakeOpenAiServer.echoReply(request) + " #" + answers.incrementAndGet());
        telegram = FakeTelegramServer.start();

        Map<String, String> config = new LinkedHashMap<>();
        config.put("caravan.embedded.enabled", "false");
        config.put("caravan.kafka.bootstrap-servers", kafka.bootstrapServers());
        config.put("spring.data.redis.host", "127.0.0.1");
        config.put("spring.data.redis.port", String.valueOf(ports[3]));
        config.put("caravan.instance.id", "faults-a");
        config.put("caravan.storage.path", root.resolve("caravan").resolve("data").toString());
        config.put("caravan.routes-dir", root.resolve("caravan").resolve("routes").toString());
        config.put("caravan.models.providers.openai.base-url", model.baseUrl());
        config.put("caravan.models.providers.openai.api-key", "test-key");
        config.put("caravan.models.providers.openai.timeout", "3s");
        // the circuit opens on the faults, as it should; a short open spell lets the next faults reach the provider
        config.put("caravan.models.providers.openai.circuit-breaker.open-duration", "2s");
        config.put("caravan.models.providers.backup.type", "openai");
        config.put("caravan.models.providers.backup.base-url", backup.baseUrl());
        config.put("caravan.models.providers.backup.api-key", "test-key");
        config.put("caravan.models.profiles.general.chain[0].provider", "openai");
        config.put("caravan.models.profiles.general.chain[0].model", FakeOpenAiServer.MODEL_ID);
        config.put("caravan.models.profiles.general.chain[1].provider", "backup");
        config.put("caravan.models.profiles.general.chain[1].model", FakeOpenAiServer.MODEL_ID);
        config.put("caravan.channels.retry-delay", "200ms");
        ClientTraffic.configure(config, telegram);
        // a Bot API call that gets no answer gives up after 2 s and is tried again
        config.put("caravan.channels.telegram.request-timeout", "2s");
        caravan = new ChildCaravan("provider-platform-faults", root.resolve("caravan"), ports[0], config);
        caravan.start().awaitReady(START);
        log("Caravan ready after %d ms", millisSince(t0));

        // one chat whose replies Telegram refuses for good ("chat not found"), until the re-drive
        String refusedChat = Long.toString(REFUSED_CHAT);
        telegram.failNextSend(refusedChat, REFUSED_MESSAGES, 400, "Bad Request: chat not found", null);
        List<String> refusedTexts = new ArrayList<>();
        CompletableFuture<Void> refusedPosted = CompletableFuture.completedFuture(null);
        long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
        for (int m = 0; m < REFUSED_MESSAGES; m++) {
            String text = "refused " + m + " of " + refusedChat;
            refusedTexts.add(text);
            String update = telegram.privateText(REFUSED_CHAT, text).toString();
            refusedPosted = refusedPosted.thenCompose(ignored -> ClientTraffic.postUntil(
                    caravan.uri("/webhooks/telegram"), ClientTraffic.telegramHeaders(), update, 200, deadline, s -> { }));
        }

        SteadyFlow flow = new SteadyFlow(caravan, telegram, "faults", CHATS, TELEGRAM_CHATS, WEBSOCKET_CHATS, PER_CHAT, PACE)
                .allowingStreamErrors()
                .start(Duration.ofSeconds(300), TELEGRAM_BASE);
        await("the flow under way").atMost(Duration.ofSeconds(60)).until(() -> modelCalls() >= 20);

        // ---- the platform: failures on its side and rate limits, for two chats of the flow
        telegram.failNextSend(Long.toString(TELEGRAM_BASE), 2, 502, "Bad Gateway", null);
        telegram.failNextSend(Long.toString(TELEGRAM_BASE + 1), 2, 429, "Too Many Requests: retry after 1", 1);
        telegram.hangNextSend(Long.toString(TELEGRAM_BASE + 2), 2);

        // ---- the provider: each fault is queued for the next calls and met by the flow
        Map<String, Integer> providerFaults = new LinkedHashMap<>();
        providerFault(providerFaults, "500", 3, () -> model.failNext(3, 500,
                FakeOpenAiServer.openAiError("upstream failed", "server_error", null)));
        providerFault(providerFaults, "429 Retry-After 1 s", 2, () -> model.failNext429(2, Duration.ofSeconds(1)));
        providerFault(providerFaults, "hang", 2, () -> model.hangNext(2));
        providerFault(providerFaults, "malformed JSON", 2, () -> model.malformedNext(2));
        providerFault(providerFaults, "truncated stream", 2, () -> model.truncateStreamNext(2));
        int before = model.requestCount();
        model.delay(Duration.ofSeconds(4));
        await("slow answers met").atMost(Duration.ofSeconds(60)).until(() -> model.requestCount() >= before + 5);
        model.delay(Duration.ofMillis(100));
        providerFaults.put("latency spike 4 s", model.requestCount() - before);

        // ---- everything of the flow answered once, in order
        probe = new KafkaProbe(kafka.bootstrapServers());
        SteadyFlow.Tally tally = flow.finish(probe, Duration.ofSeconds(180));
        refusedPosted.get(60, TimeUnit.SECONDS);

        // ---- the refused replies wait in the DLQ with their reason; re-driving them delivers each once
        List<JsonNode> dead = await("the refused replies in the DLQ").atMost(Duration.ofSeconds(60))
                .pollInterval(Duration.ofMillis(500))
                .until(() -> deadLettersOf(refusedChat), l -> l.size() >= REFUSED_MESSAGES);
        List<String> reasons = dead.stream().map(e -> e.path("reason").asText()).toList();
        // the listing is newest first; re-driven oldest first, the chat gets its replies in their order
        dead = dead.stream().sorted(java.util.Comparator.comparingInt((JsonNode e) -> e.path("partition").asInt())
                .thenComparingLong(e -> e.path("offset").asLong())).toList();
        long redriveStart = System.nanoTime();
        for (JsonNode entry : dead) {
            HttpResponse<String> r = admin("POST", "/admin/dlq/redrive", JSON.createObjectNode()
                    .put("partition", entry.path("partition").asInt())
                    .put("offset", entry.path("offset").asLong()).toString());
            assertThat(r.statusCode()).as("re-drive of %s: %s", entry, r.body()).isEqualTo(200);
        }
        await("the re-driven replies delivered").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(250))
                .until(() -> telegram.shown(refusedChat).size() >= REFUSED_MESSAGES);
        long redrivenAfter = millisSince(redriveStart);
        List<String> refusedShown = telegram.shown(refusedChat);

        System.out.println("CHAOS " + JSON.createObjectNode()
                .put("scenario", "provider-platform-faults")
                .put("kills", 0)
                .put("accepted", tally.accepted() + REFUSED_MESSAGES)
                .put("replied", tally.replied() + refusedShown.size())
                .put("lost", tally.lost() + Math.max(0, REFUSED_MESSAGES - refusedShown.size()))
                .put("duplicated", tally.duplicated() + Math.max(0, refusedShown.size() - REFUSED_MESSAGES))
                .putPOJO("provider_faults", providerFaults)
                .put("platform_faults", "2x 502, 2x 429 retry_after 1, 2x no answer (timeout 2 s), "
                        + REFUSED_MESSAGES + "x 400 chat not found")
                .put("model_calls", model.requestCount())
                .put("fallback_calls", backup.requestCount())
                .put("websocket_stream_error_replies", flow.streamErrorReplies())
                .put("dead_lettered", dead.size())
                .put("redriven_delivered_ms", redrivenAfter)
                .put("total_ms", millisSince(t0)));

        assertThat(flow.onlyAcceptedOrRefused()).as("answers other than accepted, 503 or no connection: %s",
                tally.answers()).isTrue();
        assertThat(tally.wrong()).as("replies lost, doubled, out of order or not answering their message").isEmpty();
        assertThat(flow.streamErrorReplies()).as("error replies: only where a stream broke after it was shown")
                .isLessThanOrEqualTo(providerFaults.get("truncated stream"));
        assertThat(tally.lost()).isZero();
        assertThat(tally.duplicated()).isZero();
        assertThat(dead).as("DLQ entries of the refused chat").hasSize(REFUSED_MESSAGES);
        assertThat(reasons).allSatisfy(reason -> assertThat(reason).contains("chat not found"));
        assertThat(refusedShown).as("the refused chat after the re-drive").hasSize(REFUSED_MESSAGES);
        for (int i = 0; i < REFUSED_MESSAGES; i++) {
            assertThat(refusedShown.get(i)).startsWith("echo: " + refusedTexts.get(i) + " #");
        }
        assertThat(telegram.sendAttempts(Long.toString(TELEGRAM_BASE + 1)).stream().filter(c -> c.status() == 429))
                .as("rate-limited sends").hasSize(2);
        assertThat(telegram.sendAttempts(Long.toString(TELEGRAM_BASE + 2)).stream()
                .filter(c -> c.status() == FakeTelegramServer.HANG)).as("sends that got no answer").hasSize(2);
        assertThat(caravan.isAlive()).isTrue();
    }

    /** Queues {@code n} faults of the provider and waits until the flow's calls met all of them. */
    private void providerFault(Map<String, Integer> record, String what, int n, Runnable queue) {
        int before = model.requestCount();
        queue.run();
        await(what + " met").atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(100))
                .until(() -> model.requestCount() >= before + n);
        record.put(what, n);
        log("provider fault %s x%d met (%d calls to the fallback so far)", what, n, backup.requestCount());
    }

    private int modelCalls() {
        return model.requestCount() + backup.requestCount();
    }

    /** The DLQ entries of one chat, oldest first. */
    private List<JsonNode> deadLettersOf(String chatId) throws Exception {
        HttpResponse<String> r = admin("GET", "/admin/dlq?limit=1000", null);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        List<JsonNode> mine = new ArrayList<>();
        JSON.readTree(r.body()).path("entries").forEach(e -> {
            if (chatId.equals(e.path("chatId").asText())) {
                mine.add(e);
            }
        });
        mine.sort(Comparator.comparingInt((JsonNode e) -> e.path("partition").asInt())
                .thenComparingLong(e -> e.path("offset").asLong()));
        return mine;
    }

    private HttpResponse<String> admin(String method, String path, String body) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(caravan.uri(path)).timeout(Duration.ofSeconds(30));
        if (body != null) {
            request.header("Content-Type", "application/json");
        }
        return HTTP.send(request.method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                : HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static long millisSince(long nanos) {
        return (System.nanoTime() - nanos) / 1_000_000;
    }

    private static void log(String format, Object... args) {
        System.out.println("[ProviderAndPlatformFaultsTest] " + String.format(format, args));
    }
}
