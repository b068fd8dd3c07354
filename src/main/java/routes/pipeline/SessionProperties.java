package routes.pipeline;

import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;

/** Conversation history kept in Redis ({@code caravan.session.*}). */
@ConfigurationProperties("caravan.session")
public class SessionProperties {

    /** Turns (a user message and its reply) kept per conversation and sent to the model as history. */
    private int maxTurns = 20;

    /** How long a conversation's history lives after its last message. */
    private Duration ttl = Duration.ofDays(7);

    public int getMaxTurns() { return maxTurns; }
    public void setMaxTurns(int maxTurns) { this.maxTurns = maxTurns; }
    public Duration getTtl() { return ttl; }
    public void setTtl(Duration ttl) { this.ttl = ttl; }
}
