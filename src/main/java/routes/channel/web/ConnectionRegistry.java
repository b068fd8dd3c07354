package routes.channel.web;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;
import org.springframework.web.socket.WebSocketSession;
import routes.envelope.Envelope;
import routes.infra.Delta;
import routes.infra.LocalDelivery;

/**
 * The client connections this instance holds: open WebSocket sessions and HTTP requests waiting for a reply.
 * Replies and deltas for them arrive here, from this instance's pipeline or through the instance bus.
 *
 * <p>Nothing here waits for a client: a frame for a WebSocket is queued in the connection's {@link WebSocketOutbox}
 * and written from there, so the model's I/O threads, Kafka callbacks and the bus hand over and move on.
 */
@Component
public class ConnectionRegistry implements LocalDelivery {

    private static final Logger LOG = LoggerFactory.getLogger(ConnectionRegistry.class);

    /** An open WebSocket and the frames on their way to it. */
    record Connection(WebSocketSession session, WebSocketOutbox outbox) {
    }

    private final Map<String, Connection> sockets = new ConcurrentHashMap<>();
    /** Open connections by the chats they sent in or asked for. */
    private final Map<String, Set<String>> chats = new ConcurrentHashMap<>();
    /** Open connections per client address, for the per-address limit. */
    private final Map<String, java.util.concurrent.atomic.AtomicInteger> perAddress = new ConcurrentHashMap<>();
    private final PendingReplies pending = new PendingReplies();
    private final WebSocketMailbox mailbox;
    private final WebSocketSender sender;

    public ConnectionRegistry(MeterRegistry meters, WebSocketMailbox mailbox, WebSocketSender sender) {
        this.mailbox = mailbox;
        this.sender = sender;
        mailbox.onNotice(chat -> {
            if (chats.containsKey(chat)) {
                mailbox.drain(chat, this::sendToChat);
            }
        });
        sender.every(sender.stallCheckMillis(), () -> sockets.values().forEach(c -> c.outbox().checkStalled()));
        Gauge.builder("caravan.websocket.connections", sockets, Map::size)
                .description("Open WebSocket connections on this instance")
                .register(meters);
        Gauge.builder("caravan.websocket.frames.queued", sockets,
                        s -> s.values().stream().mapToInt(c -> c.outbox().queuedFrames()).sum())
                .description("WebSocket frames waiting to be written, over all connections of this instance")
                .register(meters);
        Gauge.builder("caravan.websocket.write.wait.max", sockets,
                        s -> s.values().stream().mapToLong(c -> c.outbox().writingForNanos()).max().orElse(0) / 1e9)
                .description("Longest time a WebSocket frame of this instance has been waiting to be written "
                        + "(a client not reading); such clients are closed at caravan.http.ws-send-timeout")
                .baseUnit("seconds")
                .register(meters);
        Gauge.builder("caravan.http.pending.replies", pending, PendingReplies::size)
                .description("HTTP requests on this instance waiting for a reply")
                .register(meters);
    }

    void register(WebSocketSession session) {
        sockets.put(session.getId(), new Connection(session, sender.open(session, this::outboxClosed)));
        perAddress.computeIfAbsent(address(session), k -> new java.util.concurrent.atomic.AtomicInteger())
                .incrementAndGet();
    }

    /** Open connections from {@code address} on this instance. */
    public int connectionsFrom(String address) {
        java.util.concurrent.atomic.AtomicInteger count = perAddress.get(address);
        return count == null ? 0 : count.get();
    }

    private static String address(WebSocketSession session) {
        return address(session.getRemoteAddress());
    }

    /** A client's address as counted for the per-address limit. */
    static String address(java.net.InetSocketAddress remote) {
        return remote == null || remote.getAddress() == null ? "unknown" : remote.getAddress().getHostAddress();
    }

    /** The connection went away: forget it; replies still queued for it are delivered elsewhere or kept. */
    void unregister(WebSocketSession session) {
        close(session, "connection closed");
    }

