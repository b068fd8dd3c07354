package routes.infra.kafka;

import org.apache.camel.Category;
import org.apache.camel.Consumer;
import org.apache.camel.Processor;
import org.apache.camel.Producer;
import org.apache.camel.spi.UriEndpoint;
import org.apache.camel.support.DefaultEndpoint;

/** A topic consumed through {@link OrderedKafkaComponent}; consumer only (produce with camel-kafka). */
@UriEndpoint(firstVersion = "0.1.0", scheme = "ordered-kafka", title = "Ordered Kafka", syntax = "ordered-kafka:topic",
        consumerOnly = true, category = {Category.MESSAGING})
public class OrderedKafkaEndpoint extends DefaultEndpoint {

    private final String topic;
    private String brokers;
    private String groupId;
    private int maxConcurrency = 1000;
    private long commitIntervalMs = 100;
    private long watchdogIntervalMs = 2000;
    private int sessionTimeoutMs = 10_000;
    private String groupInstanceId;
    private String autoOffsetReset = "earliest";
    private long retryDelayMs = 1000;
    private String clientId;
    private int busyThreshold = 256;
    private long busyPauseMs = 10;

    public OrderedKafkaEndpoint(String uri, OrderedKafkaComponent component, String topic) {
        super(uri, component);
        this.topic = topic;
    }

    @Override
    public Producer createProducer() {
        throw new UnsupportedOperationException("ordered-kafka only consumes; produce with the kafka component");
    }

    @Override
    public Consumer createConsumer(Processor processor) throws Exception {
        OrderedKafkaConsumer consumer = new OrderedKafkaConsumer(this, processor);
        configureConsumer(consumer);
        return consumer;
    }

    public String getTopic() { return topic; }

    /** Kafka bootstrap servers. */
    public String getBrokers() { return brokers; }
    public void setBrokers(String brokers) { this.brokers = brokers; }

    /** Consumer group: every instance with the same group shares the partitions. */
    public String getGroupId() { return groupId; }
    public void setGroupId(String groupId) { this.groupId = groupId; }

    /** Most records in flight at once on this endpoint; past it the partitions pause (back-pressure). */
    public int getMaxConcurrency() { return maxConcurrency; }
    public void setMaxConcurrency(int maxConcurrency) { this.maxConcurrency = maxConcurrency; }

    /** How often finished offsets are committed; shorter means fewer replays after a crash. */
    public long getCommitIntervalMs() { return commitIntervalMs; }
    /** How often the consumer checks that its Parallel Consumer still runs (and starts a new one if not). */
    public long getWatchdogIntervalMs() { return watchdogIntervalMs; }
    public void setWatchdogIntervalMs(long watchdogIntervalMs) { this.watchdogIntervalMs = watchdogIntervalMs; }
    public void setCommitIntervalMs(long commitIntervalMs) { this.commitIntervalMs = commitIntervalMs; }

    /** How long the group waits for a silent member before moving its partitions. */
    public int getSessionTimeoutMs() { return sessionTimeoutMs; }
    public void setSessionTimeoutMs(int sessionTimeoutMs) { this.sessionTimeoutMs = sessionTimeoutMs; }

    /** Static group membership id, stable across restarts of one instance; empty for dynamic membership. */
    public String getGroupInstanceId() { return groupInstanceId; }
    public void setGroupInstanceId(String groupInstanceId) { this.groupInstanceId = groupInstanceId; }

    /** Where a new group starts: earliest, so nothing accepted before the first start is skipped. */
    public String getAutoOffsetReset() { return autoOffsetReset; }
    public void setAutoOffsetReset(String autoOffsetReset) { this.autoOffsetReset = autoOffsetReset; }

    /** Kafka client id, e.g. naming the instance, so operators see who holds which partition. */
    public String getClientId() { return clientId; }
    public void setClientId(String clientId) { this.clientId = clientId; }

    /** Delay before a record whose route failed unhandled is tried again. */
    public long getRetryDelayMs() { return retryDelayMs; }
    public void setRetryDelayMs(long retryDelayMs) { this.retryDelayMs = retryDelayMs; }

    /** Records in flight from which the consumer spaces out its rounds of picking work ({@link BusyPause}). */
    public int getBusyThreshold() { return busyThreshold; }
    public void setBusyThreshold(int busyThreshold) { this.busyThreshold = busyThreshold; }

    /** The wait between those rounds while busy, per 1,000 records in flight; 0 never waits. */
    public long getBusyPauseMs() { return busyPauseMs; }
    public void setBusyPauseMs(long busyPauseMs) { this.busyPauseMs = busyPauseMs; }
}
