package routes.channel.slack;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.springframework.stereotype.Component;
import routes.channel.DraftChannel;
import routes.channel.RedisRateLimiter;
import routes.channel.TextChunker;
import routes.envelope.Envelope;

/**
 * Drafts on Slack: chat.postMessage in the thread the reply will go to, then chat.update. A draft shows the first
 * piece of the text so far, cut and escaped as the egress will post it.
 */
@Component
@ConditionalOnSlack
public class SlackDrafts implements DraftChannel {

    private final SlackApi api;
    private final SlackProperties properties;
    private final RedisRateLimiter limiter;
    private final SlackLimits limits;

    public SlackDrafts(SlackApi api, SlackProperties properties, RedisRateLimiter limiter) {
        this.api = api;
        this.properties = properties;
        this.limiter = limiter;
        this.limits = new SlackLimits(properties);
    }

    @Override
    public String channel() {
        return SlackConstants.CHANNEL;
    }

    @Override
    public boolean streamEdits() {
        return properties.isStreamEdits();
    }

    @Override
    public Duration editInterval() {
        return properties.getEditInterval();
    }

    @Override
    public String show(String textSoFar) {
        List<String> pieces = TextChunker.split(textSoFar, properties.getMaxText());
        return pieces.isEmpty() ? "" : SlackText.escape(pieces.get(0));
    }

    @Override
    public boolean tryPermits(Envelope inbound) {
        return limits.tryAcquire(limiter, inbound);
    }

    @Override
    public CompletableFuture<String> post(Envelope inbound, String text) {
        return api.postMessage(inbound.chatId(), text, inbound.replyTo());
    }

    @Override
    public CompletableFuture<Void> edit(Envelope inbound, String messageId, String text) {
        return api.update(inbound.chatId(), messageId, text).thenAccept(ts -> { });
    }
}
