package routes.channel.web;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.util.Map;
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
    private final PendingReplies pending = new PendingReplies();

    public ConnectionRegistry(MeterRegistry meters) {
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
    }

    /** Registers a request waiting for the reply to {@code messageId}; call before publishing the message. */
    PendingReplies.Waiter expect(String messageId, Consumer<String> deltas) {
        return pending.expect(messageId, deltas);
    }

    @Override
    public boolean deliverReply(Envelope reply) {
        if (WebChannels.WEBSOCKET.equals(reply.channel())) {
            ObjectNode frame = EnvelopeCodec.mapper().createObjectNode()
                    .put("type", "reply")
                    .put("inReplyTo", reply.inReplyTo())
                    .put("chatId", reply.chatId())
                    .put("text", reply.text());
            if (reply.meta("error") != null) {
                frame.put("error", reply.meta("error"));
            }
            return send(reply.meta(WebChannels.META_CONNECTION), frame.toString());
        }
        return pending.complete(reply);
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
