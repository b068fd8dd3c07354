package routes.reliability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.ScanArgs;
import io.lettuce.core.ScanCursor;
import io.lettuce.core.api.StatefulRedisConnection;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiFunction;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import routes.envelope.Envelope;
import routes.envelope.EnvelopeCodec;
import routes.ops.DeadLetters;
import routes.security.Pseudonyms;
import routes.support.FakeOpenAiServer;
import routes.support.fakes.FakeTelegramServer;

/**
 * SIGKILL in the middle of a run, several times at random moments, each followed by a restart on the same storage:
 * every accepted message is answered, exactly once as far as the person can tell, and each chat's replies keep the
 * order its messages were sent in. The traffic is REST messages and signed Telegram webhook updates at once.
 *
 * <p>Caravan runs as a child process with its embedded Kafka and Redis on fixed ports, so the test can read the
 * outbound topic and the delivery keys directly. The fake model answers after a delay (so many calls are in flight
 * when the process dies) and numbers its answers: a message that is asked again after the crash gets a different
 * text, which makes a second delivery visible through {@code GET /api/v1/messages/{id}} and as a second message in
 * the fake Telegram's chat.
 *
 * <p>{@code -Dchaos.kills=N} sets how many kills (default 3), {@code -Dchaos.seed=S} replays the moments of a run
 * (printed at the start). The figures go to standard output as one {@code CHAOS {json}} line for {@code bench/chaos}.
 */
@Timeout(value = 480, unit = TimeUnit.SECONDS)
class CrashRecoveryTest {

    private static final int CHATS = 50;
    private static final int PER_CHAT = 4;
    private static final int TELEGRAM_CHATS = 20;
    private static final int KILLS = Integer.getInteger("chaos.kills", 3);
    private static final Duration MODEL_DELAY = Duration.ofMillis(400);
    private static final Duration START = Duration.ofSeconds(180);
    /** How long before a SIGKILL a Telegram send may have gone out and still have no delivery record. */
    private static final Duration AT_A_KILL = Duration.ofSeconds(2);
    private static final String OUTBOUND = "caravan.outbound.rest";
    private static final String TELEGRAM_OUTBOUND = "caravan.outbound.telegram";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newBuilder()
            .connectTimeout(Duration.ofSeconds(2))
            .version(HttpClient.Version.HTTP_1_1)
            .build();

    /** A message the gateway accepted (answered 202). */
    private record Sent(String id, String chatId, int seq, String text) {
    }

    private FakeOpenAiServer model;
    private FakeTelegramServer telegram;
    private ChildCaravan caravan;
    private Path storage;
    private KafkaProbe kafka;
    private RedisClient redisClient;
    private ReplyWatcher watcher;
    private boolean keepStorage;

    @AfterEach
    void cleanUp() {
        if (watcher != null) {
            watcher.close();
        }
        if (kafka != null) {
            kafka.close();
        }
        if (redisClient != null) {
            redisClient.shutdown(Duration.ZERO, Duration.ofSeconds(2));
        }
        if (caravan != null) {
            caravan.close();
        }
        if (model != null) {
            model.close();
        }
        if (telegram != null) {
            telegram.close();
        }
        if (!keepStorage) {
            ChildCaravan.deleteTree(storage);
        }
    }

