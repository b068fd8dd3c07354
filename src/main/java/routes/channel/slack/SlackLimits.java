package routes.channel.slack;

import java.util.List;
import org.apache.camel.Exchange;
import routes.channel.RedisRateLimiter;
import routes.channel.RedisRateLimiter.Limit;
import routes.channel.RedisRateLimiter.Permit;
import routes.envelope.Envelope;

/**
 * Slack's posting limits as Redis counters, per conversation and per workspace. The egress and the drafts count
 * against the same keys, so together they stay within Slack's limits.
 */
final class SlackLimits {

    private static final String CONVERSATION = "slack-conversation";
    private static final String WORKSPACE = "slack-workspace";

    private final SlackProperties properties;

    SlackLimits(SlackProperties properties) {
        this.properties = properties;
    }

    /** The egress's throttle limits, keyed by the reply in the exchange body. */
    Limit[] forEgress() {
        return new Limit[] {
            new Limit(CONVERSATION, exchange -> body(exchange).chatId(), properties.getChannelRateLimit(),
                    properties.getChannelRateWindow()),
            new Limit(WORKSPACE, exchange -> workspace(body(exchange)), properties.getWorkspaceRateLimit(),
                    properties.getWorkspaceRateWindow())
        };
    }

    /** Takes the permits of one message into the conversation of {@code message} without waiting. */
    boolean tryAcquire(RedisRateLimiter limiter, Envelope message) {
        return limiter.tryAcquireNow(List.of(
                new Permit(CONVERSATION, message.chatId(), properties.getChannelRateLimit(),
                        properties.getChannelRateWindow()),
                new Permit(WORKSPACE, workspace(message), properties.getWorkspaceRateLimit(),
                        properties.getWorkspaceRateWindow())));
    }

    private static String workspace(Envelope message) {
        return message.account() == null ? "default" : message.account();
    }

    private static Envelope body(Exchange exchange) {
        return exchange.getMessage().getBody(Envelope.class);
    }
}
