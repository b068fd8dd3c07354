package routes.infra.kafka;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * The Kafka consumer handed to the Parallel Consumer: a plain {@link KafkaConsumer} whose committed offsets come back
 * without their metadata, so a partition taken over (start-up after a crash, a rebalance) resumes at its committed
 * offset and every record from there is processed again.
 *
 * <p>Beside each committed offset the Parallel Consumer writes a map of the records above it that it already
 * finished, and on taking a partition over it skips the records the map calls finished. Version 0.5.3.3 can write a
 * map that calls unfinished records finished: while records keep finishing, it takes the set of unfinished records
 * and the highest finished offset at different moments, so the unfinished records that lie between the two readings
 * are written down as finished (it also encodes the map against one reading of the offset to commit and commits
 * another). The fixes are only in the library's maintained fork (0.6.0.0, new Maven coordinates), which the Maven
 * Central this build uses does not serve. With many records in flight such maps are common (OrderedKafkaConsumerTest
 * finds one in most runs, calling 60 to 260 unfinished records finished), and a crash right after one lost those
 * records.
 *
 * <p>Without the map nothing is skipped: what was finished above the committed offset comes again and is dropped as
 * a duplicate downstream (the pipeline's dedupe keys, the egress delivery marks), the contract every Caravan route
 * keeps anyway. The cost is paid only when a partition changes hands: the records finished above its committed offset
 * are read and deduplicated once more.
 */
final class CommittedOffsetConsumer extends KafkaConsumer<String, byte[]> {

    CommittedOffsetConsumer(Properties properties) {
        super(properties, new StringDeserializer(), new ByteArrayDeserializer());
    }

    @Override
    public Map<TopicPartition, OffsetAndMetadata> committed(Set<TopicPartition> partitions) {
        return withoutMetadata(super.committed(partitions));
    }

    @Override
    public Map<TopicPartition, OffsetAndMetadata> committed(Set<TopicPartition> partitions, Duration timeout) {
        return withoutMetadata(super.committed(partitions, timeout));
    }

    /** The same offsets (and leader epochs), each with empty metadata; a partition never committed stays null. */
    static Map<TopicPartition, OffsetAndMetadata> withoutMetadata(Map<TopicPartition, OffsetAndMetadata> committed) {
        Map<TopicPartition, OffsetAndMetadata> plain = new HashMap<>();
        committed.forEach((partition, offset) -> plain.put(partition,
                offset == null ? null : new OffsetAndMetadata(offset.offset(), offset.leaderEpoch(), "")));
        return plain;
    }
}
