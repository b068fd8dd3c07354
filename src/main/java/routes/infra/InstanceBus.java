package routes.infra;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Duration;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.data.redis.connection.ReactiveRedisConnectionFactory;
import org.springframework.data.redis.connection.RedisConnectionFactory;
import org.springframework.data.redis.core.ReactiveStringRedisTemplate;
import org.springframework.data.redis.listener.ChannelTopic;
import org.springframework.data.redis.listener.RedisMessageListenerContainer;
import org.springframework.stereotype.Component;
import routes.envelope.Envelope;
import routes.envelope.EnvelopeCodec;

/**
 * Gets replies and deltas to the instance that holds the client connection.
 *
 * <p>When this instance holds it, the hand-over is a method call. Otherwise the item goes to the holder's own
 * Redis pub/sub channel {@code caravan:instance:<id>}: pub/sub is fire-and-forget, which suits deltas (ephemeral
 * by design) and replies alike, because the durable copy of a reply is its Kafka record and its stored status.
 *
 * <p>Publishing never holds the caller for a delta: deltas come from the model's I/O threads, so they are published
 * without waiting for Redis (fire-and-forget on Lettuce's reactive API). A reply waits for the count of receivers
 * (to keep the reply here when its holder is gone); it is published from an egress thread, on the same Redis
 * connection as the deltas, so it follows them.
 */
@Component
public class InstanceBus implements org.springframework.beans.factory.DisposableBean {

    private static final Logger LOG = LoggerFactory.getLogger(InstanceBus.class);
    static final String CHANNEL_PREFIX = "caravan:instance:";
    /** Longest wait for Redis to take a reply for another instance; past it the egress retries the record. */
    private static final Duration REPLY_PUBLISH_TIMEOUT = Duration.ofSeconds(10);

    private final InstanceIdentity identity;
    private final ReactiveStringRedisTemplate redis;
    private final List<LocalDelivery> local;
    private final RedisMessageListenerContainer container;

    public InstanceBus(InstanceIdentity identity, ReactiveRedisConnectionFactory reactiveConnections,
            List<LocalDelivery> local, RedisConnectionFactory connectionFactory) {
        this.identity = identity;
        this.redis = new ReactiveStringRedisTemplate(reactiveConnections);
        this.local = local;
        this.container = new RedisMessageListenerContainer();
        container.setConnectionFactory(connectionFactory);
        // one thread in arrival order: the container's default starts a thread per message, which reorders deltas
        container.setTaskExecutor(java.util.concurrent.Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "caravan-instance-bus");
            t.setDaemon(true);
            return t;
        }));
        container.addMessageListener((message, pattern) -> receive(message.getBody()),
                new ChannelTopic(CHANNEL_PREFIX + identity.id()));
        container.afterPropertiesSet();
        container.start();
    }

    /**
     * Sends a final reply to its connection's holder. When the holder is gone (nobody listens on its channel), the
     * reply is handed to this instance's deliveries, which keep it for the client's return.
     */
    public void reply(Envelope reply) {
        if (isLocal(reply.instance())) {
            deliverLocally(reply);
        } else {
            ObjectNode node = EnvelopeCodec.mapper().createObjectNode();
            node.put("kind", "reply");
            node.set("envelope", EnvelopeCodec.mapper().valueToTree(reply));
            Long receivers = redis.convertAndSend(CHANNEL_PREFIX + reply.instance(), node.toString())
                    .block(REPLY_PUBLISH_TIMEOUT);
            if (receivers == null || receivers == 0) {
                LOG.debug("instance {} is gone; keeping reply {} here", reply.instance(), reply.id());
                deliverLocally(reply);
            }
        }
    }

    /**
     * Hands a reply that is now on its outbound topic to a request of this instance waiting for it, without waiting
     * for the egress route to read the record back ({@link LocalDelivery#offerPublishedReply}). A reply for another
     * instance's connection, or one nobody here takes, is left to the egress route.
     *
     * @return whether a waiting request took it
     */
    public boolean offerPublishedReply(Envelope reply) {
        return isLocal(reply.instance()) && offerHere(l -> l.offerPublishedReply(reply));
    }

    /** Sends a token fragment of the reply to {@code inbound} to its connection's holder; never waits. */
    public void delta(Envelope inbound, String text) {
        Delta delta = new Delta(inbound.channel(), inbound.chatId(), inbound.id(), inbound.meta("connection"), text);
        if (isLocal(inbound.instance())) {
            local.forEach(l -> l.deliverDelta(delta));
        } else {
            ObjectNode node = EnvelopeCodec.mapper().createObjectNode();
            node.put("kind", "delta");
            node.set("delta", EnvelopeCodec.mapper().valueToTree(delta));
            redis.convertAndSend(CHANNEL_PREFIX + inbound.instance(), node.toString()).subscribe(
                    receivers -> { },
                    error -> LOG.debug("a delta for instance {} was not published: {}", inbound.instance(),
                            error.toString()));
        }
    }

    private boolean isLocal(String instance) {
        return instance == null || instance.equals(identity.id());
    }

    private void deliverLocally(Envelope reply) {
        if (!offerHere(l -> l.deliverReply(reply))) {
            LOG.debug("no local connection waits for reply {} in chat {}", reply.id(), reply.chatId());
        }
    }

    /** Offers an item to every local delivery (each gets it, whoever took it); whether any took it. */
    private boolean offerHere(java.util.function.Predicate<LocalDelivery> offer) {
        boolean taken = false;
        for (LocalDelivery l : local) {
            taken |= offer.test(l);
        }
        return taken;
    }

    private void receive(byte[] body) {
        try {
            JsonNode node = EnvelopeCodec.mapper().readTree(body);
            switch (node.path("kind").asText()) {
                case "reply" -> deliverLocally(EnvelopeCodec.mapper().treeToValue(node.get("envelope"),
                        Envelope.class));
                case "delta" -> {
                    Delta delta = EnvelopeCodec.mapper().treeToValue(node.get("delta"), Delta.class);
                    local.forEach(l -> l.deliverDelta(delta));
                }
                default -> LOG.warn("ignoring an instance bus message of unknown kind");
            }
        } catch (Exception e) {
            LOG.warn("ignoring an unreadable instance bus message: {}", e.toString());
        }
    }

    @Override
    public void destroy() throws Exception {
        container.destroy();
    }
}
