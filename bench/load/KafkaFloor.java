import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * The Kafka part of one OpenAI-compatible request, and nothing else: what the Kafka hops alone cost on this machine.
 *
 * <p>A request is what Caravan does with Kafka for one message: the ingress produces the message to an inbound
 * topic and waits for its acknowledgement; a pipeline consumer reads it and produces the reply to an outbound topic
 * and {@code --extra-records} more records (usage) to a third topic; an egress consumer reads the reply and completes
 * the request. The producers are configured as Caravan's (acks=all, idempotent, linger 0, five in flight); the
 * consumers are plain poll loops that commit asynchronously after each poll, lighter than the Parallel Consumer
 * Caravan runs. No HTTP, no Redis, no model call, no JSON: so the rate measured here is an upper bound for the full
 * pipeline on the same machine, and its CPU per request a lower bound.
 *
 * <p>Closed loop: {@code --concurrency} requests outstanding, keys spread over {@code --keys} chats. Prints and writes
 * ({@code --out}) JSON: requests/s, latency percentiles, this process's CPU per request. The broker's CPU is read by
 * the calling script from its process.
 *
 * <pre>
 * java -cp kafka-clients.jar:slf4j-api.jar:... bench/load/KafkaFloor.java --bootstrap 127.0.0.1:9092 --duration-s 20
 * </pre>
 */
public final class KafkaFloor {

    public static void main(String[] args) throws Exception {
        String bootstrap = null;
        int concurrency = 64;
        int keys = 1000;
        int warmupS = 5;
        int durationS = 20;
        int extraRecords = 1;
        int partitions = 4;
        int valueBytes = 600;
        Path out = null;
        for (int i = 0; i < args.length; i++) {
            String v = i + 1 < args.length ? args[i + 1] : null;
            switch (args[i]) {
                case "--bootstrap" -> { bootstrap = v; i++; }
                case "--concurrency" -> { concurrency = Integer.parseInt(v); i++; }
                case "--keys" -> { keys = Integer.parseInt(v); i++; }
                case "--warmup-s" -> { warmupS = Integer.parseInt(v); i++; }
                case "--duration-s" -> { durationS = Integer.parseInt(v); i++; }
                case "--extra-records" -> { extraRecords = Integer.parseInt(v); i++; }
                case "--partitions" -> { partitions = Integer.parseInt(v); i++; }
                case "--value-bytes" -> { valueBytes = Integer.parseInt(v); i++; }
                case "--out" -> { out = Path.of(v); i++; }
                default -> throw new IllegalArgumentException("unknown option " + args[i]);
            }
        }
        if (bootstrap == null || !(bootstrap.startsWith("127.") || bootstrap.startsWith("localhost:"))) {
            throw new IllegalArgumentException("--bootstrap must be a loopback address");
        }
        String run = "floor-" + UUID.randomUUID().toString().substring(0, 8);
        String in = run + ".in";
        String outbound = run + ".out";
        String usage = run + ".usage";
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", bootstrap))) {
            short rf = 1;
            admin.createTopics(List.of(new NewTopic(in, partitions, rf), new NewTopic(outbound, partitions, rf),
                    new NewTopic(usage, partitions, rf))).all().get(30, TimeUnit.SECONDS);
        }
        byte[] value = new byte[valueBytes];
        Arrays.fill(value, (byte) 'x');

        Map<String, CompletableFuture<Long>> waiting = new ConcurrentHashMap<>();
        AtomicBoolean running = new AtomicBoolean(true);
        KafkaProducer<String, byte[]> ingress = new KafkaProducer<>(producer(bootstrap, run + "-ingress"));
        KafkaProducer<String, byte[]> pipelineOut = new KafkaProducer<>(producer(bootstrap, run + "-pipeline"));
        KafkaProducer<String, byte[]> usageOut = new KafkaProducer<>(producer(bootstrap, run + "-usage"));
        int extra = extraRecords;
        Thread pipeline = loop(bootstrap, run + "-pipeline", in, running, records -> {
            for (ConsumerRecord<String, byte[]> record : records) {
                pipelineOut.send(new ProducerRecord<>(outbound, record.key(), record.value()));
                for (int e = 0; e < extra; e++) {
                    usageOut.send(new ProducerRecord<>(usage, "model", value));
                }
            }
        });
        Thread egress = loop(bootstrap, run + "-egress", outbound, running, records -> {
            for (ConsumerRecord<String, byte[]> record : records) {
                String id = new String(record.value(), 0, 36, StandardCharsets.US_ASCII);
                CompletableFuture<Long> done = waiting.remove(id);
                if (done != null) {
                    done.complete(System.nanoTime());
                }
            }
        });

