package routes.infra;

import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import routes.envelope.Priority;

/** Kafka connection, topics and consumer tuning ({@code caravan.kafka.*}). */
@ConfigurationProperties("caravan.kafka")
public class KafkaProperties {

    /** Bootstrap servers; the embedded broker sets this itself in the default profile. */
    private String bootstrapServers = "localhost:9092";

    /** Create the topics at start-up when they are missing. */
    private boolean createTopics = true;

    /** Partitions of each topic Caravan creates. */
    private int partitions = 4;

    /** Replication factor of each topic Caravan creates (1 for a single broker). */
    private short replicationFactor = 1;

    /** Topic names. */
    private Topics topics = new Topics();

    /** Consumer tuning for the pipeline and the egress routes. */
    private Consumer consumer = new Consumer();

    public String getBootstrapServers() { return bootstrapServers; }
    public void setBootstrapServers(String bootstrapServers) { this.bootstrapServers = bootstrapServers; }
    public boolean isCreateTopics() { return createTopics; }
    public void setCreateTopics(boolean createTopics) { this.createTopics = createTopics; }
    public int getPartitions() { return partitions; }
    public void setPartitions(int partitions) { this.partitions = partitions; }
    public short getReplicationFactor() { return replicationFactor; }
    public void setReplicationFactor(short replicationFactor) { this.replicationFactor = replicationFactor; }
    public Topics getTopics() { return topics; }
    public void setTopics(Topics topics) { this.topics = topics; }
    public Consumer getConsumer() { return consumer; }
    public void setConsumer(Consumer consumer) { this.consumer = consumer; }

    /** Topic names (DESIGN.md §3). */
    public static class Topics {
        /** Accepted urgent messages. */
        private String inboundUrgent = "caravan.inbound.urgent";
        /** Accepted messages of realtime priority, the default. */
        private String inbound = "caravan.inbound";
        /** Accepted batch messages. */
        private String inboundBatch = "caravan.inbound.batch";
        /** Accepted low-priority messages. */
        private String inboundLow = "caravan.inbound.low";
        /** Prefix of the per-channel reply topics: prefix + channel. */
        private String outboundPrefix = "caravan.outbound.";
        /** Poison messages and undeliverable replies, with the reason. */
        private String dlq = "caravan.dlq";
        /** Audit events. */
        private String audit = "caravan.audit";
        /** Token and cost records. */
        private String usage = "caravan.usage";

        public String getInboundUrgent() { return inboundUrgent; }
        public void setInboundUrgent(String v) { inboundUrgent = v; }
        public String getInbound() { return inbound; }
        public void setInbound(String v) { inbound = v; }
        public String getInboundBatch() { return inboundBatch; }
        public void setInboundBatch(String v) { inboundBatch = v; }
        public String getInboundLow() { return inboundLow; }
        public void setInboundLow(String v) { inboundLow = v; }
        public String getOutboundPrefix() { return outboundPrefix; }
        public void setOutboundPrefix(String v) { outboundPrefix = v; }
        public String getDlq() { return dlq; }
        public void setDlq(String v) { dlq = v; }
        public String getAudit() { return audit; }
        public void setAudit(String v) { audit = v; }
        public String getUsage() { return usage; }
        public void setUsage(String v) { usage = v; }

        /** The inbound topic of a priority; {@code null} means realtime. */
        public String inbound(Priority priority) {
            if (priority == null) {
                return inbound;
            }
            return switch (priority) {
                case URGENT -> inboundUrgent;
                case REALTIME -> inbound;
                case BATCH -> inboundBatch;
                case LOW -> inboundLow;
            };
        }

        /** The reply topic of a channel. */
        public String outbound(String channel) {
            return outboundPrefix + channel;
        }
    }

    /** Consumer tuning. */
    public static class Consumer {
        /** Records in flight per consumed topic and instance; past it partitions pause. */
        private int maxConcurrency = 2000;
        /**
         * Lower caps for the pipeline's background priorities (batch, low): a backlog there keeps only this many
         * records in flight, so urgent and realtime records do not queue behind thousands of them for the model
         * client, Redis and the producer.
         */
        private java.util.Map<String, Integer> priorityMaxConcurrency =
                new java.util.HashMap<>(java.util.Map.of("batch", 32, "low", 8));
        /** How often finished offsets are committed. */
        private Duration commitInterval = Duration.ofMillis(100);
        /** How long the group waits for a silent member before moving its partitions. */
        private Duration sessionTimeout = Duration.ofSeconds(10);
        /**
         * Below this many records in flight on a topic, its consumer starts each round of picking work as soon as a
         * record comes or finishes (without the Parallel Consumer's 1 ms sleep between rounds); from it, the consumer
         * waits between rounds, {@code busyPause} per 1,000 records in flight, so one round serves every record
         * finished meanwhile instead of each one scanning all busy chats.
         */
        private int busyThreshold = 256;
        /** That wait per 1,000 records in flight (2,000 in flight: twice as long); 0 turns it off. */
        private Duration busyPause = Duration.ofMillis(10);
        /** Use static group membership (stable per instance) so a restart gets its partitions back at once. */
        private boolean staticMembership = true;

        public int getMaxConcurrency() { return maxConcurrency; }
        public void setMaxConcurrency(int v) { maxConcurrency = v; }
        public java.util.Map<String, Integer> getPriorityMaxConcurrency() { return priorityMaxConcurrency; }
        public void setPriorityMaxConcurrency(java.util.Map<String, Integer> v) { priorityMaxConcurrency = v; }

        /** The in-flight cap of the pipeline's consumer of {@code priority}'s topic. */
        public int maxConcurrency(routes.envelope.Priority priority) {
            return Math.min(maxConcurrency, priorityMaxConcurrency.getOrDefault(priority.json(), maxConcurrency));
        }
        public Duration getCommitInterval() { return commitInterval; }
        public void setCommitInterval(Duration v) { commitInterval = v; }
        public Duration getSessionTimeout() { return sessionTimeout; }
        public void setSessionTimeout(Duration v) { sessionTimeout = v; }
        public int getBusyThreshold() { return busyThreshold; }
        public void setBusyThreshold(int v) { busyThreshold = v; }
        public Duration getBusyPause() { return busyPause; }
        public void setBusyPause(Duration v) { busyPause = v; }
        public boolean isStaticMembership() { return staticMembership; }
        public void setStaticMembership(boolean v) { staticMembership = v; }
    }
}
