package routes.tools;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Duration;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.stereotype.Component;
import routes.envelope.Envelope;
import routes.security.DataCipher;

/**
 * Tool calls waiting for the person's {@code /confirm}: one per conversation, in Redis (encrypted, {@link DataCipher}),
 * for ten minutes.
 */
@Component
public class PendingConfirmations {

    /** How long a question waits for its answer. */
    static final Duration WAIT = Duration.ofMinutes(10);

    private static final ObjectMapper JSON = new ObjectMapper();

    /** A tool call waiting for confirmation. */
    public record Pending(String tool, String arguments) {
    }

    private final StringRedisTemplate redis;
    private final DataCipher cipher;

    public PendingConfirmations(StringRedisTemplate redis, DataCipher cipher) {
        this.redis = redis;
        this.cipher = cipher;
    }

    public void put(Envelope message, String tool, String arguments) {
        String key = key(message.channel(), message.chatId());
        redis.opsForValue().set(key, cipher.seal(JSON.createObjectNode().put("tool", tool)
                .put("arguments", arguments).toString(), key), WAIT);
    }

    /** Takes the waiting call of the conversation, if any. */
    public Pending take(Envelope message) {
        String key = key(message.channel(), message.chatId());
        String json = cipher.open(redis.opsForValue().getAndDelete(key), key);
        if (json == null) {
            return null;
        }
        try {
            JsonNode node = JSON.readTree(json);
            return new Pending(node.path("tool").asText(), node.path("arguments").asText());
        } catch (Exception e) {
            return null;
        }
    }

    /** Drops the waiting call of a conversation; true when there was one. */
    public boolean forget(String channel, String chatId) {
        return Boolean.TRUE.equals(redis.delete(key(channel, chatId)));
    }

    private static String key(String channel, String chatId) {
        return "caravan:confirm:" + channel + ":" + chatId;
    }
}
