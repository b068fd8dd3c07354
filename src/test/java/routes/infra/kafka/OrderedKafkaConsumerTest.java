package routes.infra.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.confluent.parallelconsumer.offsets.OffsetMapCodecManager;
import io.confluent.parallelconsumer.offsets.OffsetSimultaneousEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.camel.AsyncCallback;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.support.AsyncProcessorSupport;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import routes.infra.EmbeddedInfrastructure;
import routes.support.TestInfra;

/** The ordered-kafka component on a real embedded broker: key order, concurrency across keys, back-pressure. */
class OrderedKafkaConsumerTest {

    /** Partitions of every topic a test makes. */
    private static final int PARTITIONS = 4;
    private static String brokers;
    private static KafkaProducer<String, byte[]> producer;
    private static final ScheduledExecutorService TIMER = Executors.newScheduledThreadPool(2);
    private CamelContext camel;

    @BeforeAll
    static void broker() {
        brokers = EmbeddedInfrastructure.ensureStarted(TestInfra.STORAGE, 0, 0, 4).kafkaBootstrapServers();
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, brokers);
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        producer = new KafkaProducer<>(p, new StringSerializer(), new ByteArraySerializer());
    }

    @AfterAll
    static void close() {
        producer.close();
        TIMER.shutdownNow();
    }

    @AfterEach
    void stopCamel() throws Exception {
        if (camel != null) {
            camel.close();
        }
    }

    private static String newTopic() throws Exception {
        String topic = "test-ordered-" + UUID.randomUUID().toString().substring(0, 8);
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", brokers))) {
            admin.createTopics(List.of(new NewTopic(topic, PARTITIONS, (short) 1))).all().get(30, TimeUnit.SECONDS);
        }
        return topic;
    }

    private static void send(String topic, String key, String value) throws Exception {
        producer.send(new ProducerRecord<>(topic, key, value.getBytes(StandardCharsets.UTF_8))).get();
    }

    private CamelContext start(String topic, String group, int maxConcurrency,
            org.apache.camel.AsyncProcessor processor) throws Exception {
        return start(topic, group, "maxConcurrency=" + maxConcurrency, processor);
    }

    private CamelContext start(String topic, String group, String options,
            org.apache.camel.AsyncProcessor processor) throws Exception {
        CamelContext context = new DefaultCamelContext();
        // parked exchanges never finish: do not wait the default 45 s for them on close
        context.getShutdownStrategy().setTimeout(2);
        OrderedKafkaComponent component = new OrderedKafkaComponent();
        component.setBrokers(brokers);
        context.addComponent("ordered-kafka", component);
        context.addRoutes(new RouteBuilder() {
            @Override
            public void configure() {
                from("ordered-kafka:" + topic + "?groupId=" + group + "&" + options
                        + "&commitIntervalMs=50&retryDelayMs=100&sessionTimeoutMs=6000&watchdogIntervalMs=200")
                        .routeId("under-test")
                        .process(processor);
            }
        });
        context.start();
        return context;
    }

    /** Adds each exchange's body to {@code bodies} and completes it at once. */
    private static AsyncProcessorSupport collectingBodies(List<String> bodies) {
        return new AsyncProcessorSupport() {
            @Override
            public boolean process(Exchange exchange, AsyncCallback callback) {
                bodies.add(exchange.getMessage().getBody(String.class));
                callback.done(true);
                return true;
            }
        };
    }

    /** Completes each exchange after a delay, without holding a thread meanwhile; records completion order. */
    private static final class Delayed extends AsyncProcessorSupport {
        final List<String> done = new CopyOnWriteArrayList<>();
        final long delayMs;

        Delayed(long delayMs) {
            this.delayMs = delayMs;
        }

        @Override
        public boolean process(Exchange exchange, AsyncCallback callback) {
            String key = exchange.getMessage().getHeader(OrderedKafkaConstants.KEY, String.class);
            String value = exchange.getMessage().getBody(String.class);
            TIMER.schedule(() -> {
                done.add(key + "|" + value);
                callback.done(false);
            }, delayMs, TimeUnit.MILLISECONDS);
            return false;
        }
    }

    @Test
    void recordsOfOneKeyKeepTheirOrderWhileKeysRunConcurrently() throws Exception {
        String topic = newTopic();
        int keys = 100;
        int perKey = 5;
        for (int i = 0; i < perKey; i++) {
            for (int k = 0; k < keys; k++) {
                send(topic, "chat-" + k, String.valueOf(i));
            }
        }
        Delayed slow = new Delayed(200);
        long started = System.nanoTime();
        // busy from 50 in flight: the rounds of picking work are 20 ms apart while the 100 keys wait on their records
        camel = start(topic, "g-" + topic, "maxConcurrency=1000&busyThreshold=50&busyPauseMs=200", slow);
        await().atMost(Duration.ofSeconds(30)).until(() -> slow.done.size() == keys * perKey);
        long elapsedMs = (System.nanoTime() - started) / 1_000_000;
        // one at a time would take keys * perKey * 200 ms = 100 s; key-ordered concurrency needs about 5 * 200 ms
        assertThat(elapsedMs).isLessThan(30_000);
        Map<String, List<Integer>> byKey = new ConcurrentHashMap<>();
        slow.done.forEach(entry -> {
            String[] parts = entry.split("\\|");
            byKey.computeIfAbsent(parts[0], k -> new CopyOnWriteArrayList<>()).add(Integer.parseInt(parts[1]));
        });
        assertThat(byKey).hasSize(keys);
        byKey.values().forEach(seq -> assertThat(seq).containsExactly(0, 1, 2, 3, 4));
    }

    @Test
    void inFlightCapPausesConsumptionInsteadOfBuffering() throws Exception {
        String topic = newTopic();
        List<AsyncCallback> parked = new CopyOnWriteArrayList<>();
        AtomicInteger entered = new AtomicInteger();
        camel = start(topic, "g-" + topic, 10, new AsyncProcessorSupport() {
            @Override
            public boolean process(Exchange exchange, AsyncCallback callback) {
                entered.incrementAndGet();
                parked.add(callback);
                return false;
            }
        });
        for (int k = 0; k < 40; k++) {
            send(topic, "key-" + k, "v");
        }
        OrderedKafkaConsumer consumer = (OrderedKafkaConsumer) camel.getRoute("under-test").getConsumer();
        await().atMost(Duration.ofSeconds(30)).until(() -> consumer.inFlight() == 10);
        // while nothing finishes, nothing more may start
        await().during(Duration.ofMillis(800)).atMost(Duration.ofSeconds(3))
                .until(() -> consumer.inFlight() <= 10 && entered.get() <= 10);
        // releasing work lets the rest through, still never more than the cap at once
        await().atMost(Duration.ofSeconds(30)).until(() -> {
            parked.forEach(cb -> cb.done(false));
            parked.clear();
            assertThat(consumer.inFlight()).isLessThanOrEqualTo(10);
            return entered.get() == 40;
        });
        parked.forEach(cb -> cb.done(false));
    }

    @Test
    void anIdleConsumerWaitsForRecordsInsteadOfSpinning() throws Exception {
        String topic = newTopic();
        List<String> bodies = new CopyOnWriteArrayList<>();
        camel = start(topic, "g-" + topic, 10, collectingBodies(bodies));
        for (int k = 0; k < 5; k++) {
            send(topic, "key-" + k, "early-" + k);
        }
        await().atMost(Duration.ofSeconds(30)).until(() -> bodies.size() == 5);
        // below the busy threshold a round skips the library's sleep at its end; with nothing to do, the next round
        // must still block until a record comes: for 2 idle seconds the control threads stay under 400 ms of CPU (a
        // loop that never blocks would burn a whole core meanwhile)
        long before = controlThreadCpuNanos();
        await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(5))
                .until(() -> controlThreadCpuNanos() - before < 400_000_000L);
        // and a record that comes later is picked up
        send(topic, "key-late", "late");
        await().atMost(Duration.ofSeconds(30)).until(() -> bodies.contains("late"));
    }

    /** CPU time of the Parallel Consumer control threads alive now. */
    private static long controlThreadCpuNanos() {
        java.lang.management.ThreadMXBean threads = java.lang.management.ManagementFactory.getThreadMXBean();
        long total = 0;
        for (Thread thread : Thread.getAllStackTraces().keySet()) {
            if (thread.getName().startsWith("pc-control")) {
                total += Math.max(0, threads.getThreadCpuTime(thread.getId()));
            }
        }
        return total;
    }

    @Test
    void aConsumerThatStopsIsReplacedAndTheRouteGoesOn() throws Exception {
        String topic = newTopic();
        Delayed route = new Delayed(0);
        camel = start(topic, "g-" + topic, 100, route);
        send(topic, "k", "before");
        await().atMost(Duration.ofSeconds(30)).until(() -> route.done.size() == 1);
        OrderedKafkaConsumer consumer = (OrderedKafkaConsumer) camel.getRoute("under-test").getConsumer();

        // what a failed control loop leaves behind: a Parallel Consumer that takes no more records
        consumer.processor().close(Duration.ofSeconds(5),
                io.confluent.parallelconsumer.internal.DrainingCloseable.DrainingMode.DONT_DRAIN);
        send(topic, "k", "after");

        await().atMost(Duration.ofSeconds(30)).until(() -> route.done.size() == 2);
        assertThat(consumer.restarts()).isEqualTo(1);
        assertThat(route.done).containsExactly("k|before", "k|after");
    }

    @Test
    void aFailedRecordIsTriedAgainAndLaterRecordsOfItsKeyWait() throws Exception {
        String topic = newTopic();
        Set<String> failedOnce = ConcurrentHashMap.newKeySet();
        List<String> done = new CopyOnWriteArrayList<>();
        camel = start(topic, "g-" + topic, 100, new AsyncProcessorSupport() {
            @Override
            public boolean process(Exchange exchange, AsyncCallback callback) {
                String value = exchange.getMessage().getBody(String.class);
                if (value.equals("first") && failedOnce.add(value)) {
                    exchange.setException(new IllegalStateException("transient"));
                } else {
                    done.add(value);
                }
                callback.done(true);
                return true;
            }
        });
        send(topic, "k", "first");
        send(topic, "k", "second");
        await().atMost(Duration.ofSeconds(30)).until(() -> done.size() == 2);
        assertThat(done).containsExactly("first", "second");
    }

    @Test
    void unfinishedRecordsAreNotCommittedAndComeBackToTheNextConsumer() throws Exception {
        String topic = newTopic();
        String group = "g-" + topic;
        List<String> firstRun = new CopyOnWriteArrayList<>();
        camel = start(topic, group, 100, new AsyncProcessorSupport() {
            @Override
            public boolean process(Exchange exchange, AsyncCallback callback) {
                String value = exchange.getMessage().getBody(String.class);
                firstRun.add(value);
                if (value.startsWith("hang")) {
                    return false; // never completes: simulates a crash mid-call
                }
                callback.done(true);
                return true;
            }
        });
        send(topic, "a", "done-a");
        send(topic, "b", "hang-b");
        await().atMost(Duration.ofSeconds(30)).until(() -> firstRun.containsAll(List.of("done-a", "hang-b")));
        OrderedKafkaConsumer consumer = (OrderedKafkaConsumer) camel.getRoute("under-test").getConsumer();
        await().atMost(Duration.ofSeconds(10)).until(() -> consumer.inFlight() == 1);
        camel.close();
        camel = null;

        List<String> secondRun = new CopyOnWriteArrayList<>();
        camel = start(topic, group, 100, collectingBodies(secondRun));
        await().atMost(Duration.ofSeconds(40)).until(() -> secondRun.contains("hang-b"));
        assertThat(secondRun).doesNotContain("done-a");
    }

    @Test
    void aPartitionTakenOverResumesAtItsCommittedOffsetWhateverTheOffsetMapClaims() throws Exception {
        String topic = newTopic();
        String group = "g-" + topic;
        int partition = -1;
        for (int i = 0; i < 6; i++) {
            partition = producer.send(new ProducerRecord<>(topic, "k", ("m" + i).getBytes(StandardCharsets.UTF_8)))
                    .get().partition();
        }
        // a commit the Parallel Consumer can leave behind when records complete while it commits: offset 2, with an
        // offset map (its own encoding) that calls 3, 4 and 5 finished although no consumer ever processed them
        byte[] map = new OffsetSimultaneousEncoder(2, 5, new TreeSet<>(Set.of(2L))).invoke().packSmallest();
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", brokers))) {
            admin.alterConsumerGroupOffsets(group, Map.of(new TopicPartition(topic, partition),
                    new OffsetAndMetadata(2, Base64.getEncoder().encodeToString(map)))).all().get(30, TimeUnit.SECONDS);
        }

        List<String> seen = new CopyOnWriteArrayList<>();
        camel = start(topic, group, 10, collectingBodies(seen));
        await().atMost(Duration.ofSeconds(40)).untilAsserted(() -> assertThat(seen)
                .as("every record from the committed offset on, in order").containsExactly("m2", "m3", "m4", "m5"));
    }

    /**
     * A crash leaves the group with whatever commit came last. While records finish far out of offset order, the
     * commits are sampled; the one kept is, if any, a commit whose offset map calls a record finished that was not
     * (the Parallel Consumer writes such maps), else the last one. After the consumer stops, the group is set back
     * to that commit, as if the process had died right after writing it, and a new consumer must process every record
     * that was not finished at that moment.
     */
    @Test
    void aCrashAtAnyCommitLosesNoRecordEvenWhenItsOffsetMapIsWrong() throws Exception {
        String topic = newTopic();
        String group = "g-" + topic;
        int records = 20_000;
        // one record per partition first, each awaited: every partition has its leader before the burst
        for (int partition = 0; partition < PARTITIONS; partition++) {
            producer.send(new ProducerRecord<>(topic, partition, "warm-up", new byte[0])).get(60, TimeUnit.SECONDS);
        }
        List<Future<RecordMetadata>> sent = new ArrayList<>();
        for (int i = 0; i < records; i++) {
            sent.add(producer.send(new ProducerRecord<>(topic, "k" + i % 2000,
                    ("r" + i).getBytes(StandardCharsets.UTF_8))));
        }
        producer.flush();
        Set<String> all = new HashSet<>();
        for (var written : sent) {
            RecordMetadata metadata = written.get();
            all.add(metadata.partition() + "@" + metadata.offset());
        }
        // many keys in flight, each record finishing after a random delay: the highest finished offset keeps jumping
        // ahead of unfinished records while offsets are committed
        Set<String> finished = ConcurrentHashMap.newKeySet();
        AsyncProcessorSupport outOfOrder = new AsyncProcessorSupport() {
            @Override
            public boolean process(Exchange exchange, AsyncCallback callback) {
                String position = exchange.getMessage().getHeader(OrderedKafkaConstants.PARTITION) + "@"
                        + exchange.getMessage().getHeader(OrderedKafkaConstants.OFFSET);
                TIMER.schedule(() -> {
                    finished.add(position);
                    callback.done(false);
                }, ThreadLocalRandom.current().nextInt(40), TimeUnit.MILLISECONDS);
                return false;
            }
        };
        camel = start(topic, group, 2000, outOfOrder);
        Map<TopicPartition, OffsetAndMetadata> crashCommit = Map.of();
        Set<String> finishedAtCrash = Set.of();
        int wrongClaims = 0;
        Map<TopicPartition, OffsetAndMetadata> leftByTheCrash = new HashMap<>();
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", brokers))) {
            while (finished.size() < records / 2 && wrongClaims == 0) {
                Map<TopicPartition, OffsetAndMetadata> commit = admin.listConsumerGroupOffsets(group)
                        .partitionsToOffsetAndMetadata().get(10, TimeUnit.SECONDS);
                Set<String> finishedNow = Set.copyOf(finished);
                if (!commit.isEmpty()) {
                    crashCommit = commit;
                    finishedAtCrash = finishedNow;
                    wrongClaims = claimedButUnfinished(commit, finishedNow);
                }
            }
            camel.close();
            camel = null;
            assertThat(crashCommit).as("a commit to crash after").isNotEmpty();
            // a partition without a commit at that moment starts from its beginning after the crash, as it would
            leftByTheCrash.putAll(crashCommit);
            for (int partition = 0; partition < PARTITIONS; partition++) {
                leftByTheCrash.putIfAbsent(new TopicPartition(topic, partition), new OffsetAndMetadata(0));
            }
            System.out.printf("[OrderedKafkaConsumerTest] crash after a commit whose offset maps call %d unfinished "
                    + "records finished; %d of %d records finished by then%n", wrongClaims, finishedAtCrash.size(),
                    records);
            admin.alterConsumerGroupOffsets(group, leftByTheCrash).all().get(30, TimeUnit.SECONDS);
        }
        finished.clear();
        camel = start(topic, group, 2000, outOfOrder);
        Set<String> atCrash = finishedAtCrash;
        await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(200)).untilAsserted(() -> {
            List<String> missing = all.stream().filter(p -> !atCrash.contains(p) && !finished.contains(p))
                    .sorted().toList();
            assertThat(missing).as("records unfinished at the crash and never processed after it (%d; committed "
                    + "offsets %s)", missing.size(), leftByTheCrash.entrySet().stream()
                            .map(e -> e.getKey().partition() + "=" + e.getValue().offset()).sorted().toList())
                    .isEmpty();
        });
    }

    /** How many records the offset maps of {@code commit} (decoded as the Parallel Consumer does) wrongly call done. */
    private static int claimedButUnfinished(Map<TopicPartition, OffsetAndMetadata> commit, Set<String> finished)
            throws Exception {
        int wrong = 0;
        for (var entry : commit.entrySet()) {
            OffsetAndMetadata committed = entry.getValue();
            if (committed == null || committed.metadata() == null || committed.metadata().isEmpty()) {
                continue;
            }
            var map = OffsetMapCodecManager.deserialiseIncompleteOffsetMapFromBase64(committed.offset(),
                    committed.metadata());
            long highest = map.getHighestSeenOffset().orElse(committed.offset() - 1);
            for (long offset = committed.offset(); offset <= highest; offset++) {
                if (!map.getIncompleteOffsets().contains(offset)
                        && !finished.contains(entry.getKey().partition() + "@" + offset)) {
                    wrong++;
                }
            }
        }
        return wrong;
    }
}
