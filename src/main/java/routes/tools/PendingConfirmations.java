package routes.tools;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Duration;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.stereotype.Component;
import routes.envelope.Envelope;

/** Tool calls waiting for the person's {@code /confirm}: one per conversation, in Redis, for ten minutes. */
@Component
public class PendingConfirmations {

    /** How long a question waits for its answer. */
    static final Duration WAIT = Duration.ofMinutes(10);

    private static final ObjectMapper JSON = new ObjectMapper();

    /** A tool call waiting for confirmation. */
    public record Pending(String tool, String arguments) {
    }

    private final StringRedisTemplate redis;

    public PendingConfirmations(StringRedisTemplate redis) {
        this.redis = redis;
    }

    public void put(Envelope message, String tool, String arguments) {
        redis.opsForValue().set(key(message), JSON.createObjectNode().put("tool", tool)
                .put("arguments", arguments).toString(), WAIT);
    }

    /** Takes the waiting call of the conversation, if any. */
    public Pending take(Envelope message) {
        String json = redis.opsForValue().getAndDelete(key(message));
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

    private static String key(Envelope message) {
        return "caravan:confirm:" + message.channel() + ":" + message.chatId();
    }
}
