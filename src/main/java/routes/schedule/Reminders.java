package routes.schedule;

import com.fasterxml.jackson.core.JsonProcessingException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.function.Predicate;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.stereotype.Component;
import routes.envelope.Envelope;
import routes.envelope.EnvelopeCodec;
import routes.security.DataCipher;
import routes.security.Pseudonyms;

/**
 * Reminders waiting to fire, in Redis: a sorted set by due time (shared by every instance, kept across restarts).
 * Each entry is the reminder's reply envelope, encrypted ({@link DataCipher}; {@link #open} reads it); its id is
 * fixed when it is set, so a reminder published twice (a leader that died between publishing and removing it) is
 * still delivered once.
 */
@Component
public class Reminders {

    static final String DUE = "caravan:reminders";
    static final String FIRING = "caravan:reminders:firing";

    /** How long a claimed reminder may take to be published before another instance may fire it. */
    static final java.time.Duration LEASE = java.time.Duration.ofSeconds(60);
    /** Marks of requests that set a reminder (pseudonymous key of the request), so a request sets one. */
    static final String SET = "caravan:reminders:set:";
    /** How long a request's mark outlives its reminder's due time. */
    static final java.time.Duration MARK_AFTER_DUE = java.time.Duration.ofDays(1);

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
    private final DataCipher cipher;

    public Reminders(StringRedisTemplate redis, DataCipher cipher) {
        this.redis = redis;
        this.cipher = cipher;
    }

    /**
     * Sets a reminder for the conversation of {@code request}: {@code text} at {@code at}. Asking again with the same
     * request (a message processed twice, e.g. after a crash or a partition moving mid-way) sets no second one: the
     * reminder's id derives from the request's, and a mark per request keeps the second entry out.
     */
    public Envelope add(Envelope request, Instant at, String text) {
        Envelope reminder = Envelope.builder()
                .id("reminder:" + request.id())
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
        java.time.Duration untilDue = java.time.Duration.between(Instant.now(), at);
        Boolean first = redis.opsForValue().setIfAbsent(SET + Pseudonyms.of(request.dedupeKey()), "1",
                (untilDue.isNegative() ? java.time.Duration.ZERO : untilDue).plus(MARK_AFTER_DUE));
        if (Boolean.TRUE.equals(first)) {
            // one context for both sets: an entry moves between them unchanged
            redis.opsForZSet().add(DUE, cipher.seal(encode(reminder), DUE), at.toEpochMilli());
        }
        return reminder;
    }

    /** The reminder an entry holds, or null when it cannot be read (then it can never fire). */
    public Envelope open(String raw) {
        String json = cipher.open(raw, DUE);
        if (json == null) {
            return null;
        }
        try {
            return EnvelopeCodec.decode(json.getBytes(java.nio.charset.StandardCharsets.UTF_8));
        } catch (RuntimeException e) {
            return null;
        }
    }

    /** Removes an entry that was never encrypted (set before encryption was introduced): it can never be read. */
    public boolean dropIfNeverSealed(String raw) {
        if (DataCipher.isSealed(raw)) {
            return false;
        }
        fired(raw);
        return true;
    }

    /** Reminders due at {@code now} (entries, see {@link #open}), oldest first, at most {@code limit}. */
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
        return all.stream().map(this::open).filter(r -> r != null && message.channel().equals(r.channel())
                && message.chatId().equals(r.chatId())).count();
    }

    /** Removes the waiting reminders that {@code which} selects; returns how many. */
    public long forget(Predicate<Envelope> which) {
        long removed = 0;
        for (String set : List.of(DUE, FIRING)) {
            Set<String> all = redis.opsForZSet().range(set, 0, -1);
            for (String raw : all == null ? Set.<String>of() : all) {
                Envelope reminder = open(raw);
                if (reminder != null && which.test(reminder)) {
                    Long gone = redis.opsForZSet().remove(set, raw);
                    removed += gone == null ? 0 : gone;
                }
            }
        }
        return removed;
    }

    private static String encode(Envelope reminder) {
        try {
            return EnvelopeCodec.mapper().writeValueAsString(reminder);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