    /** Closes a connection from the server side, without waiting for the client; idempotent. */
    void close(WebSocketSession session, String reason) {
        Connection connection = sockets.get(session.getId());
        if (connection != null) {
            connection.outbox().close(reason);
        }
        forget(session.getId());
    }

    private void forget(String connectionId) {
        Connection gone = sockets.remove(connectionId);
        if (gone != null) {
            perAddress.computeIfPresent(address(gone.session()), (k, n) -> n.decrementAndGet() <= 0 ? null : n);
            chats.values().forEach(ids -> ids.remove(connectionId));
            chats.values().removeIf(Set::isEmpty);
        }
    }

    /** Runs on the sender's control thread once a connection's outbox closed. */
    private void outboxClosed(WebSocketOutbox outbox, List<Envelope> undelivered, String reason) {
        forget(outbox.connectionId());
        if (!undelivered.isEmpty()) {
            LOG.info("WebSocket {} closed ({}); keeping {} undelivered replies for its chats",
                    outbox.connectionId(), reason, undelivered.size());
        }
        for (Envelope reply : undelivered) {
            if (!sendToChat(reply)) {
                mailbox.keep(reply);
            }
        }
    }

    /** Marks a connection as one of a chat's, and hands it the replies kept while the chat had none. */
    void joinChat(String connectionId, String chatId) {
        Set<String> ids = chats.computeIfAbsent(chatId, k -> ConcurrentHashMap.newKeySet());
        if (ids.add(connectionId)) {
            mailbox.drain(chatId, this::sendToChat);
        }
    }

    /** Registers a request waiting for the reply to {@code messageId}; call before publishing the message. */
    PendingReplies.Waiter expect(String messageId, Consumer<String> deltas) {
        return pending.expect(messageId, deltas);
    }

    /**
     * Delivers a reply: a WebSocket reply goes to the connection that sent the message, else to another open
     * connection of the same chat here, else it is kept until the chat has a connection again.
     */
    @Override
    public boolean deliverReply(Envelope reply) {
        if (WebChannels.WEBSOCKET.equals(reply.channel())) {
            if (queueReply(reply.meta(WebChannels.META_CONNECTION), reply) || sendToChat(reply)) {
                return true;
            }
            mailbox.keep(reply);
            return true;
        }
        return pending.complete(reply);
    }

    /** An OpenAI-compatible request waiting here takes its reply as soon as it is on Kafka. */
    @Override
    public boolean offerPublishedReply(Envelope reply) {
        return WebChannels.OPENAI.equals(reply.channel()) && pending.complete(reply);
    }

    private boolean sendToChat(Envelope reply) {
        Set<String> ids = chats.get(reply.chatId());
        if (ids == null) {
            return false;
        }
        for (String id : ids) {
            if (queueReply(id, reply)) {
                return true;
            }
        }
        return false;
    }

    private boolean queueReply(String connectionId, Envelope reply) {
        Connection connection = connectionId == null ? null : sockets.get(connectionId);
        return connection != null && connection.outbox().offerReply(reply, WebSocketFrames.reply(reply));
    }

    @Override
    public void deliverDelta(Delta delta) {
        if (WebChannels.WEBSOCKET.equals(delta.channel())) {
            Connection connection = delta.connection() == null ? null : sockets.get(delta.connection());
            if (connection != null) {
                connection.outbox().offerDelta(delta.inReplyTo(), delta.chatId(), delta.text());
            }
        } else {
            pending.delta(delta.inReplyTo(), delta.text());
        }
    }

    /** Queues a frame for a connection of this instance; false when it is gone. */
    boolean send(String connectionId, String frame) {
        Connection connection = connectionId == null ? null : sockets.get(connectionId);
        return connection != null && connection.outbox().offerControl(frame);
    }

    Iterable<WebSocketSession> sockets() {
        return sockets.values().stream().map(Connection::session).toList();
    }
}
