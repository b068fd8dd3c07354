package routes.channel.web;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.springframework.data.redis.core.RedisCallback;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.stereotype.Component;
import routes.envelope.Envelope;
import routes.pipeline.SessionProperties;
import routes.security.DataCipher;

/**
 * The status of messages sent through the REST API, in Redis so any instance can answer
 * {@code GET /api/v1/messages/{id}}: {@code accepted} once on Kafka, {@code replied} with the reply (its text
 * encrypted, {@link DataCipher}).
 *
 * <p>Each chat lists its message ids ({@code caravan:message-index:rest:<chatId>}), so a conversation's stored replies
 * can be erased with it. Both live {@code caravan.http.status-ttl}, or the shorter
 * {@code caravan.session.retention.rest}.
 */
@Component
public class MessageStatusStore {

    private static final String PREFIX = "caravan:message:";
    private static final String INDEX = "caravan:message-index:" + WebChannels.REST + ":";
    private static final String TEXT = "text";

    private final StringRedisTemplate redis;
    private final DataCipher cipher;
    private final Duration ttl;

    public MessageStatusStore(StringRedisTemplate redis, WebProperties properties, SessionProperties sessions,
            DataCipher cipher) {
        this.redis = redis;
        this.cipher = cipher;
        this.ttl = sessions.capped(WebChannels.REST, properties.getStatusTtl());
    }

    /** Records acceptance; never downgrades a reply that was already stored. */
    public void accepted(Envelope message) {
        byte[] key = bytes(PREFIX + message.id());
        byte[] index = bytes(INDEX + message.chatId());
        long millis = ttl.toMillis();
        redis.executePipelined((RedisCallback<Object>) connection -> {
            connection.hashCommands().hSetNX(key, bytes("status"), bytes("accepted"));
            connection.hashCommands().hSetNX(key, bytes("chatId"), bytes(message.chatId()));
            connection.keyCommands().pExpire(key, millis);
            connection.setCommands().sAdd(index, bytes(message.id()));
            connection.keyCommands().pExpire(index, millis);
            return null;
        });
    }

    /** Records the reply. */
    public void replied(Envelope reply) {
        String key = PREFIX + reply.inReplyTo();
        Map<byte[], byte[]> values = new HashMap<>();
        values.put(bytes("status"), bytes("replied"));
        values.put(bytes("chatId"), bytes(reply.chatId()));
        values.put(bytes("replyId"), bytes(reply.id()));
        values.put(bytes(TEXT), bytes(cipher.seal(reply.text() == null ? "" : reply.text(), key + "#" + TEXT)));
        values.put(bytes("repliedAt"), bytes(String.valueOf(reply.receivedAt())));
        if (reply.meta("error") != null) {
            values.put(bytes("error"), bytes(reply.meta("error")));
        }
        byte[] k = bytes(key);
        byte[] index = bytes(INDEX + reply.chatId());
        long millis = ttl.toMillis();
        redis.executePipelined((RedisCallback<Object>) connection -> {
            connection.hashCommands().hMSet(k, values);
            connection.keyCommands().pExpire(k, millis);
            // replies to messages that did not come through the API (reminders, jobs) are listed here
            connection.setCommands().sAdd(index, bytes(reply.inReplyTo()));
            connection.keyCommands().pExpire(index, millis);
            return null;
        });
    }

    /** The stored fields of a message, empty when unknown or expired; a reply text that cannot be read is left out. */
    public Map<Object, Object> find(String id) {
        String key = PREFIX + id;
        Map<Object, Object> stored = new HashMap<>(redis.opsForHash().entries(key));
        if (stored.containsKey(TEXT)) {
            String text = cipher.open(String.valueOf(stored.get(TEXT)), key + "#" + TEXT);
            if (text == null) {
                stored.remove(TEXT);
            } else {
                stored.put(TEXT, text);
            }
        }
        return stored;
    }

    /** Erases the statuses and replies of a chat's messages; returns how many messages were still there. */
    public long forget(String channel, String chatId) {
        if (!WebChannels.REST.equals(channel)) {
            return 0;
        }
        String index = INDEX + chatId;
        Set<String> ids = redis.opsForSet().members(index);
        long removed = 0;
        if (ids != null && !ids.isEmpty()) {
            Long deleted = redis.delete(ids.stream().map(id -> PREFIX + id).toList());
            removed = deleted == null ? 0 : deleted;
        }
        redis.delete(List.of(index));
        return removed;
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
