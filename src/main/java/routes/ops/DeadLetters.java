package routes.ops;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.springframework.stereotype.Component;
import routes.envelope.Envelope;
import routes.envelope.EnvelopeCodec;
import routes.infra.KafkaProperties;

/**
 * Reads the dead letter topic for operators and re-drives a record: its original bytes go back to the topic they
 * came from, with their key, and are processed again (a dead-lettered message was never marked as done, so the
 * dedupe lets it through once more).
 */
@Component
public class DeadLetters {

    private static final Duration POLL = Duration.ofSeconds(5);

    private final KafkaProperties kafka;

    public DeadLetters(KafkaProperties kafka) {
        this.kafka = kafka;
    }

    /** One dead-lettered record, without its text. */
    public record Entry(int partition, long offset, String key, String reason, String sourceTopic,
            String sourcePosition, String route, String at, int bytes, String messageId, String channel,
            String chatId) {
    }

    /** The newest {@code limit} records, newest first. */
    public List<Entry> newest(int limit) {
        List<Entry> entries = new ArrayList<>();
        try (KafkaConsumer<String, byte[]> consumer = consumer()) {
            List<TopicPartition> partitions = partitions(consumer);
            consumer.assign(partitions);
            Map<TopicPartition, Long> ends = consumer.endOffsets(partitions, POLL);
            Map<TopicPartition, Long> starts = consumer.beginningOffsets(partitions, POLL);
            for (TopicPartition tp : partitions) {
                consumer.seek(tp, Math.max(starts.get(tp), ends.get(tp) - limit));
            }
            long deadline = System.nanoTime() + POLL.toNanos();
            while (System.nanoTime() < deadline && partitions.stream()
                    .anyMatch(tp -> consumer.position(tp, POLL) < ends.get(tp))) {
                consumer.poll(Duration.ofMillis(200)).forEach(r -> entries.add(entry(r)));
            }
        }
        entries.sort(Comparator.comparing(Entry::at, Comparator.nullsFirst(Comparator.naturalOrder())).reversed());
        return entries.size() > limit ? entries.subList(0, limit) : entries;
    }

    /** Sends record {@code partition@offset} back to where it came from; empty when there is no such record. */
    public Optional<Entry> redrive(int partition, long offset) throws Exception {
        ConsumerRecord<String, byte[]> record;
        try (KafkaConsumer<String, byte[]> consumer = consumer()) {
            TopicPartition tp = new TopicPartition(kafka.getTopics().getDlq(), partition);
            if (!partitions(consumer).contains(tp)) {
                return Optional.empty();
            }
            consumer.assign(List.of(tp));
            consumer.seek(tp, offset);
            record = null;
            long deadline = System.nanoTime() + POLL.toNanos();
            while (record == null && System.nanoTime() < deadline) {
                for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                    if (r.offset() == offset) {
                        record = r;
                    }
                    break;
                }
                if (consumer.position(tp, POLL) > offset && record == null) {
                    break;
                }
            }
        }
        if (record == null) {
            return Optional.empty();
        }
        Entry entry = entry(record);
        if (entry.sourceTopic() == null || entry.sourceTopic().isBlank() || "null".equals(entry.sourceTopic())) {
            throw new IllegalArgumentException("the record does not say which topic it came from");
        }
        try (KafkaProducer<String, byte[]> producer = producer()) {
            producer.send(new ProducerRecord<>(entry.sourceTopic(), record.key(), record.value()))
                    .get(30, TimeUnit.SECONDS);
        }
        return Optional.of(entry);
    }

    private List<TopicPartition> partitions(KafkaConsumer<String, byte[]> consumer) {
        String topic = kafka.getTopics().getDlq();
        return consumer.partitionsFor(topic, POLL).stream().map(p -> new TopicPartition(topic, p.partition()))
                .toList();
    }

    /** What a record of the dead-letter topic says of itself: its position, its headers, the message it holds. */
    public static Entry entry(ConsumerRecord<String, byte[]> r) {
        String id = null;
        String channel = null;
        String chat = null;
        try {
            Envelope envelope = EnvelopeCodec.decode(r.value());
            id = envelope.id();
            channel = envelope.channel();
            chat = envelope.chatId();
        } catch (RuntimeException e) {
            // undecodable bytes are what brought some records here
        }
        return new Entry(r.partition(), r.offset(), r.key(), header(r, "caravan-dlq-reason"),
                header(r, "caravan-dlq-source-topic"), header(r, "caravan-dlq-source-position"),
                header(r, "caravan-dlq-route"), header(r, "caravan-dlq-at"), r.value() == null ? 0 : r.value().length,
                id, channel, chat);
    }

    private static String header(ConsumerRecord<?, ?> r, String name) {
        Header h = r.headers().lastHeader(name);
        return h == null ? null : new String(h.value(), StandardCharsets.UTF_8);
    }

    private KafkaConsumer<String, byte[]> consumer() {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.getBootstrapServers());
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        p.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 500);
        return new KafkaConsumer<>(p, new StringDeserializer(), new ByteArrayDeserializer());
    }

    private KafkaProducer<String, byte[]> producer() {
        Map<String, Object> p = new LinkedHashMap<>();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.getBootstrapServers());
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        return new KafkaProducer<>(p, new StringSerializer(), new ByteArraySerializer());
    }
}
