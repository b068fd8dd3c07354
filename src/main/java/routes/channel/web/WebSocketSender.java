package routes.channel.web;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.undertow.websockets.jsr.UndertowSession;
import jakarta.websocket.SendResult;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.concurrent.Executor;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.stereotype.Component;
import org.springframework.web.socket.CloseStatus;
import org.springframework.web.socket.adapter.NativeWebSocketSession;
import org.springframework.web.socket.WebSocketSession;

/**
 * Sends WebSocket frames without ever waiting for a client: builds one {@link WebSocketOutbox} per connection,
 * drained into the server's asynchronous send, and watches for clients that stopped reading.
 *
 * <p>Threads: each outbox is drained on its connection's server I/O thread, where a send writes to the socket at
 * once and reports the write done (from any other thread the server would hand every frame to that I/O thread
 * anyway: one thread hop per frame, of some twenty per streamed reply); the drain only renders and starts writes,
 * it never waits. {@code caravan-ws-control} checks for stalled writes, closes slow connections and hands their
 * replies back.
 */
@Component
public class WebSocketSender implements DisposableBean {

    private static final Logger LOG = LoggerFactory.getLogger(WebSocketSender.class);
    private static final ByteBuffer PING = ByteBuffer.allocate(0);

    private final WebSocketOutbox.Limits limits;
    private final ScheduledExecutorService control;
    private final WebSocketOutbox.Counters counters;

    public WebSocketSender(WebProperties properties, MeterRegistry meters) {
        this.limits = new WebSocketOutbox.Limits(properties.getWsBufferSize().toBytes(),
                properties.getWsSendTimeout().toNanos());
        this.control = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "caravan-ws-control");
            t.setDaemon(true);
            return t;
        });
        Counter coalesced = Counter.builder("caravan.websocket.deltas.coalesced")
                .description("Token deltas merged into a delta frame still waiting to be sent").register(meters);
        Counter dropped = Counter.builder("caravan.websocket.deltas.dropped")
                .description("Token deltas not sent because the connection's buffer was full (the reply follows whole)")
                .register(meters);
        Counter slow = Counter.builder("caravan.websocket.slow.closed")
                .description("WebSocket connections closed because the client did not read its frames")
                .register(meters);
        this.counters = new WebSocketOutbox.Counters() {
            @Override
            public void coalesced() {
                coalesced.increment();
            }

            @Override
            public void droppedDelta() {
                dropped.increment();
            }

            @Override
            public void slowClientClosed() {
                slow.increment();
            }
        };
    }

    /** An outbox writing to {@code session}. */
    WebSocketOutbox open(WebSocketSession session, WebSocketOutbox.Listener listener) {
        UndertowSession undertow = undertow(session);
        // the connection's server I/O thread: the one its writes run on
        Executor ioThread = undertow.getWebSocketChannel().getIoThread();
        return new WebSocketOutbox(session.getId(), new SessionTransport(session, undertow), limits, ioThread,
                control, listener, counters, System::nanoTime);
    }

    /** Runs {@code task} on the control thread every {@code millis}. */
    void every(long millis, Runnable task) {
        control.scheduleWithFixedDelay(() -> {
            try {
                task.run();
            } catch (RuntimeException e) {
                LOG.warn("WebSocket housekeeping failed: {}", e.toString());
            }
        }, millis, millis, TimeUnit.MILLISECONDS);
    }

    /** How often stalled writes are looked for: a quarter of the send timeout, at most once a second. */
    long stallCheckMillis() {
        return Math.max(50, Math.min(1000, TimeUnit.NANOSECONDS.toMillis(limits.sendTimeoutNanos()) / 4));
    }

    /** Pings without waiting: the ping is queued in the server behind any frame being written. */
    static void ping(WebSocketSession session) throws IOException {
        undertow(session).getAsyncRemote().sendPing(PING.duplicate());
    }

    /** The server's JSR-356 session under Spring's (Undertow's): its asynchronous send is what keeps threads free. */
    private static UndertowSession undertow(WebSocketSession session) {
        UndertowSession undertow = session instanceof NativeWebSocketSession n
                ? n.getNativeSession(UndertowSession.class) : null;
        if (undertow == null) {
            throw new IllegalStateException("WebSocket sessions must be Undertow's JSR-356 sessions");
        }
        return undertow;
    }

    @Override
    public void destroy() {
        control.shutdownNow();
    }

    /** The JSR-356 asynchronous send of the session: the write completes on a server I/O thread. */
    private record SessionTransport(WebSocketSession session, UndertowSession jsr)
            implements WebSocketOutbox.Transport {

        @Override
        public void send(String frame, Consumer<Throwable> done) {
            if (!jsr.isOpen()) {
                done.accept(new IOException("the WebSocket is closed"));
                return;
            }
            jsr.getAsyncRemote().sendText(frame, (SendResult result) ->
                    done.accept(result.isOK() ? null : result.getException()));
        }

        @Override
        public void close(String reason) {
            try {
                // on Undertow the close frame is sent asynchronously; a client that stopped reading never gets it
                session.close(CloseStatus.SESSION_NOT_RELIABLE.withReason(truncate(reason)));
            } catch (IOException | RuntimeException e) {
                LOG.debug("closing WebSocket {}: {}", session.getId(), e.toString());
            }
            // drop the TCP connection too, so a client that stopped reading does not keep the socket
            jsr.forceClose();
        }

        private static String truncate(String reason) {
            // a close reason is at most 123 bytes
            return reason.length() > 100 ? reason.substring(0, 100) : reason;
        }
    }
}
