package routes.pipeline;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import org.springframework.boot.context.properties.ConfigurationProperties;

/** Conversation history kept in Redis ({@code caravan.session.*}). */
@ConfigurationProperties("caravan.session")
public class SessionProperties {

    /** Turns (a user message and its reply) kept per conversation and sent to the model as history. */
    private int maxTurns = 20;

    /** How long a conversation's history lives after its last message. */
    private Duration ttl = Duration.ofDays(7);

    /** Per channel: how long that channel's histories live instead of {@code ttl} (e.g. {@code whatsapp: 1d}). */
    private Map<String, Duration> retention = new LinkedHashMap<>();

    public int getMaxTurns() { return maxTurns; }
    public void setMaxTurns(int maxTurns) { this.maxTurns = maxTurns; }
    public Duration getTtl() { return ttl; }
    public void setTtl(Duration ttl) { this.ttl = ttl; }
    public Map<String, Duration> getRetention() { return retention; }
    public void setRetention(Map<String, Duration> retention) { this.retention = retention; }

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
