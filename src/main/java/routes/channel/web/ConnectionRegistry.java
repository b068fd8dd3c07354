package routes.channel.web;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;
import org.springframework.web.socket.TextMessage;
import org.springframework.web.socket.WebSocketSession;
import routes.envelope.Envelope;
import routes.envelope.EnvelopeCodec;
import routes.infra.Delta;
import routes.infra.LocalDelivery;

/**
 * The client connections this instance holds: open WebSocket sessions and HTTP requests waiting for a reply.
 * Replies and deltas for them arrive here, from this instance's pipeline or through the instance bus.
 */
@Component
public class ConnectionRegistry implements LocalDelivery {

    private static final Logger LOG = LoggerFactory.getLogger(ConnectionRegistry.class);

    private final Map<String, WebSocketSession> sockets = new ConcurrentHashMap<>();
    /** Open connections by the chats they sent in or asked for. */
    private final Map<String, Set<String>> chats = new ConcurrentHashMap<>();
    private final PendingReplies pending = new PendingReplies();
    private final WebSocketMailbox mailbox;

    public ConnectionRegistry(MeterRegistry meters, WebSocketMailbox mailbox) {
        this.mailbox = mailbox;
        mailbox.onNotice(chat -> {
            if (chats.containsKey(chat)) {
                mailbox.drain(chat, this::sendToChat);
            }
        });
        Gauge.builder("caravan.websocket.connections", sockets, Map::size)
                .description("Open WebSocket connections on this instance")
                .register(meters);
        Gauge.builder("caravan.http.pending.replies", pending, PendingReplies::size)
                .description("HTTP requests on this instance waiting for a reply")
                .register(meters);
    }

    void register(WebSocketSession session) {
        sockets.put(session.getId(), session);
    }

    void unregister(WebSocketSession session) {
        sockets.remove(session.getId());
        chats.values().forEach(ids -> ids.remove(session.getId()));
        chats.values().removeIf(Set::isEmpty);
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
            if (send(reply.meta(WebChannels.META_CONNECTION), replyFrame(reply)) || sendToChat(reply)) {
                return true;
            }
            mailbox.keep(reply);
            return true;
        }
        return pending.complete(reply);
    }

    private boolean sendToChat(Envelope reply) {
        Set<String> ids = chats.get(reply.chatId());
        if (ids == null) {
            return false;
        }
        String frame = replyFrame(reply);
        for (String id : ids) {
            if (send(id, frame)) {
                return true;
            }
        }
        return false;
    }

    private static String replyFrame(Envelope reply) {
        ObjectNode frame = EnvelopeCodec.mapper().createObjectNode()
                .put("type", "reply")
                .put("inReplyTo", reply.inReplyTo())
                .put("chatId", reply.chatId())
                .put("text", reply.text());
        if (reply.meta("error") != null) {
            frame.put("error", reply.meta("error"));
        }
        return frame.toString();
    }

    @Override
    public void deliverDelta(Delta delta) {
        if (WebChannels.WEBSOCKET.equals(delta.channel())) {
            send(delta.connection(), EnvelopeCodec.mapper().createObjectNode()
                    .put("type", "delta")
                    .put("inReplyTo", delta.inReplyTo())
                    .put("chatId", delta.chatId())
                    .put("text", delta.text())
                    .toString());
        } else {
            pending.delta(delta.inReplyTo(), delta.text());
        }
    }

    /** Sends a frame to a connection of this instance; false when it is gone. */
    boolean send(String connectionId, String frame) {
        WebSocketSession session = connectionId == null ? null : sockets.get(connectionId);
        if (session == null || !session.isOpen()) {
            return false;
        }
        try {
            session.sendMessage(new TextMessage(frame));
            return true;
        } catch (IOException | IllegalStateException e) {
            LOG.debug("could not send to WebSocket {}: {}", connectionId, e.toString());
            return false;
        }
    }

    Iterable<WebSocketSession> sockets() {
        return sockets.values();
    }
}
