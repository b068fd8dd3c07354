package routes.pipeline;

import org.apache.camel.Exchange;
import org.springframework.stereotype.Component;
import routes.channel.RedisRateLimiter;
import routes.channel.web.LimitsProperties;
import routes.envelope.Envelope;
import routes.envelope.EnvelopeException;
import routes.model.UsageStore;

/**
 * Limits that hold across every instance (counted in Redis): messages per sender and per conversation, and model
 * tokens per sender and day. A message over a limit gets a clear reply saying so, and no model call.
 */
@Component
public class Guards {

    /** Reply error code: too many messages. */
    public static final String RATE_LIMITED = "rate_limited";
    /** Reply error code: the daily token budget is used up. */
    public static final String BUDGET_EXCEEDED = "budget_exceeded";

    private final LimitsProperties limits;
    private final RedisRateLimiter limiter;
    private final UsageStore usage;

    public Guards(LimitsProperties limits, RedisRateLimiter limiter, UsageStore usage) {
        this.limits = limits;
        this.limiter = limiter;
        this.usage = usage;
    }

    /**
     * Refuses a record too large to be any channel's message: more than 16 × {@code caravan.limits.max-text} (twice
     * the largest context the OpenAI-compatible API accepts). Checked before the record is parsed.
     *
     * @throws EnvelopeException with the sizes, so the record goes to the DLQ with its reason
     */
    public void requireProcessableSize(byte[] record) {
        long limit = limits.getMaxText().toBytes() * 16;
        if (record != null && record.length > limit) {
            throw new EnvelopeException("record of " + record.length + " bytes is larger than the " + limit
                    + " bytes the pipeline processes (16 x caravan.limits.max-text)");
        }
    }

    /** Who a message counts against: its sender, or the conversation when the channel names no sender. */
    public static String user(Envelope message) {
        return message.senderId() != null && !message.senderId().isBlank() ? message.senderId() : message.chatId();
    }

    /** Answers the message itself when its sender or conversation sends faster than allowed. */
    public void rateLimit(Exchange exchange) {
        Envelope in = exchange.getProperty(PipelineConstants.INBOUND, Envelope.class);
        if (limited(exchange, in, "user", in.channel() + ":" + user(in), limits.userRate(in.channel()),
                "You are sending messages faster than allowed")) {
            return;
        }
        limited(exchange, in, "chat", in.channel() + ":" + in.chatId(), limits.chatRate(in.channel()),
                "This conversation receives messages faster than allowed");
    }

    /** Forgets the rate counts of {@code user} and of {@code chats} in {@code channel}. */
    public void forget(String channel, String user, java.util.Collection<String> chats) {
        limiter.reset("user", channel + ":" + user);
        chats.forEach(chat -> limiter.reset("chat", channel + ":" + chat));
    }

    private boolean limited(Exchange exchange, Envelope in, String name, String key, LimitsProperties.Rate rate,
            String what) {
        if (rate == null || rate.getPermits() <= 0) {
            return false;
        }
        long wait = limiter.tryAcquire(name, key, rate.getPermits(), rate.getWindow());
        if (wait <= 0) {
            return false;
        }
        long seconds = Math.max(1, (wait + 999) / 1000);
        exchange.setProperty(PipelineConstants.REPLY, ModelCall.replyTo(in, what + " (" + rate.getPermits()
                + " per " + describe(rate.getWindow()) + "). Please wait " + seconds + " s and try again.",
                RATE_LIMITED).build());
        return true;
    }

    /** Answers the message itself when its sender has used up today's token budget. */
    public void budget(Exchange exchange) {
        Envelope in = exchange.getProperty(PipelineConstants.INBOUND, Envelope.class);
        long budget = limits.dailyTokensPerUser(in.channel());
        if (budget <= 0) {
            return;
        }
        UsageStore.Usage today = usage.today(in.channel(), user(in));
        if (today.tokens() >= budget) {
            exchange.setProperty(PipelineConstants.REPLY, ModelCall.replyTo(in, "You have used your daily budget of "
                    + budget + " model tokens (" + today.tokens() + " used today). It renews at midnight UTC.",
                    BUDGET_EXCEEDED).build());
        }
    }

    private static String describe(java.time.Duration window) {
        if (window.toSeconds() % 3600 == 0) {
            return window.toHours() == 1 ? "hour" : window.toHours() + " hours";
        }
        if (window.toSeconds() % 60 == 0) {
            return window.toMinutes() == 1 ? "minute" : window.toMinutes() + " minutes";
        }
        return window.toSeconds() + " s";
    }
}
