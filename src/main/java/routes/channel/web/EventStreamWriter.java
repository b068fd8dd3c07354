package routes.channel.web;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.servlet.AsyncContext;
import jakarta.servlet.AsyncEvent;
import jakarta.servlet.AsyncListener;
import jakarta.servlet.ServletOutputStream;
import jakarta.servlet.WriteListener;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.function.BooleanSupplier;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.HttpHeaders;

/**
 * A server-sent event stream written with the servlet's non-blocking output, so that no thread ever waits for the
 * client to read.
 *
 * <p>Events are handed over by the threads that produce them (model I/O threads hand over tokens, the reply's
 * delivery hands over the end). A blocking write would hold such a thread for as long as a client does not read,
 * and a handful of clients that stop reading would stop every model stream of the instance. Here an event is
 * written only while the container says the connection can take it; otherwise it waits in this stream's queue and
 * the container calls back once the client reads again. Token fragments that wait are merged into one event, so a
 * slow client gets fewer, longer events and the queue never holds more than the reply's text and a few events.
 *
 * <p>A client that never reads keeps its stream until the request's timeout, then the request ends and nothing
 * more is kept for it. {@code onGone} runs once when the client left, the connection failed or the timeout came.
 */
final class EventStreamWriter implements WriteListener, AsyncListener {

    private static final Logger LOG = LoggerFactory.getLogger(EventStreamWriter.class);

    private final AsyncContext async;
    private final ServletOutputStream out;
    private final Function<String, String> fragmentEvent;
    private final Counters counters;
    private final Runnable onGone;
    /** Waiting to be written, in order: whole events ({@code byte[]}) and merged fragments ({@code StringBuilder}). */
    private final ArrayDeque<Object> queue = new ArrayDeque<>();
    private boolean ending;
    private boolean closed;

    /** What the streams of an instance count: fragments merged while they waited, streams ended unfinished. */
    record Counters(Counter merged, Counter abandoned) {

        static Counters of(MeterRegistry meters) {
            return new Counters(Counter.builder("caravan.http.stream.fragments.merged")
                    .description("Streamed fragments merged into an event still waiting for a slow client")
                    .register(meters),
                    Counter.builder("caravan.http.stream.abandoned")
                            .description("Event streams ended before their last event was written (the client left,"
                                    + " failed, or did not read until the timeout)")
                            .register(meters));
        }
    }

    private EventStreamWriter(AsyncContext async, ServletOutputStream out, Function<String, String> fragmentEvent,
            Counters counters, Runnable onGone) {
        this.async = async;
        this.out = out;
        this.fragmentEvent = fragmentEvent;
        this.counters = counters;
        this.onGone = onGone;
    }

    /**
     * Answers {@code request} with an event stream that lasts at most {@code timeout}.
     *
     * @param fragmentEvent the data of the event that carries a fragment of text (fragments waiting are merged)
     * @param counters      where merged fragments and abandoned streams are counted
     * @param onGone        runs once when the client is gone (left, failed, timed out) before the stream ended
     */
    static EventStreamWriter open(HttpServletRequest request, HttpServletResponse response, Duration timeout,
            Function<String, String> fragmentEvent, Counters counters, Runnable onGone) throws IOException {
        response.setStatus(HttpServletResponse.SC_OK);
        response.setContentType("text/event-stream");
        response.setCharacterEncoding(StandardCharsets.UTF_8.name());
        response.setHeader(HttpHeaders.CACHE_CONTROL, "no-cache");
        response.setHeader("X-Accel-Buffering", "no");
        AsyncContext async = request.startAsync(request, response);
        async.setTimeout(timeout.toMillis());
        EventStreamWriter writer = new EventStreamWriter(async, response.getOutputStream(), fragmentEvent, counters,
                onGone);
        async.addListener(writer);
        writer.out.setWriteListener(writer);
        return writer;
    }

    /** Queues one event with this data ({@code data: <data>}). */
    void event(String data) {
        offer(() -> queue.add(frame(data)), false);
    }

    /** Queues a fragment of text; fragments that wait for the client are merged into one event. */
    void fragment(String text) {
        offer(() -> {
            if (queue.peekLast() instanceof StringBuilder waiting) {
                waiting.append(text);
                counters.merged().increment();
            } else {
                queue.add(new StringBuilder(text));
            }
        }, false);
    }

    /** Queues {@code data: [DONE]}; the response ends once everything before it is written. */
    void end() {
        offer(() -> queue.add(frame("[DONE]")), true);
    }

    @Override
    public void onWritePossible() {
        locked(this::drain);
    }

    @Override
    public void onError(Throwable error) {
        LOG.debug("an event stream failed: {}", error.toString());
        abandon();
    }

    @Override
    public void onTimeout(AsyncEvent event) {
        abandon();
    }

    @Override
    public void onError(AsyncEvent event) {
        onError(event.getThrowable() != null ? event.getThrowable() : new IOException("the request failed"));
    }

    @Override
    public void onComplete(AsyncEvent event) {
        // nothing kept: the queue is empty or was dropped
    }

    @Override
    public void onStartAsync(AsyncEvent event) {
        // not restarted
    }

    /**
     * Writes what waits while the connection takes it, then flushes; ends the response after the last event.
     * Holds the lock. True when the client turned out to be gone just now.
     */
    private boolean drain() {
        try {
            boolean written = false;
            // isReady() false: the container calls onWritePossible once the connection takes more
            while (!closed && out.isReady()) {
                Object next = queue.poll();
                if (next == null) {
                    if (written) {
                        out.flush();
                        written = false;
                        continue;
                    }
                    if (ending) {
                        closed = true;
                        AsyncAnswer.complete(async);
                    }
                    return false;
                }
                out.write(next instanceof StringBuilder text ? frame(fragmentEvent.apply(text.toString()))
                        : (byte[]) next);
                written = true;
            }
            return false;
        } catch (IOException | RuntimeException e) {
            LOG.debug("an event stream could not be written: {}", e.toString());
            return close();
        }
    }

    /** The client is gone or out of time: what waits is dropped and the request ends. */
    private void abandon() {
        locked(this::close);
    }

    /** Queues with {@code add} while the stream is open ({@code last}: nothing may follow), then writes what it can. */
    private void offer(Runnable add, boolean last) {
        locked(() -> {
            if (closed || ending) {
                return false;
            }
            add.run();
            ending = last;
            return drain();
        });
    }

    /**
     * Runs {@code step} under the lock; when it found the client gone, runs onGone after the lock is released (it
     * may come back to this stream). {@link #close()} says so only once, so onGone runs once.
     */
    private void locked(BooleanSupplier step) {
        boolean gone;
        synchronized (this) {
            gone = step.getAsBoolean();
        }
        if (gone) {
            onGone.run();
        }
    }

    /** Drops what waits and ends the request; true the first time (the client is gone). Holds the lock. */
    private boolean close() {
        queue.clear();
        if (closed) {
            return false;
        }
        closed = true;
        counters.abandoned().increment();
        AsyncAnswer.complete(async);
        return true;
    }

    private static byte[] frame(String data) {
        return ("data: " + data + "\n\n").getBytes(StandardCharsets.UTF_8);
    }
}
