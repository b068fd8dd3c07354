package routes.channel.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import routes.envelope.Envelope;

/** The per-connection queue on its own: a fake transport whose writes finish when the test says so. */
class WebSocketOutboxTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    /** Writes that complete only when {@link #complete()} is called, like a client that reads on demand. */
    static final class HeldTransport implements WebSocketOutbox.Transport {
        final List<String> written = new CopyOnWriteArrayList<>();
        final Deque<Consumer<Throwable>> pending = new ArrayDeque<>();
        volatile String closedFor;

        @Override
        public synchronized void send(String frame, Consumer<Throwable> done) {
            written.add(frame);
            pending.add(done);
        }

        @Override
        public void close(String reason) {
            closedFor = reason;
        }

        void complete() {
            Consumer<Throwable> done;
            synchronized (this) {
                done = pending.poll();
            }
            done.accept(null);
        }

        void fail() {
            Consumer<Throwable> done;
            synchronized (this) {
                done = pending.poll();
            }
            done.accept(new java.io.IOException("broken pipe"));
        }
    }

    private final HeldTransport transport = new HeldTransport();
    private final AtomicLong now = new AtomicLong();
    private final AtomicInteger coalesced = new AtomicInteger();
    private final AtomicInteger dropped = new AtomicInteger();
    private final AtomicInteger slow = new AtomicInteger();
    private final List<List<Envelope>> handedBack = new CopyOnWriteArrayList<>();

    private final WebSocketOutbox.Counters counters = new WebSocketOutbox.Counters() {
        @Override
        public void coalesced() {
            coalesced.incrementAndGet();
        }

        @Override
        public void droppedDelta() {
            dropped.incrementAndGet();
        }

        @Override
        public void slowClientClosed() {
            slow.incrementAndGet();
        }
    };

    private WebSocketOutbox outbox(long bufferChars, Duration sendTimeout) {
        return new WebSocketOutbox("conn-1", transport,
                new WebSocketOutbox.Limits(bufferChars, sendTimeout.toNanos()), Runnable::run, Runnable::run,
                (o, undelivered, reason) -> handedBack.add(undelivered), counters, now::get);
    }

    private static Envelope reply(String inReplyTo, String text) {
        return Envelope.builder().id(inReplyTo + ":reply").inReplyTo(inReplyTo).channel(WebChannels.WEBSOCKET)
                .chatId("c1").text(text).build();
    }

    private static List<JsonNode> parse(List<String> frames) {
        return frames.stream().map(f -> {
            try {
                return JSON.readTree(f);
            } catch (Exception e) {
                throw new AssertionError(e);
            }
        }).toList();
    }

    @Test
    void deltasArrivingWhileAFrameIsBeingWrittenAreMergedIntoOne() {
        WebSocketOutbox outbox = outbox(1 << 20, Duration.ofSeconds(10));
        outbox.offerDelta("m1", "c1", "Hel");
        outbox.offerDelta("m1", "c1", "lo");
        outbox.offerDelta("m1", "c1", " wor");
        outbox.offerDelta("m1", "c1", "ld");
        Envelope reply = reply("m1", "Hello world");
        outbox.offerReply(reply, WebSocketFrames.reply(reply));
        assertThat(transport.written).hasSize(1);
        transport.complete();
        transport.complete();
        transport.complete();

        assertThat(transport.written).containsExactly(
                "{\"type\":\"delta\",\"inReplyTo\":\"m1\",\"chatId\":\"c1\",\"text\":\"Hel\"}",
                "{\"type\":\"delta\",\"inReplyTo\":\"m1\",\"chatId\":\"c1\",\"text\":\"lo world\"}",
                "{\"type\":\"reply\",\"inReplyTo\":\"m1\",\"chatId\":\"c1\",\"text\":\"Hello world\"}");
        assertThat(coalesced.get()).isEqualTo(2);
        assertThat(outbox.queuedFrames()).isZero();
    }

    @Test
    void aDeltaArrivingAfterItsReplyIsDropped() {
        WebSocketOutbox outbox = outbox(1 << 20, Duration.ofSeconds(10));
        Envelope reply = reply("m1", "done");
        outbox.offerReply(reply, WebSocketFrames.reply(reply));
        outbox.offerDelta("m1", "c1", "late");
        transport.complete();

        assertThat(parse(transport.written)).extracting(f -> f.path("type").asText()).containsExactly("reply");
        assertThat(dropped.get()).isEqualTo(1);
    }

    @Test
    void fullBufferDropsDeltasButNeverTheReply() {
        WebSocketOutbox outbox = outbox(400, Duration.ofSeconds(10));
        outbox.offerControl(WebSocketFrames.accepted("m1"));
        // the accepted frame is being written; what follows waits, and the deltas outgrow the buffer
        for (int i = 0; i < 20; i++) {
            outbox.offerDelta("m1", "c1", "0123456789012345678901234567890123456789 ");
        }
        Envelope reply = reply("m1", "the whole answer");
        outbox.offerReply(reply, WebSocketFrames.reply(reply));
        outbox.offerDelta("m1", "c1", "too late");
        while (!transport.pending.isEmpty()) {
            transport.complete();
        }

        List<JsonNode> frames = parse(transport.written);
        assertThat(frames).extracting(f -> f.path("type").asText()).endsWith("reply").doesNotContain("error");
        assertThat(frames.get(frames.size() - 1).path("text").asText()).isEqualTo("the whole answer");
        assertThat(dropped.get()).isPositive();
        assertThat(transport.closedFor).isNull();
        assertThat(handedBack).isEmpty();
    }

    @Test
    void repliesOutgrowingTheBufferCloseTheConnectionAndAreHandedBackInOrder() {
        WebSocketOutbox outbox = outbox(300, Duration.ofSeconds(10));
        Envelope first = reply("m1", "a".repeat(100));
        Envelope second = reply("m2", "b".repeat(150));
        Envelope third = reply("m3", "c".repeat(150));
        outbox.offerReply(first, WebSocketFrames.reply(first));
        outbox.offerReply(second, WebSocketFrames.reply(second));
        outbox.offerReply(third, WebSocketFrames.reply(third));

        assertThat(transport.closedFor).isNotNull();
        assertThat(handedBack).hasSize(1);
        assertThat(handedBack.get(0)).containsExactly(first, second, third);
        assertThat(slow.get()).isEqualTo(1);
        Envelope after = reply("m4", "d");
        assertThat(outbox.offerReply(after, WebSocketFrames.reply(after))).isFalse();
        assertThat(outbox.offerDelta("m5", "c1", "x")).isFalse();
    }

    @Test
    void oneFrameLargerThanTheBufferStillGoes() {
        WebSocketOutbox outbox = outbox(100, Duration.ofSeconds(10));
        Envelope big = reply("m1", "z".repeat(500));
        outbox.offerReply(big, WebSocketFrames.reply(big));
        transport.complete();

        assertThat(transport.written).hasSize(1);
        assertThat(transport.closedFor).isNull();
    }

    @Test
    void aFrameNotWrittenWithinTheSendTimeoutClosesTheConnection() {
        WebSocketOutbox outbox = outbox(1 << 20, Duration.ofSeconds(10));
        Envelope first = reply("m1", "first");
        Envelope second = reply("m2", "second");
        outbox.offerReply(first, WebSocketFrames.reply(first));
        outbox.offerReply(second, WebSocketFrames.reply(second));
        now.addAndGet(Duration.ofSeconds(9).toNanos());
        outbox.checkStalled();
        assertThat(transport.closedFor).isNull();

        now.addAndGet(Duration.ofSeconds(2).toNanos());
        outbox.checkStalled();

        assertThat(transport.closedFor).isNotNull();
        // the reply being written had not reached the client either
        assertThat(handedBack).containsExactly(List.of(first, second));
        assertThat(outbox.isClosed()).isTrue();
    }

    @Test
    void aFailedWriteClosesAndHandsBackWhatWasNotWritten() {
        WebSocketOutbox outbox = outbox(1 << 20, Duration.ofSeconds(10));
        outbox.offerControl(WebSocketFrames.accepted("m1"));
        Envelope reply = reply("m1", "lost?");
        outbox.offerReply(reply, WebSocketFrames.reply(reply));
        transport.fail();

        assertThat(handedBack).containsExactly(List.of(reply));
        assertThat(slow.get()).isZero();
    }

    @Test
    void closingTwiceHandsBackOnce() {
        WebSocketOutbox outbox = outbox(1 << 20, Duration.ofSeconds(10));
        outbox.offerControl(WebSocketFrames.accepted("m0"));
        Envelope reply = reply("m1", "kept");
        outbox.offerReply(reply, WebSocketFrames.reply(reply));
        outbox.close("gone");
        outbox.close("gone again");

        assertThat(handedBack).containsExactly(List.of(reply));
    }

    /**
     * Several replies streamed at once from several threads, written on other threads and completed on yet
     * another (like the model's I/O threads, the sender pool and the server's I/O thread): per reply, the deltas
     * add up to the reply's text and all of them come before it.
     */
    @Test
    void concurrentStreamsKeepTheirOrderAndText() throws Exception {
        ExecutorService senders = Executors.newFixedThreadPool(2);
        ScheduledExecutorService io = Executors.newSingleThreadScheduledExecutor();
        ExecutorService models = Executors.newFixedThreadPool(4);
        List<String> written = new CopyOnWriteArrayList<>();
        WebSocketOutbox.Transport asyncTransport = new WebSocketOutbox.Transport() {
            @Override
            public void send(String frame, Consumer<Throwable> done) {
                written.add(frame);
                io.schedule(() -> done.accept(null), 50, TimeUnit.MICROSECONDS);
            }

            @Override
            public void close(String reason) {
            }
        };
        WebSocketOutbox outbox = new WebSocketOutbox("conn-2", asyncTransport,
                new WebSocketOutbox.Limits(1 << 20, Duration.ofSeconds(10).toNanos()), senders, Runnable::run,
                (o, undelivered, reason) -> handedBack.add(undelivered), counters, System::nanoTime);
        int replies = 8;
        int tokens = 200;
        try {
            for (int r = 0; r < replies; r++) {
                String id = "m" + r;
                models.execute(() -> {
                    StringBuilder text = new StringBuilder();
                    for (int t = 0; t < tokens; t++) {
                        String token = id + "-" + t + " ";
                        text.append(token);
                        outbox.offerDelta(id, "c1", token);
                    }
                    Envelope reply = reply(id, text.toString());
                    outbox.offerReply(reply, WebSocketFrames.reply(reply));
                });
            }
            await().atMost(Duration.ofSeconds(20)).until(() -> written.stream()
                    .filter(f -> f.startsWith("{\"type\":\"reply\"")).count() == replies);
        } finally {
            models.shutdownNow();
            senders.shutdownNow();
            io.shutdownNow();
        }

        Map<String, StringBuilder> streamed = new LinkedHashMap<>();
        Map<String, String> finals = new LinkedHashMap<>();
        int deltaFrames = 0;
        for (JsonNode frame : parse(new ArrayList<>(written))) {
            String id = frame.path("inReplyTo").asText();
            if ("delta".equals(frame.path("type").asText())) {
                deltaFrames++;
                assertThat(finals).as("no delta of %s after its reply", id).doesNotContainKey(id);
                streamed.computeIfAbsent(id, k -> new StringBuilder()).append(frame.path("text").asText());
            } else {
                finals.put(id, frame.path("text").asText());
            }
        }
        assertThat(finals).hasSize(replies);
        finals.forEach((id, text) -> assertThat(streamed.get(id)).as(id).hasToString(text));
        assertThat(deltaFrames).isLessThanOrEqualTo(replies * tokens);
        assertThat(handedBack).isEmpty();
    }
}
