package routes.channel.web;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import routes.envelope.Envelope;

/**
 * The frames on their way to one WebSocket connection: a bounded queue with one frame being written at a time.
 *
 * <p>Offering a frame never waits: it is queued, and the sender (the connection's server I/O thread) hands the
 * head of the queue to the non-blocking {@link Transport}; the next one goes when the transport reports the
 * previous one written. So a slow client holds no thread, only its queue. While a frame is being written, token
 * deltas of a reply that already has a delta queued are appended to that one: one frame, same text.
 *
 * <p>Bounds: when the queued frames exceed the buffer size, the queued deltas are dropped and their replies get no
 * further deltas (deltas are ephemeral; the final reply carries the whole text). Replies, accepted and error frames
 * are never dropped: when they alone exceed the buffer, or a frame has been written for longer than the send
 * timeout, the client is not reading, the connection is closed, and the replies not yet written are handed to the
 * {@link Listener} to be kept for the client's return.
 *
 * <p>Order per connection: frames go out in the order offered, a delta merged into an earlier one is still ahead of
 * its reply, and a delta that arrives after its reply is dropped.
 */
final class WebSocketOutbox {

    /** Writes frames to the client without waiting for it. */
    interface Transport {

        /** Starts writing a text frame; {@code done} gets null once it is written, or the failure. */
        void send(String frame, Consumer<Throwable> done);

        /** Closes the connection without waiting for the client. */
        void close(String reason);
    }

    /** Told once when the outbox closes, with the replies that did not reach the client, oldest first. */
    interface Listener {
        void closed(WebSocketOutbox outbox, List<Envelope> undelivered, String reason);
    }

    /** What the outbox counts, for metrics. */
    interface Counters {
        void coalesced();

        void droppedDelta();

        void slowClientClosed();
    }

    /**
     * @param bufferChars     most characters of queued frames (beyond the one being written)
     * @param sendTimeoutNanos longest a frame may take to be written before the client counts as gone
     */
    record Limits(long bufferChars, long sendTimeoutNanos) {
    }

    /** How many finished replies an outbox remembers, to drop their late deltas. */
    private static final int REMEMBERED_REPLIES = 256;
    /** Characters a delta frame adds to its text: the JSON around it. */
    private static final int DELTA_OVERHEAD = 64;

    private final String connectionId;
    private final Transport transport;
    private final Limits limits;
    private final Executor sender;
    private final Executor control;
    private final Listener listener;
    private final Counters counters;
    private final LongSupplier clock;

    // all guarded by this
    private final ArrayDeque<Frame> queue = new ArrayDeque<>();
    private final Map<String, DeltaFrame> openDeltas = new HashMap<>();
    private final Set<String> finished = recentSet();
    private final Set<String> muted = recentSet();
    private long queuedChars;
    private boolean draining;
    private Frame inFlight;
    private long inFlightSince;
    private boolean closed;

    WebSocketOutbox(String connectionId, Transport transport, Limits limits, Executor sender, Executor control,
            Listener listener, Counters counters, LongSupplier clock) {
        this.connectionId = connectionId;
        this.transport = transport;
        this.limits = limits;
        this.sender = sender;
        this.control = control;
        this.listener = listener;
        this.counters = counters;
        this.clock = clock;
    }

    String connectionId() {
        return connectionId;
    }

    /** Queues a token fragment; false when the connection is closed. */
    boolean offerDelta(String inReplyTo, String chatId, String text) {
        boolean schedule;
        synchronized (this) {
            if (closed) {
                return false;
            }
            if (finished.contains(inReplyTo) || muted.contains(inReplyTo)) {
                counters.droppedDelta();
                return true;
            }
            DeltaFrame open = openDeltas.get(inReplyTo);
            if (open != null) {
                open.text.append(text);
                queuedChars += text.length();
                counters.coalesced();
            } else {
                DeltaFrame frame = new DeltaFrame(inReplyTo, chatId, new StringBuilder(text));
                openDeltas.put(inReplyTo, frame);
                queue.add(frame);
                queuedChars += frame.size();
            }
            if (queuedChars > limits.bufferChars()) {
                shedDeltas();
            }
            schedule = claimDrain();
        }
        if (schedule) {
            startDrain();
        }
        return true;
    }

    /** Queues a final reply; false when the connection is closed (the caller delivers it elsewhere). */
    boolean offerReply(Envelope reply, String frame) {
        return offer(new ReplyFrame(reply, frame));
    }

    /** Queues an accepted or error frame; false when the connection is closed. */
    boolean offerControl(String frame) {
        return offer(new ControlFrame(frame));
    }

    private boolean offer(Frame frame) {
        boolean schedule;
        List<Envelope> undelivered = null;
        synchronized (this) {
            if (closed) {
                return false;
            }
            if (frame instanceof ReplyFrame r && r.reply.inReplyTo() != null) {
                finished.add(r.reply.inReplyTo());
                muted.remove(r.reply.inReplyTo());
            }
            queue.add(frame);
            queuedChars += frame.size();
            if (queuedChars > limits.bufferChars()) {
                shedDeltas();
                // one frame larger than the buffer may go on its own; more than that, the client is not keeping up
                if (queuedChars > limits.bufferChars() && (queue.size() > 1 || inFlight != null)) {
                    undelivered = closeLocked();
                }
            }
            schedule = undelivered == null && claimDrain();
        }
        if (undelivered != null) {
            counters.slowClientClosed();
            finish(undelivered, "the client does not read its frames fast enough");
        } else if (schedule) {
            startDrain();
        }
        return true;
    }

