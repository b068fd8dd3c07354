package routes.reliability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import routes.infra.EmbeddedInfrastructure;
import routes.schedule.ReminderRoutes;
import routes.support.FakeOpenAiServer;
import routes.support.fakes.FakeTelegramServer;

/**
 * Three Caravan processes sharing one Kafka, one Redis and one lock directory, with the duties only one of them
 * may do at a time: long polling Telegram (two pollers on one token make Telegram answer 409) and firing
 * reminders. Under a steady stream of Telegram messages and with reminders falling due every two seconds, the
 * instance that polls is SIGKILLed, then the one that fires reminders: each duty must move to a survivor within
 * 30 seconds, every message must be answered once and in order, every reminder delivered once.
 *
 * <p>Who leads is read from what the instances publish: an accepted Telegram message carries the id of the
 * instance that polled it, a fired reminder the id of the instance that fired it.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 420, unit = TimeUnit.SECONDS)
class ThreeInstancesTest {

    private static final Duration SESSION_TIMEOUT = Duration.ofSeconds(6);
    private static final Duration START = Duration.ofSeconds(240);
    private static final Duration FAILOVER_LIMIT = Duration.ofSeconds(30);
    private static final int LOAD_CHATS = 12;
    private static final long LOAD_CHAT_BASE = 5_001;
    private static final int REMINDER_CHATS = 4;
    private static final long REMINDER_CHAT_BASE = 6_001;
    private static final Duration SEND_EVERY = Duration.ofMillis(150);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String SHARED_KEY = randomKey();

    private Path root;
    private Path infraDir;
    private EmbeddedInfrastructure.Endpoints infra;
    private FakeOpenAiServer model;
    private FakeTelegramServer telegram;
    private final Map<String, ChildCaravan> instances = new LinkedHashMap<>();
    private KafkaProbe kafka;
    private TopicTap tap;
    private ScheduledExecutorService load;

    /** Texts sent per load chat, in order. */
    private final Map<String, List<String>> plan = new ConcurrentHashMap<>();
    /** Reminder text to the moment it is due. */
    private final Map<String, Instant> reminders = new LinkedHashMap<>();

    @BeforeAll
    void startThreeInstances() throws Exception {
        long t0 = System.nanoTime();
        root = Files.createTempDirectory("caravan-trio-");
        infraDir = root.resolve("infra");
        infra = EmbeddedInfrastructure.ensureStarted(infraDir, 0, 0, 6);
        model = new FakeOpenAiServer().start().delay(Duration.ofMillis(50));
        telegram = FakeTelegramServer.start();

        int[] ports = ChildCaravan.freePorts(3);
        for (int i = 0; i < 3; i++) {
            String id = "trio-" + (char) ('a' + i);
            instances.put(id, new ChildCaravan(id, root.resolve(id), ports[i], instanceConfig(id)));
        }
        instances.values().forEach(ChildCaravan::start);
        instances.values().forEach(c -> c.awaitReady(START));
        log("three instances ready after %d ms: %s", millisSince(t0), instances.values());

        kafka = new KafkaProbe(infra.kafkaBootstrapServers());
        await("pipeline partitions spread over the three instances").atMost(Duration.ofSeconds(60))
                .pollInterval(Duration.ofMillis(250))
                .until(() -> kafka.holders("caravan-pipeline", "caravan.inbound").size() == 3);
        tap = new TopicTap(infra.kafkaBootstrapServers(), "caravan.inbound", "caravan.outbound.telegram");
    }

    private Map<String, String> instanceConfig(String id) {
        Map<String, String> config = new LinkedHashMap<>();
        config.put("caravan.embedded.enabled", "false");
        config.put("caravan.kafka.bootstrap-servers", infra.kafkaBootstrapServers());
        config.put("spring.data.redis.host", infra.redisHost());
        config.put("spring.data.redis.port", String.valueOf(infra.redisPort()));
        config.put("caravan.instance.id", id);
        config.put("caravan.encryption.key", SHARED_KEY);
        config.put("caravan.storage.path", root.resolve(id).resolve("data").toString());
        config.put("caravan.routes-dir", root.resolve(id).resolve("routes").toString());
        // one lock directory for the cluster, as a shared volume would be
        config.put("camel.cluster.file.root", root.resolve("cluster").toString());
        config.put("caravan.kafka.consumer.static-membership", "false");
        config.put("caravan.kafka.consumer.session-timeout", SESSION_TIMEOUT.toSeconds() + "s");
        config.put("caravan.models.providers.openai.base-url", model.baseUrl());
        config.put("caravan.models.providers.openai.api-key", "test-key");
        config.put("caravan.access.default-policy", "open");
        config.put("caravan.limits.user-rate.permits", "0");
        config.put("caravan.limits.chat-rate.permits", "0");
        config.put("caravan.channels.telegram.token", FakeTelegramServer.TOKEN);
        config.put("caravan.channels.telegram.api-url", telegram.baseUrl());
        config.put("caravan.channels.telegram.mode", "polling");
        config.put("caravan.channels.telegram.poll-timeout", "10s");
        config.put("caravan.channels.telegram.stream-edits", "false");
        return config;
    }

    @AfterAll
    void stopEverything() {
        if (load != null) {
            load.shutdownNow();
        }
        if (tap != null) {
            tap.close();
        }
        if (kafka != null) {
            kafka.close();
        }
        instances.values().forEach(ChildCaravan::close);
        if (telegram != null) {
            telegram.close();
        }
        if (model != null) {
            model.close();
        }
        if (infraDir != null) {
            EmbeddedInfrastructure.stop(infraDir);
        }
        ChildCaravan.deleteTree(root);
    }

    @Test
    void pollerAndReminderLeaderFailOverWithinThirtySecondsAndNothingIsLostOrAnsweredTwice() throws Exception {
        Instant start = Instant.now();
        // reminders due every two seconds from 20 s to 110 s from now, set by people in four chats
        for (int k = 0; k <= 45; k++) {
            Instant due = start.plusSeconds(20 + 2L * k).truncatedTo(ChronoUnit.SECONDS);
            String text = "ping-" + k;
            reminders.put(text, due);
            telegram.enqueue(telegram.privateText(REMINDER_CHAT_BASE + k % REMINDER_CHATS,
                    "/remind " + due + " " + text));
        }
        startLoad();

        // before the first kill: one poller and one reminder leader, known from what they published
        String poller = await("a poller accepting messages").atMost(Duration.ofSeconds(60))
                .until(() -> latestPoller(start), Optional::isPresent).orElseThrow();
        String firer = await("a reminder fired").atMost(Duration.ofSeconds(60))
                .until(() -> latestFirer(start), Optional::isPresent).orElseThrow();
        log("leaders before the first kill: poller %s, reminders %s", poller, firer);
        List<Map<String, Object>> kills = new ArrayList<>();

        // kill 1: the poller
        kills.add(killAndMeasure(poller));
        // kill 2: whoever fires reminders now (the same instance if it took both duties)
        String firerNow = await("a reminder fired after the first kill").atMost(FAILOVER_LIMIT.plusSeconds(10))
                .until(() -> latestFirer(Instant.now().minusSeconds(3))
                        .filter(f -> instances.get(f).isAlive()), Optional::isPresent).orElseThrow();
        kills.add(killAndMeasure(firerNow));

        // let the last reminders fall due, then stop the load and wait for every answer
        Instant lastDue = reminders.values().stream().max(Instant::compareTo).orElseThrow();
        await("the last reminder falls due").atMost(Duration.ofSeconds(150)).pollInterval(Duration.ofMillis(500))
                .until(() -> Instant.now().isAfter(lastDue.plusSeconds(2)));
        load.shutdown();
        assertThat(load.awaitTermination(5, TimeUnit.SECONDS)).isTrue();
        int sent = plan.values().stream().mapToInt(List::size).sum();
        await("every message answered and every reminder delivered").atMost(Duration.ofSeconds(90))
                .pollInterval(Duration.ofMillis(500))
                .until(() -> answered() >= sent && delivered().size() >= reminders.size());

        // what the people saw
        List<String> wrong = new ArrayList<>();
        int lost = 0;
        int duplicated = 0;
        for (var chat : plan.entrySet()) {
            List<String> expected = chat.getValue().stream().map(t -> "echo: " + t).toList();
            List<String> shown = telegram.shown(chat.getKey());
            lost += Math.max(0, expected.size() - shown.size());
            duplicated += Math.max(0, shown.size() - expected.size());
            if (!shown.equals(expected)) {
                wrong.add(chat.getKey() + ": " + shown);
            }
        }
        Map<String, Integer> reminderCounts = new LinkedHashMap<>();
        for (int c = 0; c < REMINDER_CHATS; c++) {
            for (String text : shownIn(REMINDER_CHAT_BASE + c)) {
                if (text.startsWith("Reminder: ")) {
                    reminderCounts.merge(text.substring("Reminder: ".length()), 1, Integer::sum);
                }
            }
        }
        int remindersLost = (int) reminders.keySet().stream().filter(r -> !reminderCounts.containsKey(r)).count();
        int remindersDoubled = reminderCounts.values().stream().mapToInt(n -> n - 1).sum();
        long latestReminderMs = delivered().entrySet().stream()
                .mapToLong(e -> Duration.between(reminders.get(e.getKey()), e.getValue()).toMillis()).max()
                .orElse(-1);

        var chaos = JSON.createObjectNode()
                .put("scenario", "three-instances-leader-failover")
                .put("instances", 3)
                .put("kills", kills.size())
                .put("accepted", sent)
                .put("replied", sent - lost)
                .put("lost", lost)
                .put("duplicated", duplicated)
                .put("reminders", reminders.size())
                .put("reminders_lost", remindersLost)
                .put("reminders_duplicated", remindersDoubled)
                .put("reminder_max_lateness_ms", latestReminderMs)
                .put("telegram_conflicts", telegram.conflicts())
                .put("session_timeout_ms", SESSION_TIMEOUT.toMillis());
        chaos.set("failovers", JSON.valueToTree(kills));
        // what a doubled reminder went through: each firing seen on Kafka and each delivery to Telegram
        var doubled = chaos.putArray("reminders_doubled");
        reminderCounts.forEach((text, count) -> {
            if (count > 1) {
                var entry = doubled.addObject().put("text", text).put("due", reminders.get(text).toString());
                tap.seen(seen -> firedBy(seen) != null && ("Reminder: " + text).equals(seen.envelope().text()))
                        .forEach(seen -> entry.withArray("fired").add(firedBy(seen) + " " + seen.envelope().id()
                                + " seen at " + seen.at()));
                telegram.calls("sendMessage").stream()
                        .filter(call -> ("Reminder: " + text).equals(call.params().path("text").asText()))
                        .forEach(call -> entry.withArray("sent").add(call.at() + " status " + call.status()));
            }
        });
        System.out.println("CHAOS " + chaos);

        assertThat(wrong).as("chats whose answers were lost, doubled or out of order").isEmpty();
        assertThat(remindersLost).as("reminders never delivered").isZero();
        assertThat(remindersDoubled).as("reminders delivered twice").isZero();
        assertThat(latestReminderMs).as("latest reminder delivery after its due time (ms)")
                .isLessThanOrEqualTo(FAILOVER_LIMIT.toMillis());
        for (Map<String, Object> kill : kills) {
            for (String duty : List.of("poller_failover_ms", "reminders_failover_ms")) {
                if (kill.get(duty) instanceof Long ms) {
                    assertThat(ms).as("%s after killing %s", duty, kill.get("killed"))
                            .isLessThanOrEqualTo(FAILOVER_LIMIT.toMillis());
                }
            }
        }
        // every kill may leave one long poll of the dead poller open, which the next poll ends; a second live
        // poller would conflict on every poll
        assertThat(telegram.conflicts()).as("getUpdates overlaps").isLessThanOrEqualTo(kills.size());
    }

    /**
     * SIGKILLs one instance and waits until its duties are done by a survivor: for the poller, the first message
     * accepted by another instance; for the reminders, the first reminder fired by another instance.
     */
    private Map<String, Object> killAndMeasure(String victim) {
        boolean wasPoller = latestPoller(Instant.now().minusSeconds(3)).map(victim::equals).orElse(false);
        boolean wasFirer = latestFirer(Instant.now().minusSeconds(5)).map(victim::equals).orElse(false);
        Map<String, Object> result = new LinkedHashMap<>();
        Instant killedAt = Instant.now();
        int exit = instances.get(victim).kill();
        result.put("at", killedAt.toString());
        assertThat(exit).as("exit value of a SIGKILLed JVM").isEqualTo(137);
        log("killed %s (poller: %s, reminders: %s)", victim, wasPoller, wasFirer);

        result.put("killed", victim);
        result.put("was_poller", wasPoller);
        result.put("was_reminder_leader", wasFirer);
        await("duties of " + victim + " taken over").atMost(FAILOVER_LIMIT.plusSeconds(15))
                .pollInterval(Duration.ofMillis(100))
                .until(() -> (!wasPoller || latestPoller(killedAt).filter(p -> !p.equals(victim)).isPresent())
                        && (!wasFirer || latestFirer(killedAt).filter(f -> !f.equals(victim)).isPresent()));
        if (wasPoller) {
            var first = tap.seen(s -> isLoad(s) && s.at().isAfter(killedAt) && !victim.equals(s.envelope().instance()))
                    .get(0);
            result.put("poller_failover_ms", Duration.between(killedAt, first.at()).toMillis());
            result.put("new_poller", first.envelope().instance());
        }
        if (wasFirer) {
            var first = tap.seen(s -> firedBy(s) != null && s.at().isAfter(killedAt) && !victim.equals(firedBy(s)))
                    .get(0);
            result.put("reminders_failover_ms", Duration.between(killedAt, first.at()).toMillis());
            result.put("new_reminder_leader", firedBy(first));
        }
        log("after killing %s: %s", victim, result);
        return result;
    }

    private void startLoad() {
        AtomicInteger n = new AtomicInteger();
        load = Executors.newSingleThreadScheduledExecutor();
        load.scheduleAtFixedRate(() -> {
            int i = n.getAndIncrement();
            long chat = LOAD_CHAT_BASE + i % LOAD_CHATS;
            String text = "load " + chat + " #" + i / LOAD_CHATS;
            plan.computeIfAbsent(String.valueOf(chat), k -> new CopyOnWriteArrayList<>()).add(text);
            telegram.enqueue(telegram.privateText(chat, text));
        }, 0, SEND_EVERY.toMillis(), TimeUnit.MILLISECONDS);
    }

    private static boolean isLoad(TopicTap.Seen s) {
        return s.topic().equals("caravan.inbound") && s.key() != null && s.key().startsWith("telegram:")
                && s.envelope().text() != null && s.envelope().text().startsWith("load ");
    }

    private static String firedBy(TopicTap.Seen s) {
        return s.topic().equals("caravan.outbound.telegram") && s.envelope().metadata() != null
                ? s.envelope().metadata().get(ReminderRoutes.FIRED_BY) : null;
    }

    /** The instance that accepted the latest load message seen after {@code since}. */
    private Optional<String> latestPoller(Instant since) {
        List<TopicTap.Seen> seen = tap.seen(s -> isLoad(s) && s.at().isAfter(since));
        return seen.isEmpty() ? Optional.empty() : Optional.ofNullable(seen.get(seen.size() - 1).envelope().instance());
    }

    /** The instance that fired the latest reminder seen after {@code since}. */
    private Optional<String> latestFirer(Instant since) {
        List<TopicTap.Seen> seen = tap.seen(s -> firedBy(s) != null && s.at().isAfter(since));
        return seen.isEmpty() ? Optional.empty() : Optional.of(firedBy(seen.get(seen.size() - 1)));
    }

    /** Reminder text to the moment the first of its deliveries reached Kafka. */
    private Map<String, Instant> delivered() {
        Map<String, Instant> at = new LinkedHashMap<>();
        for (TopicTap.Seen s : tap.seen(s -> firedBy(s) != null)) {
            String text = s.envelope().text();
            if (text != null && text.startsWith("Reminder: ")) {
                at.putIfAbsent(text.substring("Reminder: ".length()), s.at());
            }
        }
        return at;
    }

    private int answered() {
        return plan.keySet().stream().mapToInt(chat -> telegram.shown(chat).size()).sum();
    }

    private List<String> shownIn(long chat) {
        return telegram.shown(String.valueOf(chat));
    }

    private static String randomKey() {
        byte[] key = new byte[32];
        new java.security.SecureRandom().nextBytes(key);
        return java.util.Base64.getEncoder().encodeToString(key);
    }

    private static long millisSince(long nanos) {
        return (System.nanoTime() - nanos) / 1_000_000;
    }

    private static void log(String format, Object... args) {
        System.out.println("[ThreeInstancesTest] " + String.format(format, args));
    }
}
