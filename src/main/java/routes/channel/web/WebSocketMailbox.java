package routes.channel.web;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.data.redis.connection.RedisConnectionFactory;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.data.redis.listener.ChannelTopic;
import org.springframework.data.redis.listener.RedisMessageListenerContainer;
import org.springframework.stereotype.Component;
import routes.envelope.Envelope;
import routes.envelope.EnvelopeCodec;
import routes.security.DataCipher;

/**
 * Replies for WebSocket chats that have no open connection: kept in Redis per chat and delivered when a
 * connection of that chat appears, on any instance.
 *
 * <p>Storing a reply announces the chat id on a shared Redis channel, so an instance where the client has already
 * come back takes it at once. Taking is an atomic pop, so each kept reply is delivered once. Kept replies are
 * encrypted ({@link DataCipher}) and live as long as a WebSocket history ({@code caravan.session.ttl}, or
 * {@code caravan.session.retention.websocket}).
 */
@Component
public class WebSocketMailbox implements DisposableBean {

    private static final Logger LOG = LoggerFactory.getLogger(WebSocketMailbox.class);
    private static final String PREFIX = "caravan:mailbox:websocket:";
    private static final String NOTICES = "caravan:mailbox:websocket";
    /** A chat keeps at most this many undelivered replies; the oldest go first. */
    private static final int MAX_KEPT = 100;

    private final StringRedisTemplate redis;
    private final DataCipher cipher;
    private final Duration ttl;
    private final RedisMessageListenerContainer container;
    private volatile Consumer<String> onNotice = chat -> { };

    public WebSocketMailbox(StringRedisTemplate redis, RedisConnectionFactory connections,
            routes.pipeline.SessionProperties sessions, DataCipher cipher) {
        this.redis = redis;
        this.cipher = cipher;
        this.ttl = sessions.ttlFor(WebChannels.WEBSOCKET);
        this.container = new RedisMessageListenerContainer();
        container.setConnectionFactory(connections);
        // one thread in arrival order, instead of a thread per message
        container.setTaskExecutor(java.util.concurrent.Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "caravan-mailbox");
            t.setDaemon(true);
            return t;
        }));
        container.addMessageListener((message, pattern) ->
                onNotice.accept(new String(message.getBody(), StandardCharsets.UTF_8)), new ChannelTopic(NOTICES));
        container.afterPropertiesSet();
        container.start();
    }

    /** Called with a chat id whenever a reply was kept for it, on every instance. */
    void onNotice(Consumer<String> listener) {
        this.onNotice = listener;
    }

    /** Keeps a reply for its chat and tells every instance. */
    void keep(Envelope reply) {
        String key = PREFIX + reply.chatId();
        redis.opsForList().rightPush(key, cipher.seal(EnvelopeCodec.encodeToString(reply), key));
        redis.opsForList().trim(key, -MAX_KEPT, -1);
        redis.expire(key, ttl);
        redis.convertAndSend(NOTICES, reply.chatId());
    }

    /** Takes the kept replies of a chat, oldest first, handing each to {@code deliver}; stops when it refuses. */
    void drain(String chatId, java.util.function.Predicate<Envelope> deliver) {
        String key = PREFIX + chatId;
        for (int i = 0; i < MAX_KEPT; i++) {
            String sealed = redis.opsForList().leftPop(key);
            if (sealed == null) {
                return;
            }
            Envelope reply;
            try {
                String json = cipher.open(sealed, key);
                if (json == null) {
                    continue;
                }
                reply = EnvelopeCodec.decode(json.getBytes(StandardCharsets.UTF_8));
            } catch (RuntimeException e) {
                LOG.warn("dropping an unreadable kept reply of a WebSocket chat");
                continue;
            }
            if (!deliver.test(reply)) {
                redis.opsForList().leftPush(key, sealed);
                return;
            }
        }
    }

    /** Erases the replies kept for a chat of {@code channel}; returns how many there were. */
    public long forget(String channel, String chatId) {
        if (!WebChannels.WEBSOCKET.equals(channel)) {
            return 0;
        }
        String key = PREFIX + chatId;
        Long kept = redis.opsForList().size(key);
        redis.delete(key);
        return kept == null ? 0 : kept;
    }

    @Override
    public void destroy() throws Exception {
        container.destroy();
    }
}
