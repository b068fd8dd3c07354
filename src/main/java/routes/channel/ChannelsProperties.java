package routes.channel;

import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;

/** Settings every platform channel shares ({@code caravan.channels.*}). */
@ConfigurationProperties("caravan.channels")
public class ChannelsProperties {

    /** Tries of one reply delivery (the first plus retries) before it goes to the DLQ. */
    private int maxDeliveryAttempts = 5;

    /** First retry delay of a failed delivery; doubles each time, at least what Retry-After asked. */
    private Duration retryDelay = Duration.ofSeconds(1);

    /** Longest wait between delivery retries. */
    private Duration maxRetryDelay = Duration.ofMinutes(2);

    /**
     * How long the id of a reply's draft is kept, so the egress that delivers the final reply (on any instance,
     * also after retries) can turn the draft into it.
     */
    private Duration draftTtl = Duration.ofDays(1);

    public int getMaxDeliveryAttempts() { return maxDeliveryAttempts; }
    public void setMaxDeliveryAttempts(int v) { maxDeliveryAttempts = v; }
    public Duration getRetryDelay() { return retryDelay; }
    public void setRetryDelay(Duration v) { retryDelay = v; }
    public Duration getMaxRetryDelay() { return maxRetryDelay; }
    public void setMaxRetryDelay(Duration v) { maxRetryDelay = v; }
    public Duration getDraftTtl() { return draftTtl; }
    public void setDraftTtl(Duration v) { draftTtl = v; }
}
