package routes.channel.web;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.stereotype.Component;
import org.springframework.web.socket.CloseStatus;
import org.springframework.web.socket.PongMessage;
import org.springframework.web.socket.TextMessage;
import org.springframework.web.socket.WebSocketSession;
import org.springframework.web.socket.handler.TextWebSocketHandler;
import routes.channel.Ingress;
import routes.envelope.ChatType;
import routes.envelope.Envelope;
import routes.envelope.EnvelopeCodec;
import routes.pipeline.ModelCall;

/**
 * The WebSocket at {@code /ws}.
 *
 * <p>Client frames: {@code {"type":"message","chatId":"c1","text":"hi","id":"m1"}} ({@code chatId} and {@code id}
 * optional). Server frames: {@code accepted} once the message is on Kafka, {@code delta} fragments while the reply
 * is generated, the final {@code reply}, and {@code error} with a code. The server pings every
 * {@code caravan.http.ping-interval}; a connection silent for two intervals is closed.
 *
 * <p>Frames are queued per connection and written without waiting ({@link WebSocketOutbox}); a client that stops
 * reading is closed after {@code caravan.http.ws-send-timeout} and gets its replies when it comes back.
 */
@Component
public class ChatWebSocketHandler extends TextWebSocketHandler implements DisposableBean {

    private static final Logger LOG = LoggerFactory.getLogger(ChatWebSocketHandler.class);
    private static final String LAST_PONG = "caravan.lastPong";
    private static final String FRAME = "caravan.frame";
    private static final String OVERSIZED = "caravan.oversized";

    private final ConnectionRegistry registry;
    private final Ingress ingress;
    private final InputLimits limits;
    private final Duration pingInterval;
    private final ScheduledExecutorService pinger;
    /** Longest frame read: the text limit plus room for the JSON around it. */
    private final long maxFrameChars;
    private final MessageRate messageRate;