    @Test
    void sigkillsDuringTheRunThenRestartsAnswerEveryMessageExactlyOnceInOrder() throws Exception {
        long t0 = System.nanoTime();
        long seed = Long.getLong("chaos.seed", System.nanoTime());
        Random random = new Random(seed);
        log("seed %d (replay with -Dchaos.seed=%d), %d kills", seed, seed, KILLS);
        AtomicInteger answers = new AtomicInteger();
        model = new FakeOpenAiServer().start()
                .delay(MODEL_DELAY)
                .replyWith(request -> FakeOpenAiServer.echoReply(request) + " #" + answers.incrementAndGet());

        storage = Files.createTempDirectory("caravan-crash-");
        int[] ports = ChildCaravan.freePorts(3);
        int httpPort = ports[0];
        int kafkaPort = ports[1];
        int redisPort = ports[2];
        Map<String, String> config = new LinkedHashMap<>();
        config.put("caravan.storage.path", storage.toString());
        config.put("caravan.routes-dir", storage.resolve("routes").toString());
        config.put("caravan.instance.id", "crash-a");
        config.put("caravan.embedded.kafka-port", String.valueOf(kafkaPort));
        config.put("caravan.embedded.redis-port", String.valueOf(redisPort));
        config.put("caravan.models.providers.openai.base-url", model.baseUrl());
        config.put("caravan.models.providers.openai.api-key", "test-key");
        telegram = FakeTelegramServer.start();
        ClientTraffic.configure(config, telegram);
        caravan = new ChildCaravan("crash-recovery", storage, httpPort, config);

        caravan.start().awaitReady(START);
        log("started %s in %d ms", caravan, millisSince(t0));

        // 50 chats in parallel, each chat's messages one after another, so each chat has a definite send order
        Map<String, List<Sent>> plan = new LinkedHashMap<>();
        for (int c = 0; c < CHATS; c++) {
            String chatId = String.format("crash-chat-%02d", c);
            List<Sent> messages = new ArrayList<>();
            for (int m = 0; m < PER_CHAT; m++) {
                messages.add(new Sent(chatId + "-m" + m, chatId, m, "message " + m + " of " + chatId));
            }
            plan.put(chatId, messages);
        }
        watcher = new ReplyWatcher(caravan, plan.values().stream().flatMap(List::stream).map(Sent::id).toList());

        // Each chat posts its messages one after another, so it has a definite send order. A POST that gets no 202
        // (the process died under it, or is starting) is sent again with the same id until it does, as a client
        // would: the id makes a message published twice count once.
        Map<String, Sent> accepted = new ConcurrentHashMap<>();
        AtomicInteger retries = new AtomicInteger();
        long postingDeadline = System.nanoTime() + Duration.ofSeconds(240).toNanos();
        List<CompletableFuture<Void>> chats = new ArrayList<>();
        plan.forEach((chatId, messages) -> {
            CompletableFuture<Void> chain = CompletableFuture.completedFuture(null);
            for (Sent message : messages) {
                chain = chain.thenCompose(ignored -> ClientTraffic.postUntil(caravan.uri("/api/v1/messages"),
                                Map.of(), body(message), 202, postingDeadline, status -> countRetry(status, retries)))
                        .thenRun(() -> accepted.put(message.id(), message));
            }
            chats.add(chain);
        });
        // Telegram: each chat's updates one after another too; an update without a 200 is delivered again, as
        // Telegram does, with the same update_id
        Map<String, List<String>> telegramPlan = new LinkedHashMap<>();
        Set<Long> telegramAccepted = ConcurrentHashMap.newKeySet();
        for (int c = 0; c < TELEGRAM_CHATS; c++) {
            long chatId = 880_000 + c;
            List<String> texts = new ArrayList<>();
            CompletableFuture<Void> chain = CompletableFuture.completedFuture(null);
            for (int m = 0; m < PER_CHAT; m++) {
                String text = "update " + m + " of " + chatId;
                texts.add(text);
                var update = telegram.privateText(chatId, text);
                long updateId = update.path("update_id").asLong();
                chain = chain.thenCompose(ignored -> ClientTraffic.postUntil(caravan.uri("/webhooks/telegram"),
                                ClientTraffic.telegramHeaders(), update.toString(), 200, postingDeadline,
                                status -> countRetry(status, retries)))
                        .thenRun(() -> telegramAccepted.add(updateId));
            }
            telegramPlan.put(Long.toString(chatId), texts);
            chats.add(chain);
        }
        int total = CHATS * PER_CHAT + TELEGRAM_CHATS * PER_CHAT;
        CompletableFuture<Void> allPosted = CompletableFuture.allOf(chats.toArray(CompletableFuture[]::new));

        // kill at random moments while posts, model calls and replies are all under way: kill k comes after a
        // random number of model calls within the k-th of KILLS equal slices of the first 80% of the work
        List<Long> restartMillis = new ArrayList<>();
        List<Instant> killTimes = new ArrayList<>();
        List<Integer> killedAfterCalls = new ArrayList<>();
        long firstKillAt = 0;
        long lastReadyAt = 0;
        long restart = 0;
        int slice = total * 8 / 10 / KILLS;
        for (int k = 0; k < KILLS; k++) {
            int killAt = k * slice + 1 + random.nextInt(slice);
            try {
                await("model calls under way").atMost(Duration.ofSeconds(120))
                        .until(() -> model.requestCount() >= killAt);
            } catch (org.awaitility.core.ConditionTimeoutException e) {
                throw new AssertionError("kill " + (k + 1) + " waited for " + killAt + " model calls, saw "
                        + model.requestCount() + " (" + watcher.replied().size() + " REST replies seen)\nchild log "
                        + caravan.log() + ", tail:\n" + caravan.logTail(40), e);
            }
            long killedNow = System.currentTimeMillis();
            killTimes.add(Instant.ofEpochMilli(killedNow));
            firstKillAt = firstKillAt == 0 ? killedNow : firstKillAt;
            int exit = caravan.kill();
            killedAfterCalls.add(model.requestCount());
            int repliedBeforeKill = watcher.replied().size();
            log("SIGKILL %d/%d after %d model calls, %d REST messages accepted, %d replies seen via GET, %d Telegram "
                            + "updates accepted: exit value %d, at %d ms", k + 1, KILLS, model.requestCount(),
                    accepted.size(), repliedBeforeKill, telegramAccepted.size(), exit, millisSince(t0));
            assertThat(exit).as("exit value of a SIGKILLed JVM (128 + 9)").isEqualTo(137);
            assertThat(repliedBeforeKill).as("the kill came while messages were still unanswered")
                    .isLessThan(CHATS * PER_CHAT);

            // the embedded Redis is a child of the killed JVM and outlives it; the restart must retire it
            List<ProcessHandle> leftBehind = caravan.survivorsOfLastKill();
            log("processes left running by the killed JVM: %s",
                    leftBehind.stream().map(ChildCaravan::describe).toList());

            restart = System.nanoTime();
            caravan.start().awaitReady(START);
            lastReadyAt = System.currentTimeMillis();
            restartMillis.add(millisSince(restart));
            log("restarted in %d ms", millisSince(restart));
            assertThat(leftBehind.stream().filter(ChildCaravan::running).map(ChildCaravan::describe))
                    .as("processes of the killed run still running after the restart").isEmpty();
        }
        long killedAt = firstKillAt;
        long readyAgainAt = lastReadyAt;

        allPosted.get(120, TimeUnit.SECONDS);
        assertThat(accepted).hasSize(CHATS * PER_CHAT);
        assertThat(telegramAccepted).hasSize(TELEGRAM_CHATS * PER_CHAT);
        log("all %d messages accepted (%d POSTs sent again after no 202) %d ms after the restart began",
                accepted.size(), retries.get(), millisSince(restart));
        Map<String, List<String>> sendOrder = new LinkedHashMap<>();
        plan.forEach((chatId, messages) -> sendOrder.put(chatId, messages.stream().map(Sent::id).toList()));

        try {
            await("every accepted message replied").atMost(Duration.ofSeconds(90))
                    .pollInterval(Duration.ofMillis(250))
                    .until(() -> watcher.replied().containsAll(accepted.keySet()));
        } catch (org.awaitility.core.ConditionTimeoutException e) {
            List<String> missing = accepted.keySet().stream().filter(id -> !watcher.replied().contains(id))
                    .sorted().toList();
            throw new AssertionError(missing.size() + " accepted messages not replied within 90 s of the restart: "
                    + missing + "\nchild log " + caravan.log() + ", tail:\n" + caravan.logTail(40), e);
        }
        log("all %d replied %d ms after the restart began", accepted.size(), millisSince(restart));
        try {
            await("every Telegram update answered").atMost(Duration.ofSeconds(90))
                    .pollInterval(Duration.ofMillis(250))
                    .until(() -> telegramPlan.keySet().stream()
                            .allMatch(chat -> telegram.shown(chat).size() >= PER_CHAT));
        } catch (org.awaitility.core.ConditionTimeoutException e) {
            throw new AssertionError("Telegram chats not fully answered within 90 s of the last restart: "
                    + telegramPlan.keySet().stream().map(chat -> chat + "=" + telegram.shown(chat).size()).toList()
                    + "\n" + diagnoseTelegram(telegramPlan, kafkaPort, redisPort)
                    + "\nchild log " + caravan.log() + ", tail:\n" + caravan.logTail(40), e);
        }

        // wait until nothing is left to process or deliver, so a late duplicate would have shown up by now
        kafka = new KafkaProbe("127.0.0.1:" + kafkaPort);
        await("pipeline and egress caught up").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(250))
                .until(() -> kafka.caughtUp("caravan-pipeline", "caravan.inbound")
                        && kafka.caughtUp("caravan-egress", OUTBOUND));
        watcher.close();
        watcher.sweep(); // one last look, after everything settled

