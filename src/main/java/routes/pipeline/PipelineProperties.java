package routes.pipeline;

import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;

/** Pipeline settings: session context and dedupe ({@code caravan.session.*}, {@code caravan.pipeline.*}). */
@ConfigurationProperties("caravan.pipeline")
public class PipelineProperties {

    /** How long a processed message id is remembered; a redelivery within it gives no second reply. */
    private Duration dedupeTtl = Duration.ofDays(7);

    /** Consumer group of the processor routes, shared by every instance. */
    private String groupId = "caravan-pipeline";

    /** Redeliveries of a failing step before the message goes to the DLQ. */
    private int maxRedeliveries = 3;

    /** First redelivery delay; doubles on each further try. */
    private Duration redeliveryDelay = Duration.ofMillis(500);

    /**
     * Threads that carry a message on once its model answered (reply publish, history, usage). They keep the model
     * I/O threads free to read streams; short Redis and Kafka calls run here.
     */
    private int continuationThreads = 8;

    public int getContinuationThreads() { return continuationThreads; }
    public void setContinuationThreads(int continuationThreads) { this.continuationThreads = continuationThreads; }
    public Duration getDedupeTtl() { return dedupeTtl; }
    public void setDedupeTtl(Duration dedupeTtl) { this.dedupeTtl = dedupeTtl; }
    public String getGroupId() { return groupId; }
    public void setGroupId(String groupId) { this.groupId = groupId; }
    public int getMaxRedeliveries() { return maxRedeliveries; }
    public void setMaxRedeliveries(int maxRedeliveries) { this.maxRedeliveries = maxRedeliveries; }
    public Duration getRedeliveryDelay() { return redeliveryDelay; }
    public void setRedeliveryDelay(Duration redeliveryDelay) { this.redeliveryDelay = redeliveryDelay; }
}
