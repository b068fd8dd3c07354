package routes.pipeline;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.util.unit.DataSize;

/** Conversation history kept in Redis ({@code caravan.session.*}). */
@ConfigurationProperties("caravan.session")
public class SessionProperties {

    /** Turns (a user message and its reply) kept per conversation and sent to the model as history. */
    private int maxTurns = 20;

    /** How long a conversation's history lives after its last message. */
    private Duration ttl = Duration.ofDays(7);

    /** Per channel: how long that channel's histories live instead of {@code ttl} (e.g. {@code whatsapp: 1d}). */
    private Map<String, Duration> retention = new LinkedHashMap<>();

    /**
     * Memory for history entries this instance already decrypted, so that the next message of a conversation does
     * not decrypt and parse its whole history again; 0 turns the cache off.
     */
    private DataSize cacheSize = DataSize.ofMegabytes(16);

    public int getMaxTurns() { return maxTurns; }
    public void setMaxTurns(int maxTurns) { this.maxTurns = maxTurns; }
    public Duration getTtl() { return ttl; }
    public void setTtl(Duration ttl) { this.ttl = ttl; }
    public Map<String, Duration> getRetention() { return retention; }
    public void setRetention(Map<String, Duration> retention) { this.retention = retention; }
    public DataSize getCacheSize() { return cacheSize; }
    public void setCacheSize(DataSize cacheSize) { this.cacheSize = cacheSize; }

    /** How long a history of {@code channel} lives after its last message. */
    public Duration ttlFor(String channel) {
        Duration own = channel == null ? null : retention.get(channel);
        return own != null ? own : ttl;
    }

    /** {@code ttl}, shortened to the retention of {@code channel} when one is set and shorter. */
    public Duration capped(String channel, Duration ttl) {
        Duration own = channel == null ? null : retention.get(channel);
        return own != null && own.compareTo(ttl) < 0 ? own : ttl;
    }
}
