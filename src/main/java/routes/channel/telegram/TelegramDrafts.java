package routes.channel.telegram;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.springframework.boot.autoconfigure.condition.ConditionalOnExpression;
import org.springframework.stereotype.Component;
import routes.channel.DraftChannel;
import routes.channel.PlatformException;
import routes.channel.RedisRateLimiter;
import routes.channel.TextChunker;
import routes.envelope.ChatType;
import routes.envelope.Envelope;

/**
 * Drafts on Telegram: sendMessage where the reply will go (in a group, replying to the person's message), then
 * editMessageText. A draft shows the first 4096-character piece of the text so far, cut where the egress will
 * cut the reply, so the final edit of a long reply changes little.
 */
@Component
@ConditionalOnExpression(TelegramConfig.ENABLED)
public class TelegramDrafts implements DraftChannel {

    private final TelegramBotApi api;
    private final TelegramProperties properties;
    private final RedisRateLimiter limiter;
    private final TelegramLimits limits;

    public TelegramDrafts(TelegramBotApi api, TelegramProperties properties, RedisRateLimiter limiter) {
        this.api = api;
        this.properties = properties;
        this.limiter = limiter;
        this.limits = new TelegramLimits(properties);
    }

    @Override
    public String channel() {
        return TelegramConstants.CHANNEL;
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
        List<String> pieces = TextChunker.split(textSoFar, TelegramSender.MAX_TEXT);
        return pieces.isEmpty() ? "" : pieces.get(0);
    }

    @Override
    public boolean tryPermits(Envelope inbound) {
        return limits.tryAcquire(limiter, inbound);
    }

    @Override
    public CompletableFuture<String> post(Envelope inbound, String text) {
        var params = TelegramBotApi.params().put("chat_id", inbound.chatId()).put("text", text);
        if (inbound.chatType() == ChatType.GROUP && TelegramSender.isMessageId(inbound.replyTo())) {
            params.putObject("reply_parameters")
                    .put("message_id", Long.parseLong(inbound.replyTo()))
                    .put("allow_sending_without_reply", true);
        }
        return api.call("sendMessage", params).thenApply(result -> {
            if (!result.succeeded() || !result.result().path("message_id").canConvertToLong()) {
                throw refused(result);
            }
            return result.result().path("message_id").asText();
        });
    }

    @Override
    public CompletableFuture<Void> edit(Envelope inbound, String messageId, String text) {
        return api.editMessageText(inbound.chatId(), messageId, text).thenAccept(result -> {
            if (!result.succeeded() && !TelegramBotApi.notModified(result)) {
                throw refused(result);
            }
        });
    }

    private static PlatformException refused(TelegramBotApi.Result result) {
        return new PlatformException(TelegramConstants.CHANNEL, result.status(), result.description(),
                result.retryAfter());
    }
}
