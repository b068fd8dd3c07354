package routes.reliability;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.admin.MemberDescription;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

/** Looks into a Caravan's Kafka from the outside: topic contents, consumer group progress and membership. */
final class KafkaProbe implements AutoCloseable {

    private final String bootstrap;
    private final Admin admin;

    KafkaProbe(String bootstrap) {
        this.bootstrap = bootstrap;
        this.admin = Admin.create(Map.of(
                AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                AdminClientConfig.CLIENT_ID_CONFIG, "reliability-probe",
                AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 5000,
                AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 10000));
    }

    /** Every record of {@code topic}, partition by partition, each partition in offset order. */
    List<ConsumerRecord<String, byte[]>> readAll(String topic, Duration timeout) {
        Properties props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        props.put(ConsumerConfig.CLIENT_ID_CONFIG, "reliability-reader");
        try (var consumer = new KafkaConsumer<>(props, new StringDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> partitions = consumer.partitionsFor(topic, timeout).stream()
                    .map(p -> new TopicPartition(topic, p.partition()))
                    .sorted(Comparator.comparingInt(TopicPartition::partition))
                    .toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions, timeout);
            Map<TopicPartition, List<ConsumerRecord<String, byte[]>>> byPartition = new HashMap<>();
            long deadline = System.nanoTime() + timeout.toNanos();
            while (partitions.stream().anyMatch(tp -> consumer.position(tp) < end.get(tp))) {
                if (System.nanoTime() > deadline) {
                    throw new AssertionError("could not read " + topic + " to its end within " + timeout);
                }
                for (var record : consumer.poll(Duration.ofMillis(200))) {
                    byPartition.computeIfAbsent(new TopicPartition(record.topic(), record.partition()),
                            k -> new ArrayList<>()).add(record);
                }
            }
            List<ConsumerRecord<String, byte[]>> all = new ArrayList<>();
            for (TopicPartition tp : partitions) {
                all.addAll(byPartition.getOrDefault(tp, List.of()));
            }
            return all;
        }
    }

    /**
     * Whether {@code group} has committed every partition of {@code topic} up to its end: the records there are
     * all processed, nothing is in flight or waiting to be redelivered.
     */
    boolean caughtUp(String group, String topic) {
        try {
            return positions(group, topic).values().stream().allMatch(p -> p[0] >= p[1]);
        } catch (Exception e) {
            return false;
        }
    }

    /** The partitions of {@code topic} that {@code group} has not committed to their end, as "p: committed/end". */
    String behind(String group, String topic) {
        try {
            return positions(group, topic).entrySet().stream()
                    .filter(e -> e.getValue()[0] < e.getValue()[1])
                    .map(e -> e.getKey().partition() + ": " + e.getValue()[0] + "/" + e.getValue()[1])
                    .sorted()
                    .collect(Collectors.joining(", ", group + " on " + topic + " [", "]"));
        } catch (Exception e) {
            return group + " on " + topic + ": " + e;
        }
    }

    /** Per partition of {@code topic}: the offset {@code group} committed (0 if none) and the end offset. */
    private Map<TopicPartition, long[]> positions(String group, String topic) throws Exception {
        Map<TopicPartition, OffsetAndMetadata> committed = admin.listConsumerGroupOffsets(group)
                .partitionsToOffsetAndMetadata().get(5, TimeUnit.SECONDS);
        var description = admin.describeTopics(List.of(topic)).allTopicNames().get(5, TimeUnit.SECONDS).get(topic);
        Map<TopicPartition, OffsetSpec> latest = description.partitions().stream()
                .collect(Collectors.toMap(p -> new TopicPartition(topic, p.partition()), p -> OffsetSpec.latest()));
        Map<TopicPartition, long[]> positions = new HashMap<>();
        admin.listOffsets(latest).all().get(5, TimeUnit.SECONDS).forEach((tp, end) -> {
            OffsetAndMetadata done = committed.get(tp);
            positions.put(tp, new long[] {done == null ? 0 : done.offset(), end.offset()});
        });
        return positions;
    }

    /** The number of partitions of {@code topic}. */
    int partitions(String topic) {
        try {
            return admin.describeTopics(List.of(topic)).allTopicNames().get(10, TimeUnit.SECONDS).get(topic)
                    .partitions().size();
        } catch (Exception e) {
            throw new AssertionError("cannot describe " + topic, e);
        }
    }

    /** The partition the default partitioner picks for a record with this key. */
    static int partitionFor(String key, int partitions) {
        return org.apache.kafka.common.utils.Utils.toPositive(
                org.apache.kafka.common.utils.Utils.murmur2(key.getBytes(java.nio.charset.StandardCharsets.UTF_8)))
                % partitions;
    }

    /** Members of {@code group} holding partitions of {@code topic}: member id to the partitions it holds. */
    Map<String, List<Integer>> holders(String group, String topic) {
        try {
            ConsumerGroupDescription d = admin.describeConsumerGroups(List.of(group)).all()
                    .get(5, TimeUnit.SECONDS).get(group);
            Map<String, List<Integer>> holders = new HashMap<>();
            for (MemberDescription m : d.members()) {
                List<Integer> mine = m.assignment().topicPartitions().stream()
                        .filter(tp -> tp.topic().equals(topic))
                        .map(TopicPartition::partition)
                        .sorted()
                        .toList();
                if (!mine.isEmpty()) {
                    holders.put(m.consumerId(), mine);
                }
            }
            return holders;
        } catch (Exception e) {
            return Map.of();
        }
    }

    @Override
    public void close() {
        admin.close(Duration.ofSeconds(5));
    }
}
