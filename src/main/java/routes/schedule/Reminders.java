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

    /** Removes a fired reminder; false when another instance removed it first. */
    public boolean remove(String raw) {
        Long removed = redis.opsForZSet().remove(DUE, raw);
        return removed != null && removed > 0;
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
