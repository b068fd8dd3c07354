package routes.support;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.function.Predicate;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

/** Plain Kafka clients for tests that write records the way a channel would, or read what Caravan wrote. */
public final class KafkaTestSupport implements AutoCloseable {

    private final String brokers;
    private final KafkaProducer<String, byte[]> producer;

    public KafkaTestSupport(String brokers) {
        this.brokers = brokers;
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, brokers);
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        this.producer = new KafkaProducer<>(p, new StringSerializer(), new ByteArraySerializer());
    }

    public void send(String topic, String key, byte[] value) {
        send(topic, key, value, java.util.Map.of());
    }

    /** Writes a record with string headers and waits for the broker to have it. */
    public void send(String topic, String key, byte[] value, java.util.Map<String, String> headers) {
        try {
            ProducerRecord<String, byte[]> record = new ProducerRecord<>(topic, key, value);
            headers.forEach((k, v) -> record.headers().add(k, v.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
            producer.send(record).get();
        } catch (Exception e) {
            throw new IllegalStateException("could not write the test record", e);
        }
    }

    /**
     * Reads {@code topic} from the beginning until {@code done} holds for the records matching {@code filter}, or
     * the timeout passes; returns the matching records in partition order.
     */
    public List<ConsumerRecord<String, byte[]>> readUntil(String topic, Predicate<ConsumerRecord<String, byte[]>> filter,
            Predicate<List<ConsumerRecord<String, byte[]>>> done, Duration timeout) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, brokers);
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(p, new StringDeserializer(),
                new ByteArrayDeserializer())) {
            long deadline = System.nanoTime() + timeout.toNanos();
            // a topic written for the first time a moment ago may not have its partitions known yet
            List<TopicPartition> partitions = new ArrayList<>();
            try {
                org.awaitility.Awaitility.await().atMost(timeout).pollInSameThread().pollInterval(Duration.ofMillis(100))
                        .until(() -> {
                    consumer.partitionsFor(topic, Duration.ofSeconds(5))
                            .forEach(info -> partitions.add(new TopicPartition(topic, info.partition())));
                    return !partitions.isEmpty();
                });
            } catch (org.awaitility.core.ConditionTimeoutException e) {
                return new ArrayList<>();
            }
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            List<ConsumerRecord<String, byte[]>> matched = new ArrayList<>();
            while (System.nanoTime() < deadline) {
                for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(200))) {
                    if (filter.test(record)) {
                        matched.add(record);
                    }
                }
                if (done.test(matched)) {
                    return matched;
                }
            }
            return matched;
        }
    }

    /** Accepts {@code message} as an ingress would: onto the inbound topic of its priority, keyed by its chat. */
    public void accept(routes.envelope.Envelope message) {
        String topic = switch (message.priority() == null ? routes.envelope.Priority.REALTIME : message.priority()) {
            case URGENT -> "caravan.inbound.urgent";
            case BATCH -> "caravan.inbound.batch";
            case LOW -> "caravan.inbound.low";
            default -> "caravan.inbound";
        };
        send(topic, message.kafkaKey(), routes.envelope.EnvelopeCodec.encode(message));
    }

    /** Accepts {@code message} and waits for its reply on its channel's outbound topic. */
    public routes.envelope.Envelope ask(routes.envelope.Envelope message, Duration timeout) {
        List<routes.envelope.Envelope> replies = repliesTo(message, 1, timeout, true);
        if (replies.isEmpty()) {
            throw new AssertionError("no reply to " + message.id() + " within " + timeout);
        }
        return replies.get(0);
    }

    /** The replies to {@code message} seen within {@code timeout} (stops at {@code expected} unless exact). */
    public List<routes.envelope.Envelope> repliesTo(routes.envelope.Envelope message, int expected, Duration timeout,
            boolean sendFirst) {
        if (sendFirst) {
            accept(message);
        }
        return readUntil("caravan.outbound." + message.channel(), r -> message.kafkaKey().equals(r.key()),
                        list -> list.stream().filter(r -> message.id().equals(
                                routes.envelope.EnvelopeCodec.decode(r.value()).inReplyTo())).count() >= expected,
                        timeout)
                .stream().map(r -> routes.envelope.EnvelopeCodec.decode(r.value()))
                .filter(e -> message.id().equals(e.inReplyTo())).toList();
    }

    /** End offsets of a topic, to check that nothing more was written. */
    public Map<TopicPartition, Long> endOffsets(String topic) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, brokers);
        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(p, new StringDeserializer(),
                new ByteArrayDeserializer())) {
            List<TopicPartition> partitions = consumer.partitionsFor(topic, Duration.ofSeconds(10)).stream()
                    .map(info -> new TopicPartition(topic, info.partition()))
                    .toList();
            return consumer.endOffsets(partitions);
        }
    }

    @Override
    public void close() {
        producer.close();
    }
}