        // ---- what the Telegram users saw
        // a reply Telegram took just before a SIGKILL, whose delivery the dying process could not record, is sent
        // again after the restart: the Bot API has no idempotency key to stop that, so such a repeat is reported
        // (and counted in the CHAOS line), not failed; any other repeat fails the test
        ClientTraffic.TelegramTally telegramSeen = ClientTraffic.TelegramTally.of(telegram, telegramPlan,
                firstSent -> killTimes.stream().anyMatch(kill -> !firstSent.isBefore(kill.minus(AT_A_KILL))
                        && !firstSent.isAfter(kill.plusSeconds(1))));
        if (!telegramSeen.sentAgainAtAKill().isEmpty()) {
            log("Telegram replies sent again because a SIGKILL came between Telegram taking them and the delivery "
                    + "being recorded: %s", telegramSeen.sentAgainAtAKill());
        }

        // ---- what the person saw: GET /api/v1/messages/{id}
        Map<String, Set<String>> seen = watcher.texts();
        List<String> lost = accepted.keySet().stream().filter(id -> !seen.containsKey(id)).sorted().toList();
        List<String> changed = seen.entrySet().stream().filter(e -> e.getValue().size() > 1)
                .map(e -> e.getKey() + " " + e.getValue()).sorted().toList();
        List<String> wrong = accepted.values().stream()
                .filter(m -> seen.containsKey(m.id()))
                .filter(m -> seen.get(m.id()).stream().anyMatch(t -> !t.startsWith("echo: " + m.text() + " #")))
                .map(m -> m.id() + " " + seen.get(m.id())).sorted().toList();

