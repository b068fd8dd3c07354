package routes.security;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * Who may talk to the assistant on the chat platforms ({@code caravan.access.*}). The web channels are guarded by
 * the gateway's authentication instead and are always open here.
 */
@ConfigurationProperties("caravan.access")
public class AccessProperties {

    /** Channels whose callers already authenticated with the gateway (token or JWT). */
    public static final Set<String> WEB_CHANNELS = Set.of("websocket", "rest", "openai", "mcp", "broadcast");

    /** Policy of every platform channel without its own: open, pairing or allowlist. */
    private Policy defaultPolicy = Policy.PAIRING;

    /** Per channel: its policy and allowlist, e.g. {@code telegram: {policy: allowlist, allowlist: ["12345"]}}. */
    private Map<String, Channel> channels = new LinkedHashMap<>();

    /** How long a pairing code waits for an admin's approval. */
    private Duration codeTtl = Duration.ofHours(1);

    public Policy getDefaultPolicy() { return defaultPolicy; }
    public void setDefaultPolicy(Policy defaultPolicy) { this.defaultPolicy = defaultPolicy; }
    public Map<String, Channel> getChannels() { return channels; }
    public void setChannels(Map<String, Channel> channels) { this.channels = channels; }
    public Duration getCodeTtl() { return codeTtl; }
    public void setCodeTtl(Duration codeTtl) { this.codeTtl = codeTtl; }

    /** The policy of {@code channel}. */
    public Policy policy(String channel) {
        if (WEB_CHANNELS.contains(channel)) {
            return Policy.OPEN;
        }
        Channel c = channels.get(channel);
        return c != null && c.getPolicy() != null ? c.getPolicy() : defaultPolicy;
    }

    /** Whether {@code senderId} is on {@code channel}'s allowlist ({@code *} patterns allowed). */
    public boolean allowlisted(String channel, String senderId) {
        Channel c = channels.get(channel);
        return c != null && senderId != null && Patterns.matchesAny(c.getAllowlist(), senderId);
    }

    /** Who may talk on a platform channel. */
    public enum Policy {
        /** Everyone. */
        OPEN,
        /** Allowlisted senders and senders an admin approved after they asked with a pairing code. */
        PAIRING,
        /** Allowlisted senders only. */
        ALLOWLIST
    }

    /** One channel's access settings. */
    public static class Channel {

        /** open, pairing or allowlist; empty = {@code caravan.access.default-policy}. */
        private Policy policy;

        /** Sender ids (patterns with {@code *}) always let in. */
        private List<String> allowlist = new ArrayList<>();

        public Policy getPolicy() { return policy; }
        public void setPolicy(Policy policy) { this.policy = policy; }
        public List<String> getAllowlist() { return allowlist; }
        public void setAllowlist(List<String> allowlist) { this.allowlist = allowlist; }
    }
}