    public ChatWebSocketHandler(ConnectionRegistry registry, Ingress ingress, InputLimits limits,
            WebProperties properties, LimitsProperties limitsProperties) {
        this.registry = registry;
        this.messageRate = new MessageRate(limitsProperties.getWsMessageRate());
        this.ingress = ingress;
        this.limits = limits;
        this.pingInterval = properties.getPingInterval();
        this.maxFrameChars = limits.maxTextBytes() * 6 + 4096;
        this.pinger = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "caravan-ws-ping");
            t.setDaemon(true);
            return t;
        });
        long every = pingInterval.toMillis();
        pinger.scheduleAtFixedRate(this::pingAll, every, every, TimeUnit.MILLISECONDS);
    }

    @Override
    public void afterConnectionEstablished(WebSocketSession session) {
        session.getAttributes().put(LAST_PONG, System.nanoTime());
        registry.register(session);
        String chatId = chatIdFromQuery(session);
        if (chatId != null) {
            registry.joinChat(session.getId(), routes.security.WebIdentity.chat(session.getPrincipal(), chatId));
        }
    }

    /** {@code /ws?chatId=c1}: a returning client names its chat to get the replies kept while it was away. */
    private String chatIdFromQuery(WebSocketSession session) {
        if (session.getUri() == null) {
            return null;
        }
        var params = org.springframework.web.util.UriComponentsBuilder.fromUri(session.getUri()).build()
                .getQueryParams();
        String raw = params.getFirst("chatId");
        if (raw == null) {
            return null;
        }
        try {
            return limits.optionalId(java.net.URLDecoder.decode(raw, java.nio.charset.StandardCharsets.UTF_8),
                    "chatId");
        } catch (InputLimits.Rejected | IllegalArgumentException e) {
            return null;
        }
    }

    @Override
    public void afterConnectionClosed(WebSocketSession session, CloseStatus status) {
        registry.unregister(session);
    }

    @Override
    protected void handlePongMessage(WebSocketSession session, PongMessage message) {
        session.getAttributes().put(LAST_PONG, System.nanoTime());
    }

    /** Frames arrive in parts, so an oversized one is counted and refused, never held whole in memory. */
    @Override
    public boolean supportsPartialMessages() {
        return true;
    }

    @Override
    protected void handleTextMessage(WebSocketSession session, TextMessage part) {
        session.getAttributes().put(LAST_PONG, System.nanoTime());
        StringBuilder buffer = (StringBuilder) session.getAttributes().computeIfAbsent(FRAME, k -> new StringBuilder());
        if (buffer.length() + part.getPayloadLength() > maxFrameChars) {
            session.getAttributes().put(OVERSIZED, Boolean.TRUE);
            buffer.setLength(0);
        } else if (!Boolean.TRUE.equals(session.getAttributes().get(OVERSIZED))) {
            buffer.append(part.getPayload());
        }
        if (!part.isLast()) {
            return;
        }
        boolean oversized = Boolean.TRUE.equals(session.getAttributes().remove(OVERSIZED));
        String payload = buffer.toString();
        buffer.setLength(0);
        if (oversized) {
            registry.send(session.getId(), WebSocketFrames.error("text_too_large",
                    "the frame is larger than " + maxFrameChars + " characters", null));
            return;
        }
        handleFrame(session, payload);
    }

    private void handleFrame(WebSocketSession session, String payload) {
        String connection = session.getId();
        String clientId = null;
        try {
            long wait = messageRate.waitMillis(session);
            if (wait > 0) {
                throw new InputLimits.Rejected(429, "rate_limited", "this connection sends frames faster than "
                        + "allowed; send again in " + Math.max(1, (wait + 999) / 1000) + " s");
            }
            JsonNode frame;
            try {
                frame = EnvelopeCodec.mapper().readTree(payload);
            } catch (IOException e) {
                throw new InputLimits.Rejected(400, "bad_json", "the frame is not valid JSON");
            }
            if (frame == null || !frame.isObject()) {
                throw new InputLimits.Rejected(400, "bad_json", "the frame must be a JSON object");
            }
            String type = frame.path("type").asText("");
            if (!"message".equals(type)) {
                throw new InputLimits.Rejected(400, "unknown_type",
                        "unknown frame type '" + truncate(type) + "'; send type \"message\"");
            }
            clientId = limits.optionalId(textField(frame, "id"), "id");
            String chatId = limits.optionalId(textField(frame, "chatId"), "chatId");
            String text = limits.text(textField(frame, "text"));
            String chat = routes.security.WebIdentity.chat(session.getPrincipal(),
                    chatId != null ? chatId : "ws-" + connection);
            registry.joinChat(connection, chat);
            Envelope.Builder builder = Envelope.builder()
                    .id(clientId)
                    .channel(WebChannels.WEBSOCKET)
                    .chatType(ChatType.DIRECT)
                    .text(text)
                    .meta(WebChannels.META_CONNECTION, connection)
                    .meta(ModelCall.META_STREAM, "true");
            routes.security.WebIdentity.apply(builder, session.getPrincipal(), chat, "ws:" + connection);
            final String id = clientId;
            ingress.accept(builder).whenComplete((accepted, error) -> {
                if (error != null) {
                    LOG.warn("could not accept a WebSocket message: {}", error.toString());
                    registry.send(connection, WebSocketFrames.error("unavailable",
                            "the message could not be accepted right now; send it again", id));
                } else {
                    registry.send(connection, WebSocketFrames.accepted(accepted.id()));
                }
            });
        } catch (InputLimits.Rejected rejected) {
            registry.send(connection, WebSocketFrames.error(rejected.code(), rejected.getMessage(), clientId));
        }
    }

    @Override
    public void handleTransportError(WebSocketSession session, Throwable exception) {
        LOG.debug("WebSocket {} transport error: {}", session.getId(), exception.toString());
    }

    private static String textField(JsonNode frame, String name) {
        JsonNode node = frame.get(name);
        if (node == null || node.isNull()) {
            return null;
        }
        if (!node.isTextual()) {
            throw new InputLimits.Rejected(400, "invalid_" + name, name + " must be a string");
        }
        return node.asText();
    }

    private static String truncate(String s) {
        return s.length() > 40 ? s.substring(0, 40) + "…" : s;
    }

    private void pingAll() {
        long deadline = System.nanoTime() - 2 * pingInterval.toNanos() - 1_000_000_000L;
        for (WebSocketSession session : registry.sockets()) {
            try {
                Object last = session.getAttributes().get(LAST_PONG);
                if (last instanceof Long l && l < deadline) {
                    registry.close(session, "no pong");
                } else if (session.isOpen()) {
                    WebSocketSender.ping(session);
                }
            } catch (IOException | RuntimeException e) {
                registry.unregister(session);
            }
        }
    }

    @Override
    public void destroy() {
        pinger.shutdownNow();
    }

    /** A fixed-window count of one connection's messages, kept in its session. */
    private record MessageRate(LimitsProperties.Rate rate) {

        private static final String KEY = "caravan.rate";

        /** 0 when the session may send one more message now, else how long until it may. */
        long waitMillis(WebSocketSession session) {
            if (rate == null || rate.getPermits() <= 0) {
                return 0;
            }
            long now = System.nanoTime();
            long window = rate.getWindow().toNanos();
            long[] state = (long[]) session.getAttributes().computeIfAbsent(KEY, k -> new long[] {now, 0});
            synchronized (state) {
                if (now - state[0] >= window) {
                    state[0] = now;
                    state[1] = 0;
                }
                if (state[1] < rate.getPermits()) {
                    state[1]++;
                    return 0;
                }
                return java.util.concurrent.TimeUnit.NANOSECONDS.toMillis(window - (now - state[0]));
            }
        }
    }
}
