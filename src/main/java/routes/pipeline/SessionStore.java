package routes.pipeline;

import com.fasterxml.jackson.core.JsonProcessingException;
import java.util.ArrayList;
import java.util.List;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.stereotype.Component;
import routes.envelope.EnvelopeCodec;
import routes.envelope.Turn;

/**
 * The last turns of each conversation, in a Redis list per {@code channel:chatId}.
 *
 * <p>Entries carry the id of the message they came from, so appending the same turn twice (a redelivered message
 * whose first run stored its turn before the crash) is recognised and skipped.
 */
@Component
public class SessionStore {

    private static final String PREFIX = "caravan:session:";

    private final StringRedisTemplate redis;
    private final SessionProperties properties;

    public SessionStore(StringRedisTemplate redis, SessionProperties properties) {
        this.redis = redis;
        this.properties = properties;
    }

    /** The stored turns of a conversation, oldest first. */
    public List<Turn> history(String channel, String chatId) {
        List<String> raw = redis.opsForList().range(key(channel, chatId), 0, -1);
        List<Turn> turns = new ArrayList<>(raw == null ? 0 : raw.size());
        if (raw != null) {
            for (String json : raw) {
                try {
                    turns.add(EnvelopeCodec.mapper().readValue(json, Turn.class));
                } catch (JsonProcessingException e) {
                    // an unreadable entry is dropped rather than failing the conversation
                }
            }
        }
        return turns;
    }

    /**
     * Appends a user message and its reply, keeping the last {@code maxTurns} turns and renewing the TTL.
     *
     * @param known the history loaded for this message; used to skip an append that already happened
     */
    public void append(String channel, String chatId, List<Turn> known, Turn user, Turn assistant) {
        if (user.id() != null && known.stream().anyMatch(t -> user.id().equals(t.id()))) {
            return;
        }
        String key = key(channel, chatId);
        try {
            String u = EnvelopeCodec.mapper().writeValueAsString(user);
            String a = EnvelopeCodec.mapper().writeValueAsString(assistant);
            redis.executePipelined((org.springframework.data.redis.core.RedisCallback<Object>) connection -> {
                byte[] k = key.getBytes(java.nio.charset.StandardCharsets.UTF_8);
                connection.listCommands().rPush(k, u.getBytes(java.nio.charset.StandardCharsets.UTF_8),
                        a.getBytes(java.nio.charset.StandardCharsets.UTF_8));
                connection.listCommands().lTrim(k, -2L * properties.getMaxTurns(), -1);
                connection.keyCommands().expire(k, properties.getTtl().toSeconds());
                return null;
            });
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("turn cannot be written as JSON", e);
        }
    }

    /** Forgets a conversation. */
    public void clear(String channel, String chatId) {
        redis.delete(key(channel, chatId));
    }

    private static String key(String channel, String chatId) {
        return PREFIX + channel + ":" + chatId;
    }
}