    /** Closes the connection when the frame being written has taken longer than the send timeout. */
    void checkStalled() {
        List<Envelope> undelivered;
        synchronized (this) {
            if (closed || inFlight == null || clock.getAsLong() - inFlightSince < limits.sendTimeoutNanos()) {
                return;
            }
            undelivered = closeLocked();
        }
        counters.slowClientClosed();
        finish(undelivered, "the client stopped reading");
    }

    /** Closes the outbox (the connection went away or is being closed); idempotent. */
    void close(String reason) {
        List<Envelope> undelivered;
        synchronized (this) {
            if (closed) {
                return;
            }
            undelivered = closeLocked();
        }
        finish(undelivered, reason);
    }

    synchronized int queuedFrames() {
        return queue.size();
    }

    /** How long the frame being written has been at it; zero when nothing is being written. */
    synchronized long writingForNanos() {
        return inFlight == null ? 0 : clock.getAsLong() - inFlightSince;
    }

    synchronized boolean isClosed() {
        return closed;
    }

    private void drain() {
        while (true) {
            Frame frame;
            synchronized (this) {
                if (closed || inFlight != null || queue.isEmpty()) {
                    draining = false;
                    return;
                }
                frame = queue.poll();
                queuedChars -= frame.size();
                if (frame instanceof DeltaFrame d) {
                    openDeltas.remove(d.inReplyTo, d);
                }
                inFlight = frame;
                inFlightSince = clock.getAsLong();
            }
            try {
                transport.send(frame.render(), error -> written(frame, error));
            } catch (RuntimeException e) {
                written(frame, e);
            }
        }
    }

    private void written(Frame frame, Throwable error) {
        if (error != null) {
            close("a frame could not be written: " + error);
            return;
        }
        boolean schedule;
        synchronized (this) {
            if (inFlight == frame) {
                inFlight = null;
            }
            schedule = claimDrain();
        }
        if (schedule) {
            startDrain();
        }
    }

    /** Whether the caller should start a drain: something to send, nothing being written, no drain running. */
    private boolean claimDrain() {
        if (closed || draining || inFlight != null || queue.isEmpty()) {
            return false;
        }
        draining = true;
        return true;
    }

    private void startDrain() {
        try {
            sender.execute(this::drain);
        } catch (RejectedExecutionException e) {
            // shutting down: the connections close with the process
            synchronized (this) {
                draining = false;
            }
        }
    }

    /** Drops every queued delta; their replies get no further deltas. */
    private void shedDeltas() {
        for (Iterator<Frame> it = queue.iterator(); it.hasNext(); ) {
            if (it.next() instanceof DeltaFrame d) {
                it.remove();
                queuedChars -= d.size();
                openDeltas.remove(d.inReplyTo);
                muted.add(d.inReplyTo);
                counters.droppedDelta();
            }
        }
    }

    /** Marks the outbox closed and takes the replies it still holds, the one being written first. */
    private List<Envelope> closeLocked() {
        closed = true;
        List<Envelope> undelivered = new ArrayList<>();
        if (inFlight instanceof ReplyFrame r) {
            undelivered.add(r.reply);
        }
        for (Frame f : queue) {
            if (f instanceof ReplyFrame r) {
                undelivered.add(r.reply);
            }
        }
        queue.clear();
        openDeltas.clear();
        queuedChars = 0;
        inFlight = null;
        return undelivered;
    }

    /** Closing the connection and keeping the replies happen on the control thread, never on the caller's. */
    private void finish(List<Envelope> undelivered, String reason) {
        Runnable task = () -> {
            try {
                transport.close(reason);
            } finally {
                listener.closed(this, undelivered, reason);
            }
        };
        try {
            control.execute(task);
        } catch (RejectedExecutionException e) {
            task.run();
        }
    }

    private static Set<String> recentSet() {
        return Collections.newSetFromMap(new LinkedHashMap<>(16, 0.75f, false) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, Boolean> eldest) {
                return size() > REMEMBERED_REPLIES;
            }
        });
    }

    private sealed interface Frame permits DeltaFrame, ReplyFrame, ControlFrame {
        String render();

        long size();
    }

    /** Mutable: later fragments of the same reply are appended while it waits in the queue. */
    private static final class DeltaFrame implements Frame {
        private final String inReplyTo;
        private final String chatId;
        private final StringBuilder text;

        DeltaFrame(String inReplyTo, String chatId, StringBuilder text) {
            this.inReplyTo = inReplyTo;
            this.chatId = chatId;
            this.text = text;
        }

        @Override
        public String render() {
            return WebSocketFrames.delta(inReplyTo, chatId, text.toString());
        }

        @Override
        public long size() {
            return DELTA_OVERHEAD + text.length();
        }
    }

    private record ReplyFrame(Envelope reply, String frame) implements Frame {
        @Override
        public String render() {
            return frame;
        }

        @Override
        public long size() {
            return frame.length();
        }
    }

    private record ControlFrame(String frame) implements Frame {
        @Override
        public String render() {
            return frame;
        }

        @Override
        public long size() {
            return frame.length();
        }
    }
}
