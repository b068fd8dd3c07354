package routes.schedule;

import com.fasterxml.jackson.core.JsonProcessingException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.stereotype.Component;
import routes.envelope.Envelope;
import routes.envelope.EnvelopeCodec;
import routes.envelope.Ids;

/**
 * Reminders waiting to fire, in Redis: a sorted set by due time (shared by every instance, kept across restarts).
 * Each entry is the reminder's reply envelope, ready to publish; its id is fixed when it is set, so a reminder
 * published twice (a leader that died between publishing and removing it) is still delivered once.
 */
@Component
public class Reminders {

    static final String DUE = "caravan:reminders";
    static final String FIRING = "caravan:reminders:firing";

    /** How long a claimed reminder may take to be published before another instance may fire it. */
    static final java.time.Duration LEASE = java.time.Duration.ofSeconds(60);

    // moves a due reminder to the firing set: only one caller gets 1
    private static final org.springframework.data.redis.core.script.DefaultRedisScript<Long> CLAIM =
            new org.springframework.data.redis.core.script.DefaultRedisScript<>("""
                    if redis.call('ZREM', KEYS[1], ARGV[1]) == 1 then
                      redis.call('ZADD', KEYS[2], ARGV[2], ARGV[1])
                      return 1
                    end
                    return 0
                    """, Long.class);

    // puts back reminders whose firing instance died before publishing them
    private static final org.springframework.data.redis.core.script.DefaultRedisScript<Long> RECOVER =
            new org.springframework.data.redis.core.script.DefaultRedisScript<>("""
                    local stale = redis.call('ZRANGEBYSCORE', KEYS[2], 0, ARGV[1])
                    for _, member in ipairs(stale) do
                      redis.call('ZREM', KEYS[2], member)
                      redis.call('ZADD', KEYS[1], ARGV[1], member)
                    end
                    return #stale
                    """, Long.class);

    private final StringRedisTemplate redis;

    public Reminders(StringRedisTemplate redis) {
        this.redis = redis;
    }

    /** Sets a reminder for the conversation of {@code request}: {@code text} at {@code at}. */
    public Envelope add(Envelope request, Instant at, String text) {
        Envelope reminder = Envelope.builder()
                .id("reminder:" + Ids.newId())
                .inReplyTo(request.id())
                .traceId(request.traceId())
                .channel(request.channel())
                .account(request.account())
                .chatId(request.chatId())
                .chatType(request.chatType())
                .senderId(request.senderId())
                .replyTo(request.replyTo())
                .priority(request.priority())
                .instance(request.instance())
                .receivedAt(at)
                .text("Reminder: " + text)
                .meta("reminder", "true")
                .meta("connection", request.meta("connection"))
                .build();
        redis.opsForZSet().add(DUE, encode(reminder), at.toEpochMilli());
        return reminder;
    }

    /** Reminders due at {@code now}, oldest first, at most {@code limit}. */
    public List<String> due(Instant now, int limit) {
        Set<String> raw = redis.opsForZSet().rangeByScore(DUE, 0, now.toEpochMilli(), 0, limit);
        return raw == null ? List.of() : new ArrayList<>(raw);
    }

    /**
     * Claims a due reminder for firing: true for exactly one caller. A claimed reminder not {@link #fired} within
     * the lease goes back to the due ones ({@link #recover}), so a crash between claim and publish loses nothing.
     */
    public boolean claim(String raw, Instant now) {
        Long claimed = redis.execute(CLAIM, List.of(DUE, FIRING), raw,
                String.valueOf(now.plus(LEASE).toEpochMilli()));
        return claimed != null && claimed == 1;
    }

    /** Forgets a reminder that is on Kafka. */
    public void fired(String raw) {
        redis.opsForZSet().remove(FIRING, raw);
    }

    /** Puts back reminders claimed by an instance that died before publishing them; returns how many. */
    public long recover(Instant now) {
        Long back = redis.execute(RECOVER, List.of(DUE, FIRING), String.valueOf(now.toEpochMilli()));
        return back == null ? 0 : back;
    }

    /** How many reminders wait for the conversation of {@code message}. */
    public long waiting(Envelope message) {
        Set<String> all = redis.opsForZSet().range(DUE, 0, -1);
        if (all == null) {
            return 0;
        }
        String prefix = "\"channel\":\"" + message.channel() + "\"";
        String chat = "\"chatId\":\"" + message.chatId() + "\"";
        return all.stream().filter(r -> r.contains(prefix) && r.contains(chat)).count();
    }

    private static String encode(Envelope reminder) {
        try {
            return EnvelopeCodec.mapper().writeValueAsString(reminder);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
