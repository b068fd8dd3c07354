package routes.channel.telegram;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import routes.channel.RedisRateLimiter;
import routes.channel.RedisRateLimiter.Limit;
import routes.channel.RedisRateLimiter.Permit;
import routes.envelope.ChatType;
import routes.envelope.Envelope;

/**
 * Telegram's send limits as Redis counters: 1 message/s per chat, 30/s per bot, 20/min per group. The egress and
 * the drafts count against the same keys, so together they stay within Telegram's limits.
 */
final class TelegramLimits {

    private static final String CHAT = "telegram-chat";
    private static final String BOT = "telegram-bot";
    private static final String GROUP = "telegram-group";

    private final String bot;
    private final TelegramProperties.RateLimit limits;

    TelegramLimits(TelegramProperties properties) {
        this.bot = properties.botId();
        this.limits = properties.getRateLimit();
    }

    /**
     * The egress's throttle limits, keyed by the reply in the exchange body. The per-minute group permit comes
     * last: the limiter takes permits one by one, and a permit taken before a later limit says "wait" is spent; a
     * spent group permit costs a minute, a chat permit a second.
     */
    Limit[] forEgress(boolean group) {
        List<Limit> list = new ArrayList<>(3);
        list.add(new Limit(CHAT, e -> bot + ":" + chatId(e), limits.getChatPerSecond(), Duration.ofSeconds(1)));
        list.add(new Limit(BOT, e -> bot, limits.getBotPerSecond(), Duration.ofSeconds(1)));
        if (group) {
            list.add(new Limit(GROUP, e -> bot + ":" + chatId(e), limits.getGroupPerMinute(), Duration.ofMinutes(1)));
        }
        return list.toArray(Limit[]::new);
    }

    /** Takes the permits of one message into the chat of {@code message} without waiting. */
    boolean tryAcquire(RedisRateLimiter limiter, Envelope message) {
        String chat = bot + ":" + message.chatId();
        List<Permit> permits = new ArrayList<>(3);
        permits.add(new Permit(CHAT, chat, limits.getChatPerSecond(), Duration.ofSeconds(1)));
        permits.add(new Permit(BOT, bot, limits.getBotPerSecond(), Duration.ofSeconds(1)));
        if (message.chatType() == ChatType.GROUP) {
            permits.add(new Permit(GROUP, chat, limits.getGroupPerMinute(), Duration.ofMinutes(1)));
        }
        return limiter.tryAcquireNow(permits);
    }

    private static String chatId(org.apache.camel.Exchange exchange) {
        return exchange.getMessage().getBody(Envelope.class).chatId();
    }
}