        long[] latencies = new long[4_000_000];
        AtomicLong measured = new AtomicLong();
        AtomicLong errors = new AtomicLong();
        Semaphore slots = new Semaphore(concurrency);
        long start = System.nanoTime();
        long measureFrom = start + TimeUnit.SECONDS.toNanos(warmupS);
        long end = measureFrom + TimeUnit.SECONDS.toNanos(durationS);
        long cpuAtMeasure = -1;
        long sent = 0;
        while (true) {
            long now = System.nanoTime();
            if (now >= end) {
                break;
            }
            if (cpuAtMeasure < 0 && now >= measureFrom) {
                cpuAtMeasure = cpu();
            }
            if (!slots.tryAcquire(100, TimeUnit.MILLISECONDS)) {
                continue;
            }
            String id = UUID.randomUUID().toString();
            byte[] body = value.clone();
            System.arraycopy(id.getBytes(StandardCharsets.US_ASCII), 0, body, 0, 36);
            long began = System.nanoTime();
            CompletableFuture<Long> done = new CompletableFuture<>();
            waiting.put(id, done);
            done.orTimeout(10, TimeUnit.SECONDS).whenComplete((at, failure) -> {
                slots.release();
                if (began < measureFrom || began >= end) {
                    return;
                }
                if (failure != null) {
                    errors.incrementAndGet();
                    waiting.remove(id);
                    return;
                }
                long n = measured.getAndIncrement();
                if (n < latencies.length) {
                    latencies[(int) n] = at - began;
                }
            });
            ingress.send(new ProducerRecord<>(in, "chat:" + (sent++ % keys), body), (metadata, failure) -> {
                if (failure != null) {
                    done.completeExceptionally(failure);
                }
            });
        }
        long cpuEnd = cpu();
        slots.acquire(concurrency);
        running.set(false);
        pipeline.join();
        egress.join();
        ingress.close();
        pipelineOut.close();
        usageOut.close();
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", bootstrap))) {
            admin.deleteTopics(List.of(in, outbound, usage)).all().get(30, TimeUnit.SECONDS);
        }

        int n = (int) Math.min(measured.get(), latencies.length);
        long[] sorted = Arrays.copyOf(latencies, n);
        Arrays.sort(sorted);
        double rate = measured.get() / (double) durationS;
        String json = String.format(java.util.Locale.ROOT,
                "{\"concurrency\":%d,\"keys\":%d,\"extra_records\":%d,\"partitions\":%d,\"value_bytes\":%d,"
                        + "\"duration_s\":%d,\"requests\":%d,\"errors\":%d,\"throughput\":%.1f,"
                        + "\"latency_ms\":{\"p50\":%.3f,\"p99\":%.3f,\"max\":%.3f},\"client_cpu_ms\":%.1f,"
                        + "\"client_cpu_ms_per_request\":%.4f}",
                concurrency, keys, extraRecords, partitions, valueBytes, durationS, measured.get(), errors.get(), rate,
                pct(sorted, 0.50), pct(sorted, 0.99), pct(sorted, 1.0), (cpuEnd - cpuAtMeasure) / 1e6,
                measured.get() == 0 ? 0 : (cpuEnd - cpuAtMeasure) / 1e6 / measured.get());
        System.out.println(json);
        if (out != null) {
            Files.writeString(out, json + "\n");
        }
    }

    private static double pct(long[] sorted, double q) {
        if (sorted.length == 0) {
            return 0;
        }
        int i = (int) Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1);
        return sorted[Math.max(0, i)] / 1e6;
    }

    private static long cpu() {
        return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
                .getProcessCpuTime();
    }

    private static Properties producer(String bootstrap, String clientId) {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ProducerConfig.CLIENT_ID_CONFIG, clientId);
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        p.put(ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, 5);
        p.put(ProducerConfig.LINGER_MS_CONFIG, 0);
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class);
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
        return p;
    }

    private interface Batch {
        void accept(Iterable<ConsumerRecord<String, byte[]>> records);
    }

    private static Thread loop(String bootstrap, String group, String topic, AtomicBoolean running, Batch handler) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ConsumerConfig.GROUP_ID_CONFIG, group);
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class);
        p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
        KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(p);
        Thread thread = new Thread(() -> {
            try (consumer) {
                consumer.subscribe(List.of(topic));
                while (running.get()) {
                    var records = consumer.poll(Duration.ofMillis(100));
                    if (!records.isEmpty()) {
                        handler.accept(records);
                        consumer.commitAsync();
                    }
                }
            }
        }, group);
        thread.start();
        return thread;
    }
}
