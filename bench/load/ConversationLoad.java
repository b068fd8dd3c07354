import java.io.IOException;
import java.net.InetAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Load client for Caravan's WebSocket API: N concurrent conversations, each on its own connection and chatId, each
 * sending one message, waiting for its {@code reply} frame, then sending the next.
 *
 * <p>Run: {@code java bench/load/ConversationLoad.java --url ws://127.0.0.1:18789/ws --conversations 2000
 * --warmup-s 15 --duration-s 60 --out result.json}.
 *
 * <p>Connections open spread over the ramp (part of the warm-up). Replies that arrive inside the measured window
 * (after the warm-up, for the duration) count towards throughput and latency; latency is send → reply frame. After
 * the window no new message is sent; outstanding replies are awaited up to the drain time, then every connection
 * closes and the program exits. Errors: error frames, replies carrying an {@code error} field, replies missing
 * after the timeout (the conversation then moves on to a new message), disconnects and failed connects.
 *
 * <p>{@code --active N}: only the first N conversations send; the others hold their connection open and ping it
 * every {@code --ping-s} seconds (a heartbeat). {@code --pace-ms MS}: a conversation sends its next message no
 * sooner than MS after the previous one (1000: one message per second per client, while replies keep up).
 *
 * <p>Everything is asynchronous on the JDK WebSocket client: a couple of executor threads serve all connections.
 * Targets loopback addresses only. Every loop is bounded by the conversation count and the run's deadlines.
 */
public final class ConversationLoad {

    // ---- configuration ----
    private URI url = URI.create("ws://127.0.0.1:18789/ws");
    private int conversations = 2000;
    private int warmupS = 15;
    private int durationS = 60;
    private int rampS = -1;
    private int timeoutS = 10;
    private int drainS = 15;
    private int threads = 2;
    private int maxReconnects = 3;
    private int active = -1;
    private long paceMs;
    private int pingS = 25;
    private String text = "Hello, how are you today?";
    private Path out;
    private String runId = Long.toString(System.currentTimeMillis() % 1_000_000_000L, 36);

    // ---- clock: all times are nanoTime offsets from t0 ----
    private long t0;
    private long startEpochMs;
    private long windowStart;
    private long windowEnd;
    private long stopAt;

    // ---- counters ----
    private final AtomicInteger connected = new AtomicInteger();
    private final AtomicInteger openNow = new AtomicInteger();
    private final AtomicInteger maxOpen = new AtomicInteger();
    private final AtomicLong connectFailures = new AtomicLong();
    private final AtomicLong disconnects = new AtomicLong();
    private final AtomicLong reconnects = new AtomicLong();
    private final AtomicLong sent = new AtomicLong();
    private final AtomicLong sendFailures = new AtomicLong();
    private final AtomicLong accepted = new AtomicLong();
    private final AtomicLong deltas = new AtomicLong();
    private final AtomicLong replies = new AtomicLong();
    private final AtomicLong replyErrors = new AtomicLong();
    private final AtomicLong errorFrames = new AtomicLong();
    private final AtomicLong timeouts = new AtomicLong();
    private final AtomicLong lateReplies = new AtomicLong();
    private final AtomicLong unparsable = new AtomicLong();
    private final Map<String, AtomicLong> errorCodes = new java.util.concurrent.ConcurrentHashMap<>();

    // ---- samples (bounded) ----
    private static final int MAX_SAMPLES = 5_000_000;
    private final Samples replySamples = new Samples();
    private final Samples ttftSamples = new Samples();
    private final Samples acceptSamples = new Samples();
    private final Samples errorTimes = new Samples();

    private ScheduledExecutorService timer;
    private HttpClient client;
    private Conversation[] all;

    public static void main(String[] args) throws Exception {
        ConversationLoad load = new ConversationLoad();
        load.parse(args);
        int code = load.run();
        System.exit(code);
    }