        // ---- what is on Kafka: caravan.outbound.rest, read with a plain consumer
        List<ConsumerRecord<String, byte[]>> records = kafka.readAll(OUTBOUND, Duration.ofSeconds(30));
        Map<String, List<Envelope>> repliesByMessage = new LinkedHashMap<>();
        Map<String, List<String>> replyOrderByChat = new LinkedHashMap<>();
        Map<String, Long> firstRecordTime = new LinkedHashMap<>();
        List<Long> publishLags = new ArrayList<>();
        for (var record : records) {
            Envelope reply = EnvelopeCodec.decode(record.value());
            if (firstRecordTime.putIfAbsent(reply.inReplyTo(), record.timestamp()) == null
                    && reply.receivedAt() != null) {
                publishLags.add(record.timestamp() - reply.receivedAt().toEpochMilli());
            }
            repliesByMessage.computeIfAbsent(reply.inReplyTo(), k -> new ArrayList<>()).add(reply);
            replyOrderByChat.computeIfAbsent(reply.chatId(), k -> new ArrayList<>()).add(reply.inReplyTo());
        }
        int duplicateRecords = repliesByMessage.values().stream().mapToInt(l -> l.size() - 1).sum();
        List<String> duplicated = repliesByMessage.entrySet().stream().filter(e -> e.getValue().size() > 1)
                .map(e -> e.getKey() + " x" + e.getValue().size()).sorted().toList();
        // the one delivered is the first on the partition; a later copy must not have replaced it
        List<String> notFirst = accepted.keySet().stream()
                .filter(id -> repliesByMessage.containsKey(id) && seen.containsKey(id))
                .filter(id -> !seen.get(id).contains(repliesByMessage.get(id).get(0).text()))
                .sorted().toList();
        List<String> outOfOrder = new ArrayList<>();
        List<String> lateCopies = new ArrayList<>();
        sendOrder.forEach((chatId, sent) -> {
            List<String> onTopic = replyOrderByChat.getOrDefault(chatId, List.of());
            List<String> firstSeen = new ArrayList<>(new LinkedHashSet<>(onTopic));
            if (!firstSeen.equals(sent)) {
                outOfOrder.add(chatId + ": sent " + sent + ", replies " + onTopic);
            }
            for (int i = 1; i < onTopic.size(); i++) {
                if (sent.indexOf(onTopic.get(i)) < sent.indexOf(onTopic.get(i - 1))) {
                    lateCopies.add(chatId + ": " + onTopic);
                    break;
                }
            }
        });

