package routes.channel.web;

import java.time.Duration;
import java.util.Map;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.stereotype.Component;
import routes.envelope.Envelope;

/**
 * The status of messages sent through the REST API, in Redis so any instance can answer
 * {@code GET /api/v1/messages/{id}}: {@code accepted} once on Kafka, {@code replied} with the reply.
 */
@Component
public class MessageStatusStore {

    private static final String PREFIX = "caravan:message:";

    private final StringRedisTemplate redis;
    private final Duration ttl;

    public MessageStatusStore(StringRedisTemplate redis, WebProperties properties) {
        this.redis = redis;
        this.ttl = properties.getStatusTtl();
    }

    /** Records acceptance; never downgrades a reply that was already stored. */
    public void accepted(Envelope message) {
        String key = PREFIX + message.id();
        redis.opsForHash().putIfAbsent(key, "status", "accepted");
        redis.opsForHash().putIfAbsent(key, "chatId", message.chatId());
        redis.expire(key, ttl);
    }

    /** Records the reply. */
    public void replied(Envelope reply) {
        String key = PREFIX + reply.inReplyTo();
        var values = new java.util.HashMap<String, String>();
        values.put("status", "replied");
        values.put("chatId", reply.chatId());
        values.put("replyId", reply.id());
        values.put("text", reply.text() == null ? "" : reply.text());
        values.put("repliedAt", String.valueOf(reply.receivedAt()));
        if (reply.meta("error") != null) {
            values.put("error", reply.meta("error"));
        }
        redis.opsForHash().putAll(key, values);
        redis.expire(key, ttl);
    }

    /** The stored fields of a message, empty when unknown or expired. */
    public Map<Object, Object> find(String id) {
        return redis.opsForHash().entries(PREFIX + id);
    }
}
