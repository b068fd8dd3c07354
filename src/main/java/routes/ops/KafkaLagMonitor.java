package routes.ops;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Set;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListOffsetsResult;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;
import routes.infra.KafkaProperties;

/**
 * Reads from the broker, every {@code caravan.ops.lag-interval}, how far Caravan's consumer groups are behind
 * ({@code caravan_kafka_consumer_lag{group,topic}}: records not yet committed) and how many records the dead
 * letter topic holds ({@code caravan_dlq_messages}). Asked of the broker rather than of the consumers, so the
 * figure is the same on every instance and true even while no consumer runs.
 */
@Component
public class KafkaLagMonitor {

    private static final Logger LOG = LoggerFactory.getLogger(KafkaLagMonitor.class);
    /** The consumer groups Caravan runs. */
    static final String PIPELINE = "caravan-pipeline";
    static final List<String> GROUPS = List.of(PIPELINE, "caravan-egress");

    private final Admin admin;
    private final KafkaProperties kafka;
    private final MeterRegistry meters;
    private final Map<String, AtomicLong> lags = new ConcurrentHashMap<>();
    private final AtomicLong dlq = new AtomicLong();

    public KafkaLagMonitor(Admin admin, KafkaProperties kafka, MeterRegistry meters) {
        this.admin = admin;
        this.kafka = kafka;
        this.meters = meters;
        Gauge.builder("caravan.dlq.messages", dlq, AtomicLong::get)
                .description("Records held on the dead letter topic").register(meters);
    }

    /** Records on the dead letter topic at the last reading. */
    public long dlqSize() {
        return dlq.get();
    }

    @Scheduled(fixedDelayString = "${caravan.ops.lag-interval:15s}", initialDelayString = "${caravan.ops.lag-interval:15s}")
    public void refresh() {
        try {
            for (String group : GROUPS) {
                Map<TopicPartition, OffsetAndMetadata> committed = admin.listConsumerGroupOffsets(group)
                        .partitionsToOffsetAndMetadata().get(10, TimeUnit.SECONDS);
                // the pipeline's inbound topics count from their first record until the group commits there: a
                // backlog on a topic nobody has consumed yet (a consumer that never started) is lag too
                Set<TopicPartition> partitions = new HashSet<>(committed.keySet());
                if (PIPELINE.equals(group)) {
                    partitions.addAll(partitionsOf(inboundTopics()));
                }
                if (partitions.isEmpty()) {
                    continue;
                }
                Map<TopicPartition, Long> ends = offsets(partitions, OffsetSpec.latest());
                Map<TopicPartition, Long> starts = offsets(partitions.stream()
                        .filter(tp -> committed.get(tp) == null).toList(), OffsetSpec.earliest());
                Map<String, Long> perTopic = new HashMap<>();
                for (TopicPartition tp : partitions) {
                    OffsetAndMetadata offset = committed.get(tp);
                    long done = offset != null ? offset.offset() : starts.getOrDefault(tp, 0L);
                    perTopic.merge(tp.topic(), Math.max(0, ends.getOrDefault(tp, 0L) - done), Long::sum);
                }
                perTopic.forEach((topic, lag) -> gauge(group, topic).set(lag));
            }
            String dlqTopic = kafka.getTopics().getDlq();
            var description = admin.describeTopics(List.of(dlqTopic)).allTopicNames().get(10, TimeUnit.SECONDS);
            List<TopicPartition> partitions = description.get(dlqTopic).partitions().stream()
                    .map(p -> new TopicPartition(dlqTopic, p.partition())).toList();
            Map<TopicPartition, Long> ends = offsets(partitions, OffsetSpec.latest());
            Map<TopicPartition, Long> starts = offsets(partitions, OffsetSpec.earliest());
            dlq.set(partitions.stream().mapToLong(tp -> ends.getOrDefault(tp, 0L) - starts.getOrDefault(tp, 0L))
                    .sum());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Exception e) {
            LOG.debug("could not read consumer lag: {}", e.toString());
        }
    }

    private List<String> inboundTopics() {
        return java.util.Arrays.stream(routes.envelope.Priority.values()).map(kafka.getTopics()::inbound).toList();
    }

    private List<TopicPartition> partitionsOf(List<String> topics) throws Exception {
        return admin.describeTopics(topics).allTopicNames().get(10, TimeUnit.SECONDS).values().stream()
                .flatMap(d -> d.partitions().stream().map(p -> new TopicPartition(d.name(), p.partition())))
                .toList();
    }

    private Map<TopicPartition, Long> offsets(java.util.Collection<TopicPartition> partitions, OffsetSpec spec)
            throws Exception {
        if (partitions.isEmpty()) {
            return Map.of();
        }
        Map<TopicPartition, OffsetSpec> request = new HashMap<>();
        partitions.forEach(tp -> request.put(tp, spec));
        Map<TopicPartition, ListOffsetsResult.ListOffsetsResultInfo> result = admin.listOffsets(request).all()
                .get(10, TimeUnit.SECONDS);
        Map<TopicPartition, Long> offsets = new HashMap<>();
        result.forEach((tp, info) -> offsets.put(tp, info.offset()));
        return offsets;
    }

    private AtomicLong gauge(String group, String topic) {
        return lags.computeIfAbsent(group + "|" + topic, k -> {
            AtomicLong value = new AtomicLong();
            Gauge.builder("caravan.kafka.consumer.lag", value, AtomicLong::get)
                    .description("Records of the topic not yet processed and committed by the group")
                    .tag("group", group).tag("topic", topic).register(meters);
            return value;
        });
    }
}