        // ---- delivery dedupe keys in Redis
        Set<String> deliveredKeys = new LinkedHashSet<>();
        redisClient = RedisClient.create(RedisURI.create("127.0.0.1", redisPort));
        try (StatefulRedisConnection<String, String> redis = redisClient.connect()) {
            ScanCursor cursor = ScanCursor.INITIAL;
            do {
                var page = redis.sync().scan(cursor, ScanArgs.Builder.matches("caravan:delivered:*").limit(500));
                deliveredKeys.addAll(page.getKeys());
                cursor = page;
            } while (!cursor.isFinished());
        }
        List<String> undelivered = accepted.values().stream()
                .filter(m -> !deliveredKeys.contains(deliveryMark("rest:" + m.chatId() + ":" + m.id() + ":reply")))
                .map(Sent::id).sorted().toList();

        // how long after its first reply record reached Kafka a reply became visible through GET (within the
        // watcher's sweep interval); replies published before the kill are left out, the crash delayed them
        long[] lagBeforeKill = lags(firstRecordTime, watcher.firstSeen(), t -> t < killedAt);
        long[] lagAfterRestart = lags(firstRecordTime, watcher.firstSeen(), t -> t >= readyAgainAt);
        log("model answered -> reply record on Kafka, ms (median/p90/max): %s",
                percentiles(publishLags.stream().mapToLong(Long::longValue).sorted().toArray()));
        log("reply record on Kafka -> visible via GET, ms (median/p90/max): before the kill %s of %d published, "
                        + "after the restart %s", percentiles(lagBeforeKill),
                firstRecordTime.values().stream().filter(t -> t < killedAt).count(), percentiles(lagAfterRestart));
        int modelCalls = model.requestCount();
        log("accepted=%d replied=%d lost=%d duplicated-records=%d (messages with >1 reply record: %s) "
                        + "changed-after-delivery=%d model-calls=%d (asked again after the crash: %d) "
                        + "delivery-keys=%d late-copies-after-a-later-reply=%s total=%d ms",
                accepted.size(), accepted.size() - lost.size(), lost.size(), duplicateRecords, duplicated,
                changed.size(), modelCalls, modelCalls - accepted.size(), deliveredKeys.size(), lateCopies,
                millisSince(t0));