    private void parse(String[] args) {
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (a.equals("-h") || a.equals("--help")) {
                System.out.println("usage: java ConversationLoad.java [--url ws://127.0.0.1:18789/ws]"
                        + " [--conversations N] [--warmup-s S] [--duration-s S] [--ramp-s S] [--timeout-s S]"
                        + " [--drain-s S] [--threads N] [--text TEXT] [--active N] [--pace-ms MS] [--ping-s S]"
                        + " [--out FILE]");
                System.exit(0);
            }
            if (i + 1 >= args.length) {
                throw new IllegalArgumentException("missing value for " + a);
            }
            String v = args[++i];
            switch (a) {
                case "--url" -> url = URI.create(v);
                case "--conversations" -> conversations = Integer.parseInt(v);
                case "--warmup-s" -> warmupS = Integer.parseInt(v);
                case "--duration-s" -> durationS = Integer.parseInt(v);
                case "--ramp-s" -> rampS = Integer.parseInt(v);
                case "--timeout-s" -> timeoutS = Integer.parseInt(v);
                case "--drain-s" -> drainS = Integer.parseInt(v);
                case "--threads" -> threads = Integer.parseInt(v);
                case "--max-reconnects" -> maxReconnects = Integer.parseInt(v);
                case "--active" -> active = Integer.parseInt(v);
                case "--pace-ms" -> paceMs = Long.parseLong(v);
                case "--ping-s" -> pingS = Integer.parseInt(v);
                case "--text" -> text = v;
                case "--out" -> out = Path.of(v);
                case "--run-id" -> runId = v;
                default -> throw new IllegalArgumentException("unknown argument " + a);
            }
        }
        if (conversations < 1 || conversations > 50_000) {
            throw new IllegalArgumentException("--conversations must be 1..50000");
        }
        if (warmupS < 0 || warmupS > 3600 || durationS < 1 || durationS > 3600 || timeoutS < 1 || timeoutS > 600
                || drainS < 0 || drainS > 600 || threads < 1 || threads > 64 || maxReconnects < 0
                || maxReconnects > 100) {
            throw new IllegalArgumentException("a time or count argument is out of range");
        }
        if (rampS < 0) {
            rampS = Math.min(warmupS, 10);
        }
        rampS = Math.min(rampS, warmupS + durationS);
        if (!url.getScheme().equals("ws")) {
            throw new IllegalArgumentException("only ws:// URLs (loopback) are allowed");
        }
        try {
            InetAddress host = InetAddress.getByName(url.getHost());
            if (!host.isLoopbackAddress()) {
                throw new IllegalArgumentException("refusing to load a non-loopback address: " + url.getHost());
            }
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot resolve " + url.getHost(), e);
        }
    }

    private int run() throws Exception {
        ExecutorService io = Executors.newFixedThreadPool(threads, named("load-io"));
        timer = Executors.newSingleThreadScheduledExecutor(named("load-timer"));
        client = HttpClient.newBuilder().executor(io).connectTimeout(Duration.ofSeconds(10)).build();
        all = new Conversation[conversations];
        for (int i = 0; i < conversations; i++) {
            all[i] = new Conversation(i);
        }
        startEpochMs = System.currentTimeMillis();
        t0 = System.nanoTime();
        windowStart = sec(warmupS);
        windowEnd = windowStart + sec(durationS);
        stopAt = windowEnd;
        long hardEnd = windowEnd + sec(drainS);
        System.err.printf(Locale.ROOT, "load: %d conversations to %s, ramp %ds, warm-up %ds, measure %ds%n",
                conversations, url, rampS, warmupS, durationS);

        // open the connections spread over the ramp
        long rampNanos = sec(rampS);
        for (int i = 0; i < conversations; i++) {
            Conversation c = all[i];
            long at = conversations == 1 ? 0 : rampNanos * i / conversations;
            timer.schedule(c::connect, at, TimeUnit.NANOSECONDS);
        }
        // timeouts: one sweep over all conversations every 200 ms
        timer.scheduleAtFixedRate(this::sweepTimeouts, 200, 200, TimeUnit.MILLISECONDS);
        // heartbeats: a ping on every idle connection (the active ones talk)
        if (active >= 0 && active < conversations) {
            timer.scheduleAtFixedRate(this::pingIdle, pingS, pingS, TimeUnit.SECONDS);
        }

        // progress, every 5 s, until the window ends (bounded by the run's length)
        long lastReplies = 0;
        long lastAt = now();
        for (int tick = 0; tick < 100_000 && now() < windowEnd; tick++) {
            long sleep = Math.min(TimeUnit.SECONDS.toNanos(5), windowEnd - now());
            if (sleep > 0) {
                TimeUnit.NANOSECONDS.sleep(sleep);
            }
            long r = replies.get();
            long at = now();
            System.err.printf(Locale.ROOT,
                    "load: t=%5.1fs open=%d replies=%d (%.0f/s) errors=%d timeouts=%d disconnects=%d%n",
                    at / 1e9, openNow.get(), r, (r - lastReplies) * 1e9 / Math.max(1, at - lastAt),
                    replyErrors.get() + errorFrames.get(), timeouts.get(), disconnects.get());
            lastReplies = r;
            lastAt = at;
        }
        // drain: wait for outstanding replies, bounded by the drain time
        for (int i = 0; i < 100_000 && now() < hardEnd && outstanding() > 0; i++) {
            TimeUnit.MILLISECONDS.sleep(50);
        }
        int unfinished = outstanding();
        long closedAt = now();
        timer.shutdownNow();
        closeAll();
        io.shutdownNow();
        String json = report(unfinished, closedAt);
        if (out != null) {
            Files.createDirectories(out.toAbsolutePath().getParent());
            Files.writeString(out, json, StandardCharsets.UTF_8);
        }
        System.out.println(json);
        return 0;
    }

    private int outstanding() {
        int n = 0;
        for (Conversation c : all) {
            if (c.isAwaiting()) {
                n++;
            }
        }
        return n;
    }

    private void closeAll() throws InterruptedException {
        List<CompletableFuture<?>> closing = new ArrayList<>();
        for (Conversation c : all) {
            WebSocket ws = c.ws;
            if (ws != null && !ws.isOutputClosed()) {
                closing.add(ws.sendClose(WebSocket.NORMAL_CLOSURE, "bench done")
                        .toCompletableFuture().exceptionally(e -> null));
            }
        }
        try {
            CompletableFuture.allOf(closing.toArray(CompletableFuture[]::new)).get(5, TimeUnit.SECONDS);
        } catch (Exception e) {
            // some did not close in time: abort below
        }
        for (Conversation c : all) {
            WebSocket ws = c.ws;
            if (ws != null) {
                ws.abort();
            }
        }
    }

    private void sweepTimeouts() {
        long now = now();
        long limit = sec(timeoutS);
        for (Conversation c : all) {
            c.checkTimeout(now, limit);
        }
    }

    private long now() {
        return System.nanoTime() - t0;
    }

    private static long sec(long s) {
        return TimeUnit.SECONDS.toNanos(s);
    }

    private boolean inWindow(long t) {
        return t >= windowStart && t < windowEnd;
    }

    private final AtomicLong pings = new AtomicLong();

    private void pingIdle() {
        for (Conversation c : all) {
            WebSocket socket = c.ws;
            if (!c.isActive() && socket != null && !socket.isOutputClosed()) {
                pings.incrementAndGet();
                socket.sendPing(java.nio.ByteBuffer.allocate(0)).exceptionally(e -> {
                    countError("ping_failed", now());
                    return null;
                });
            }
        }
    }

    private void countError(String code, long at) {
        errorCodes.computeIfAbsent(code, k -> new AtomicLong()).incrementAndGet();
        errorTimes.add(at, 0);
    }

    /** One conversation: its own connection and chatId, one message outstanding at a time. */
    private final class Conversation implements WebSocket.Listener {
        final int index;
        final String chatId;
        volatile WebSocket ws;
        private final StringBuilder partial = new StringBuilder();
        private int seq;
        private int reconnectsLeft = maxReconnects;
        // guarded by this
        private String currentId;
        private long sentAt;
        private boolean awaiting;
        private boolean firstDeltaSeen;
        private boolean acceptSeen;
        private boolean closed;

        Conversation(int index) {
            this.index = index;
            this.chatId = "bench-" + runId + "-" + index;
        }

        /** Only the first {@code --active} conversations send; the others hold their connection open. */
        boolean isActive() {
            return active < 0 || index < active;
        }

        /** The next message, no sooner than {@code --pace-ms} after the previous one was sent. */
        void sendPaced() {
            long wait;
            synchronized (this) {
                wait = sentAt + TimeUnit.MILLISECONDS.toNanos(paceMs) - now();
            }
            if (wait <= 0) {
                sendNext();
                return;
            }
            try {
                timer.schedule(this::sendNext, wait, TimeUnit.NANOSECONDS);
            } catch (RuntimeException e) {
                // the run is over
            }
        }

        synchronized boolean isAwaiting() {
            return awaiting && !closed;
        }

        void connect() {
            if (now() >= stopAt) {
                return;
            }
            client.newWebSocketBuilder().connectTimeout(Duration.ofSeconds(10)).buildAsync(url, this)
                    .whenComplete((socket, error) -> {
                        if (error != null) {
                            connectFailures.incrementAndGet();
                            Throwable cause = error.getCause() != null ? error.getCause() : error;
                            countError("connect_failed:" + cause.getClass().getSimpleName(), now());
                            if (connectFailures.get() <= 3) {
                                System.err.println("load: connect failed: " + cause);
                            }
                            retryLater();
                        } else {
                            connected.incrementAndGet();
                            int open = openNow.incrementAndGet();
                            maxOpen.accumulateAndGet(open, Math::max);
                            ws = socket;
                            if (isActive()) {
                                sendNext();
                            }
                        }
                    });
        }

        private void retryLater() {
            boolean retry;
            synchronized (this) {
                awaiting = false;
                retry = reconnectsLeft-- > 0 && now() + sec(1) < stopAt;
            }
            if (retry) {
                reconnects.incrementAndGet();
                try {
                    timer.schedule(this::connect, 1, TimeUnit.SECONDS);
                } catch (RuntimeException e) {
                    // the timer is shut down: the run is over
                }
            }
        }

        void sendNext() {
            WebSocket socket = ws;
            String id;
            synchronized (this) {
                if (closed || socket == null || now() >= stopAt) {
                    awaiting = false;
                    return;
                }
                id = "b" + runId + "-" + index + "-" + (seq++);
                currentId = id;
                sentAt = now();
                awaiting = true;
                firstDeltaSeen = false;
                acceptSeen = false;
            }
            String frame = "{\"type\":\"message\",\"chatId\":\"" + chatId + "\",\"text\":\"" + jsonEscape(text)
                    + "\",\"id\":\"" + id + "\"}";
            sent.incrementAndGet();
            socket.sendText(frame, true).whenComplete((s, error) -> {
                if (error != null) {
                    sendFailures.incrementAndGet();
                    Throwable cause = error.getCause() != null ? error.getCause() : error;
                    countError("send_failed:" + cause.getClass().getSimpleName(), now());
                }
            });
        }

        void checkTimeout(long now, long limit) {
            boolean expired;
            synchronized (this) {
                expired = awaiting && !closed && now - sentAt > limit;
                if (expired) {
                    awaiting = false;
                }
            }
            if (expired) {
                timeouts.incrementAndGet();
                countError("timeout", now);
                sendNext();
            }
        }

        @Override
        public void onOpen(WebSocket webSocket) {
            webSocket.request(1);
        }

        @Override
        public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
            partial.append(data);
            if (last) {
                String frame = partial.toString();
                partial.setLength(0);
                handle(frame);
            }
            webSocket.request(1);
            return null;
        }

        private void handle(String frame) {
            long at = now();
            Map<String, String> f = Json.topLevelStrings(frame);
            if (f == null) {
                unparsable.incrementAndGet();
                return;
            }
            String type = f.getOrDefault("type", "");
            switch (type) {
                case "delta" -> {
                    deltas.incrementAndGet();
                    long started = -1;
                    synchronized (this) {
                        if (awaiting && !firstDeltaSeen && f.getOrDefault("inReplyTo", "").equals(currentId)) {
                            firstDeltaSeen = true;
                            started = sentAt;
                        }
                    }
                    if (started >= 0 && inWindow(at)) {
                        ttftSamples.add(at, at - started);
                    }
                }
                case "accepted" -> {
                    accepted.incrementAndGet();
                    long started = -1;
                    synchronized (this) {
                        if (awaiting && !acceptSeen && f.getOrDefault("id", "").equals(currentId)) {
                            acceptSeen = true;
                            started = sentAt;
                        }
                    }
                    if (started >= 0 && inWindow(at)) {
                        acceptSamples.add(at, at - started);
                    }
                }
                case "reply" -> {
                    long started = -1;
                    synchronized (this) {
                        if (awaiting && f.getOrDefault("inReplyTo", "").equals(currentId)) {
                            awaiting = false;
                            started = sentAt;
                        }
                    }
                    if (started < 0) {
                        lateReplies.incrementAndGet();
                        return;
                    }
                    String error = f.get("error");
                    if (error != null) {
                        replyErrors.incrementAndGet();
                        countError("reply:" + error, at);
                    } else {
                        replies.incrementAndGet();
                        replySamples.add(at, at - started);
                    }
                    sendPaced();
                }
                case "error" -> {
                    errorFrames.incrementAndGet();
                    countError("frame:" + f.getOrDefault("code", "?"), at);
                    boolean mine;
                    synchronized (this) {
                        mine = awaiting && f.getOrDefault("id", currentId).equals(currentId);
                        if (mine) {
                            awaiting = false;
                        }
                    }
                    if (mine) {
                        try {
                            timer.schedule(this::sendNext, 100, TimeUnit.MILLISECONDS);
                        } catch (RuntimeException e) {
                            // the run is over
                        }
                    }
                }
                default -> unparsable.incrementAndGet();
            }
        }

        @Override
        public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
            lost("closed:" + statusCode);
            return null;
        }

        @Override
        public void onError(WebSocket webSocket, Throwable error) {
            lost("error:" + error.getClass().getSimpleName());
        }

        private void lost(String why) {
            synchronized (this) {
                if (closed) {
                    return;
                }
                closed = true;
                awaiting = false;
            }
            openNow.decrementAndGet();
            ws = null;
            if (now() < stopAt) {
                disconnects.incrementAndGet();
                countError("disconnect", now());
                synchronized (this) {
                    closed = false;
                }
                retryLater();
            }
        }
    }

    /** Time-stamped samples (offset from t0, value in ns), appended from any thread, bounded. */
    private static final class Samples {
        private long[] at = new long[1024];
        private long[] value = new long[1024];
        private int size;
        private long dropped;

        synchronized void add(long t, long v) {
            if (size == MAX_SAMPLES) {
                dropped++;
                return;
            }
            if (size == at.length) {
                int n = Math.min(MAX_SAMPLES, size * 2);
                at = Arrays.copyOf(at, n);
                value = Arrays.copyOf(value, n);
            }
            at[size] = t;
            value[size] = v;
            size++;
        }

        /** The values whose time is in [from, to), sorted. */
        synchronized long[] sortedValues(long from, long to) {
            long[] v = new long[size];
            int n = 0;
            for (int i = 0; i < size; i++) {
                if (at[i] >= from && at[i] < to) {
                    v[n++] = value[i];
                }
            }
            v = Arrays.copyOf(v, n);
            Arrays.sort(v);
            return v;
        }

        synchronized int size() {
            return size;
        }

        synchronized long count(long from, long to) {
            long n = 0;
            for (int i = 0; i < size; i++) {
                if (at[i] >= from && at[i] < to) {
                    n++;
                }
            }
            return n;
        }
    }

    private static double pctMs(long[] sorted, double p) {
        if (sorted.length == 0) {
            return Double.NaN;
        }
        int i = (int) Math.ceil(p / 100.0 * sorted.length) - 1;
        return sorted[Math.max(0, Math.min(sorted.length - 1, i))] / 1e6;
    }

    private static String num(double d) {
        return Double.isNaN(d) ? "null" : String.format(Locale.ROOT, "%.1f", d);
    }

    private String latencyJson(long[] s) {
        double mean = 0;
        for (long v : s) {
            mean += v;
        }
        mean = s.length == 0 ? Double.NaN : mean / s.length / 1e6;
        return "{\"count\":" + s.length + ",\"mean\":" + num(mean) + ",\"p50\":" + num(pctMs(s, 50)) + ",\"p90\":"
                + num(pctMs(s, 90)) + ",\"p99\":" + num(pctMs(s, 99)) + ",\"p999\":" + num(pctMs(s, 99.9))
                + ",\"max\":" + num(s.length == 0 ? Double.NaN : s[s.length - 1] / 1e6) + "}";
    }

    private String report(int unfinished, long closedAt) {
        long[] lat = replySamples.sortedValues(windowStart, windowEnd);
        long[] ttft = ttftSamples.sortedValues(windowStart, windowEnd);
        long[] acc = acceptSamples.sortedValues(windowStart, windowEnd);
        long errorsInWindow = errorTimes.count(windowStart, windowEnd);
        double throughput = lat.length / (double) durationS;
        StringBuilder sb = new StringBuilder(64 * 1024);
        sb.append("{\n");
        sb.append("  \"params\":{\"url\":\"").append(url).append("\",\"conversations\":").append(conversations)
                .append(",\"warmup_s\":").append(warmupS).append(",\"duration_s\":").append(durationS)
                .append(",\"ramp_s\":").append(rampS).append(",\"timeout_s\":").append(timeoutS)
                .append(",\"drain_s\":").append(drainS).append(",\"client_threads\":").append(threads)
                .append(",\"active\":").append(active < 0 ? conversations : active).append(",\"pace_ms\":")
                .append(paceMs).append(",\"pings\":").append(pings.get())
                .append("},\n");
        sb.append("  \"start_epoch_ms\":").append(startEpochMs).append(",\n");
        sb.append("  \"window_s\":[").append(warmupS).append(',').append(warmupS + durationS).append("],\n");
        sb.append("  \"throughput_rps\":").append(num(throughput)).append(",\n");
        sb.append("  \"replies_in_window\":").append(lat.length).append(",\n");
        sb.append("  \"errors_in_window\":").append(errorsInWindow).append(",\n");
        sb.append("  \"latency_ms\":").append(latencyJson(lat)).append(",\n");
        sb.append("  \"first_delta_ms\":").append(latencyJson(ttft)).append(",\n");
        sb.append("  \"accepted_ms\":").append(latencyJson(acc)).append(",\n");
        sb.append("  \"totals\":{\"connected\":").append(connected.get()).append(",\"max_open\":")
                .append(maxOpen.get()).append(",\"connect_failures\":").append(connectFailures.get())
                .append(",\"disconnects\":").append(disconnects.get()).append(",\"reconnects\":")
                .append(reconnects.get()).append(",\"sent\":").append(sent.get()).append(",\"send_failures\":")
                .append(sendFailures.get()).append(",\"accepted\":").append(accepted.get())
                .append(",\"deltas\":").append(deltas.get()).append(",\"replies\":").append(replies.get())
                .append(",\"reply_errors\":").append(replyErrors.get()).append(",\"error_frames\":")
                .append(errorFrames.get()).append(",\"timeouts\":").append(timeouts.get())
                .append(",\"late_replies\":").append(lateReplies.get()).append(",\"unparsable\":")
                .append(unparsable.get()).append(",\"unfinished_at_end\":").append(unfinished)
                .append(",\"errors\":").append(errorTimes.size()).append("},\n");
        sb.append("  \"error_codes\":{");
        boolean first = true;
        for (Map.Entry<String, AtomicLong> e : new java.util.TreeMap<>(errorCodes).entrySet()) {
            sb.append(first ? "" : ",").append('"').append(jsonEscape(e.getKey())).append("\":")
                    .append(e.getValue().get());
            first = false;
        }
        sb.append("},\n");
        // per-second timeline over the whole run (t = seconds since start; the window is [warmup, warmup+duration))
        sb.append("  \"timeline\":[");
        int seconds = (int) Math.min(7200, (closedAt + sec(1) - 1) / sec(1));
        for (int s = 0; s < seconds; s++) {
            long from = sec(s);
            long to = sec(s + 1);
            long[] l = replySamples.sortedValues(from, to);
            long errs = errorTimes.count(from, to);
            sb.append(s == 0 ? "\n    " : ",\n    ").append("{\"t\":").append(s).append(",\"replies\":")
                    .append(l.length).append(",\"errors\":").append(errs).append(",\"p50_ms\":")
                    .append(num(pctMs(l, 50))).append(",\"p99_ms\":").append(num(pctMs(l, 99)))
                    .append(",\"max_ms\":").append(num(l.length == 0 ? Double.NaN : l[l.length - 1] / 1e6))
                    .append("}");
        }
        sb.append("\n  ]\n}\n");
        return sb.toString();
    }

    static String jsonEscape(String s) {
        StringBuilder sb = new StringBuilder(s.length() + 8);
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                case '\n' -> sb.append("\\n");
                case '\r' -> sb.append("\\r");
                case '\t' -> sb.append("\\t");
                default -> {
                    if (c < 0x20) {
                        sb.append(String.format(Locale.ROOT, "\\u%04x", (int) c));
                    } else {
                        sb.append(c);
                    }
                }
            }
        }
        return sb.toString();
    }

    private static ThreadFactory named(String prefix) {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, prefix + "-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }

    /** Just enough JSON: the string-valued fields of a top-level object (other values are skipped). */
    static final class Json {
        private final String s;
        private int i;

        private Json(String s) {
            this.s = s;
        }

        /** The top-level string fields, or null when the text is not a JSON object. */
        static Map<String, String> topLevelStrings(String text) {
            try {
                return new Json(text).object();
            } catch (RuntimeException e) {
                return null;
            }
        }

        private Map<String, String> object() {
            Map<String, String> fields = new HashMap<>(8);
            ws();
            expect('{');
            ws();
            if (peek() == '}') {
                return fields;
            }
            for (int n = 0; n < 10_000; n++) {
                ws();
                String key = string();
                ws();
                expect(':');
                ws();
                if (peek() == '"') {
                    fields.put(key, string());
                } else {
                    skipValue();
                }
                ws();
                char c = s.charAt(i++);
                if (c == '}') {
                    return fields;
                }
                if (c != ',') {
                    throw new IllegalArgumentException("expected , or }");
                }
            }
            throw new IllegalArgumentException("too many fields");
        }

        private char peek() {
            return s.charAt(i);
        }

        private void expect(char c) {
            if (s.charAt(i++) != c) {
                throw new IllegalArgumentException("expected " + c);
            }
        }

        private void ws() {
            while (i < s.length() && Character.isWhitespace(s.charAt(i))) {
                i++;
            }
        }

        private String string() {
            expect('"');
            StringBuilder sb = null;
            int start = i;
            while (true) {
                char c = s.charAt(i++);
                if (c == '"') {
                    return sb == null ? s.substring(start, i - 1) : sb.toString();
                }
                if (c == '\\') {
                    if (sb == null) {
                        sb = new StringBuilder(s.substring(start, i - 1));
                    }
                    char e = s.charAt(i++);
                    switch (e) {
                        case 'n' -> sb.append('\n');
                        case 't' -> sb.append('\t');
                        case 'r' -> sb.append('\r');
                        case 'b' -> sb.append('\b');
                        case 'f' -> sb.append('\f');
                        case 'u' -> {
                            sb.append((char) Integer.parseInt(s.substring(i, i + 4), 16));
                            i += 4;
                        }
                        default -> sb.append(e);
                    }
                } else if (sb != null) {
                    sb.append(c);
                }
            }
        }

        /** Skips a non-string value: a number, literal, object or array (strings inside are honoured). */
        private void skipValue() {
            int depth = 0;
            while (i < s.length()) {
                char c = s.charAt(i);
                if (c == '"') {
                    string();
                    continue;
                }
                if (c == '{' || c == '[') {
                    depth++;
                } else if (c == '}' || c == ']') {
                    if (depth == 0) {
                        return;
                    }
                    depth--;
                } else if (c == ',' && depth == 0) {
                    return;
                }
                i++;
            }
        }
    }
}