        System.out.println("CHAOS " + JSON.createObjectNode()
                .put("scenario", "sigkill-restart")
                .put("seed", seed)
                .put("kills", KILLS)
                .put("accepted", accepted.size() + telegramAccepted.size())
                .put("replied", accepted.size() - lost.size() + telegramAccepted.size() - telegramSeen.lost())
                .put("lost", lost.size() + telegramSeen.lost())
                .put("duplicated", changed.size() + telegramSeen.duplicated())
                .put("duplicate_reply_records", duplicateRecords)
                .put("telegram_sent_again_at_a_kill", telegramSeen.sentAgainAtAKill().size())
                .put("model_calls", modelCalls)
                .put("telegram_updates", telegramAccepted.size())
                .put("rest_messages", accepted.size())
                .put("post_retries", retries.get())
                .putPOJO("killed_after_model_calls", killedAfterCalls)
                .putPOJO("restart_ms", restartMillis)
                .put("total_ms", millisSince(t0)));

        assertThat(lost).as("accepted messages never replied").isEmpty();
        assertThat(telegramSeen.lost()).as("Telegram updates never answered").isZero();
        List<String> oddChats = telegramPlan.keySet().stream()
                .filter(chat -> telegram.shown(chat).size() > PER_CHAT
                        || telegramSeen.wrong().stream().anyMatch(w -> w.startsWith(chat + ":")))
                .toList();
        String oddDetails = telegramSeen.duplicated() == 0 && telegramSeen.wrong().isEmpty() ? ""
                : describeTelegramChats(oddChats, kafkaPort, redisPort);
        assertThat(telegramSeen.duplicated()).as("Telegram updates answered more than once\n" + oddDetails).isZero();
        assertThat(telegramSeen.wrong()).as("Telegram chats whose replies do not answer their updates in order\n"
                + oddDetails)
                .isEmpty();
        assertThat(wrong).as("replies whose text does not answer their message").isEmpty();
        assertThat(changed).as("messages whose reply, once shown, was later replaced (delivered twice)").isEmpty();
        assertThat(notFirst).as("messages whose delivered reply is not the first reply record").isEmpty();
        assertThat(undelivered).as("messages without a delivery dedupe key").isEmpty();
        assertThat(repliesByMessage.keySet()).as("reply records on " + OUTBOUND)
                .containsExactlyInAnyOrderElementsOf(accepted.keySet());
        assertThat(outOfOrder).as("chats whose replies are not in send order").isEmpty();
    }

    /**
     * What became of the Telegram chats that are short of replies, to tell a late reply from a lost one: what
     * {@link #describeTelegramChats} says of them, then it waits up to two more minutes and says whether the replies
     * came after all.
     */
    private String diagnoseTelegram(Map<String, List<String>> plan, int kafkaPort, int redisPort) {
        List<String> short_ = plan.keySet().stream().filter(chat -> telegram.shown(chat).size() < PER_CHAT).toList();
        StringBuilder out = new StringBuilder(describeTelegramChats(short_, kafkaPort, redisPort));
        long begin = System.nanoTime();
        try {
            await("late Telegram replies").atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(500))
                    .until(() -> short_.stream().allMatch(chat -> telegram.shown(chat).size() >= PER_CHAT));
            out.append("every missing reply came after all, ").append(millisSince(begin))
                    .append(" ms later: late, not lost\n");
        } catch (org.awaitility.core.ConditionTimeoutException e) {
            out.append("still missing two minutes later: ")
                    .append(short_.stream().map(chat -> chat + "=" + telegram.shown(chat).size()).toList())
                    .append('\n');
        }
        return out.toString();
    }

    /**
     * For each of {@code chats}: the texts shown, every sendMessage attempt, the inbound records of the chat, the reply
     * records on its outbound topic with whether their delivery marks exist; then the dead letters and the consumer
     * groups' progress. Keeps the crash storage for a closer look (its path comes first).
     */
    private String describeTelegramChats(List<String> chats, int kafkaPort, int redisPort) {
        StringBuilder out = new StringBuilder("storage kept for inspection: ").append(storage).append('\n');
        keepStorage = true;
        try (KafkaProbe probe = new KafkaProbe("127.0.0.1:" + kafkaPort);
                RedisClient client = RedisClient.create(RedisURI.create("127.0.0.1", redisPort));
                StatefulRedisConnection<String, String> redis = client.connect()) {
            Map<String, List<String>> inbound = byChat(probe.readAll("caravan.inbound", Duration.ofSeconds(30)), chats,
                    (record, message) -> "  inbound " + position(record) + " id " + message.id() + ": '"
                            + message.text() + "'");
            Map<String, List<String>> replies = byChat(probe.readAll(TELEGRAM_OUTBOUND, Duration.ofSeconds(30)), chats,
                    (record, reply) -> "  reply record " + position(record) + " id " + reply.id() + " for "
                            + reply.inReplyTo() + ": '" + reply.text() + "', delivery marks: reply "
                            + (redis.sync().exists(deliveryMark(reply.dedupeKey())) == 1 ? "set" : "absent")
                            + ", first piece "
                            + (redis.sync().exists(deliveryMark(reply.dedupeKey() + "#0")) == 1 ? "set" : "absent"));
            for (String chat : chats) {
                out.append("chat ").append(chat).append(": shown ").append(telegram.shown(chat)).append('\n');
                for (var call : telegram.sendAttempts(chat)) {
                    out.append("  sendMessage at ").append(call.at()).append(" -> ").append(call.status())
                            .append(' ').append(call.params().path("text").asText()).append('\n');
                }
                inbound.getOrDefault(chat, List.of()).forEach(line -> out.append(line).append('\n'));
                replies.getOrDefault(chat, List.of()).forEach(line -> out.append(line).append('\n'));
            }
            for (var dead : probe.readAll("caravan.dlq", Duration.ofSeconds(30))) {
                DeadLetters.Entry entry = DeadLetters.entry(dead);
                out.append("dead letter p").append(entry.partition()).append('@').append(entry.offset())
                        .append(" key ").append(entry.key()).append(" from route ").append(entry.route())
                        .append(": ").append(entry.reason()).append('\n');
            }
            out.append(probe.behind("caravan-pipeline", "caravan.inbound")).append('\n')
                    .append(probe.behind("caravan-egress", TELEGRAM_OUTBOUND)).append('\n');
        } catch (RuntimeException e) {
            out.append("could not look into Kafka or Redis: ").append(e).append('\n');
        }
        return out.toString();
    }

    /** The records of {@code records} that belong to {@code chats}, each decoded once and described by {@code line}. */
    private static Map<String, List<String>> byChat(List<ConsumerRecord<String, byte[]>> records, List<String> chats,
            BiFunction<ConsumerRecord<String, byte[]>, Envelope, String> line) {
        Map<String, List<String>> lines = new LinkedHashMap<>();
        for (var record : records) {
            Envelope envelope = EnvelopeCodec.decode(record.value());
            if (!chats.contains(envelope.chatId())) {
                continue;
            }
            lines.computeIfAbsent(envelope.chatId(), k -> new ArrayList<>()).add(line.apply(record, envelope));
        }
        return lines;
    }

    private static String position(ConsumerRecord<?, ?> record) {
        return "p" + record.partition() + "@" + record.offset() + " at " + Instant.ofEpochMilli(record.timestamp());
    }

    /** The Redis key that marks a reply (or one piece of it) delivered, as the delivery repository writes it. */
    private static String deliveryMark(String dedupeKey) {
        return "caravan:delivered:" + Pseudonyms.of(dedupeKey);
    }

    private static String body(Sent message) {
        return JSON.createObjectNode()
                .put("id", message.id())
                .put("chatId", message.chatId())
                .put("senderId", "tester")
                .put("text", message.text())
                .toString();
    }

    private static void countRetry(int status, AtomicInteger retries) {
        if (status != 200 && status != 202) {
            retries.incrementAndGet();
        }
    }

    /** For the messages whose first reply record was written at a time matching {@code when}: seen minus written. */
    private static long[] lags(Map<String, Long> written, Map<String, Long> seen,
            java.util.function.LongPredicate when) {
        return written.entrySet().stream()
                .filter(e -> when.test(e.getValue()) && seen.containsKey(e.getKey()))
                .mapToLong(e -> seen.get(e.getKey()) - e.getValue())
                .sorted().toArray();
    }

    private static String percentiles(long[] sorted) {
        if (sorted.length == 0) {
            return "-";
        }
        return sorted[sorted.length / 2] + "/" + sorted[(int) Math.min(sorted.length - 1, sorted.length * 0.9)]
                + "/" + sorted[sorted.length - 1];
    }

    private static long millisSince(long nanos) {
        return (System.nanoTime() - nanos) / 1_000_000;
    }

    private static void log(String format, Object... args) {
        System.out.println("[CrashRecoveryTest] " + String.format(format, args));
    }

    /**
     * Polls {@code GET /api/v1/messages/{id}} for every message, over and over, and remembers every distinct reply
     * text it was ever shown per message: more than one means a reply was delivered twice.
     */
    static final class ReplyWatcher implements AutoCloseable {

        private final ChildCaravan caravan;
        private final List<String> ids;
        private final Map<String, Set<String>> texts = new ConcurrentHashMap<>();
        private final Map<String, Long> firstSeen = new ConcurrentHashMap<>();
        private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "reply-watcher");
            t.setDaemon(true);
            return t;
        });

        ReplyWatcher(ChildCaravan caravan, List<String> ids) {
            this.caravan = caravan;
            this.ids = List.copyOf(ids);
            timer.scheduleWithFixedDelay(this::sweep, 0, 100, TimeUnit.MILLISECONDS);
        }

        /** One pass over every id, twenty requests at a time; ids that fail (process down) wait for the next. */
        synchronized void sweep() {
            for (int from = 0; from < ids.size(); from += 20) {
                List<CompletableFuture<Void>> batch = new ArrayList<>();
                for (String id : ids.subList(from, Math.min(ids.size(), from + 20))) {
                    batch.add(HTTP.sendAsync(HttpRequest.newBuilder(caravan.uri("/api/v1/messages/" + id))
                                    .timeout(Duration.ofSeconds(5)).GET().build(),
                                    HttpResponse.BodyHandlers.ofString())
                            .thenAccept(r -> record(id, r))
                            .exceptionally(e -> null));
                }
                try {
                    CompletableFuture.allOf(batch.toArray(CompletableFuture[]::new)).get(10, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
                    return; // the process is down or stalled: try again on the next sweep
                }
            }
        }

        private void record(String id, HttpResponse<String> r) {
            if (r.statusCode() != 200) {
                return;
            }
            try {
                JsonNode answer = JSON.readTree(r.body());
                if ("replied".equals(answer.path("status").asText())) {
                    firstSeen.putIfAbsent(id, System.currentTimeMillis());
                    texts.computeIfAbsent(id, k -> ConcurrentHashMap.newKeySet())
                            .add(answer.path("reply").path("text").asText());
                }
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }

        Set<String> replied() {
            return texts.keySet();
        }

        Map<String, Set<String>> texts() {
            return texts;
        }

        /** When each message was first seen replied (epoch millis). */
        Map<String, Long> firstSeen() {
            return firstSeen;
        }

        @Override
        public void close() {
            timer.shutdownNow();
            try {
                timer.awaitTermination(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
