import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Flow;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * Load client for OpenAI-compatible chat completion endpoints ({@code POST .../chat/completions}): Caravan's API, the
 * fake model itself (the floor) or a peer gateway, driven the same way.
 *
 * <p>Run: {@code java bench/load/ApiLoad.java --url http://127.0.0.1:18800/v1/chat/completions --mode max
 * --concurrency 64 --duration-s 10 --out max.json}.
 *
 * <p>Two modes. {@code max}: closed loop, {@code --concurrency} requests always outstanding for the whole run; the
 * throughput of the measured window is the highest rate the endpoint sustains. {@code rate}: open loop at a fixed
 * {@code --rate} per second; each request has an intended start on a fixed schedule and its latency is counted from
 * that moment, so a stalled endpoint is charged for the requests it held up (no coordinated omission). With
 * {@code --stream}, requests ask for server-sent events and the time to the first content chunk is recorded too.
 * With {@code --rest}, the requests are Caravan's REST messages ({@code POST /api/v1/messages}, answered 202 once
 * accepted): a way to queue work; {@code --count} stops after that many requests.
 *
 * <p>Requests that finish in the measured window (after {@code --warmup-s}, for {@code --duration-s}) count. Errors:
 * a status other than 200, a body without a completion, a stream without {@code [DONE]}, a transport failure, a
 * request over {@code --timeout-s}, and (rate mode) a request not sent because {@code --max-outstanding} were
 * already outstanding. Targets loopback addresses only; every loop is bounded by the run's deadline.
 */
public final class ApiLoad {

    private URI url;
    private String mode = "max";
    private int concurrency = 64;
    private double rate = 100;
    private int warmupS = 3;
    private int durationS = 10;
    private int timeoutS = 10;
    private int maxOutstanding = 4000;
    private int conversations = 0;
    private boolean stream;
    private boolean rest;
    private long count = Long.MAX_VALUE;
    private String chatPrefix = "bench-";
    private String model = "fake";
    private String token;
    private String label = "";
    private Path out;

    private final HttpClient client;
    private final ExecutorService executor;
    private long t0;
    private long windowStart;
    private long windowEnd;
    private final AtomicLong sequence = new AtomicLong();
    private final AtomicLong sent = new AtomicLong();
    private final AtomicLong ok = new AtomicLong();
    private final AtomicInteger outstanding = new AtomicInteger();
    private final AtomicInteger maxSeenOutstanding = new AtomicInteger();
    private final Map<String, AtomicLong> errors = new ConcurrentHashMap<>();
    private final Samples latencies = new Samples();
    private final Samples firstTokens = new Samples();

    private ApiLoad(String[] args) {
        for (int i = 0; i < args.length; i++) {
            String v = i + 1 < args.length ? args[i + 1] : null;
            switch (args[i]) {
                case "--url" -> { url = URI.create(v); i++; }
                case "--mode" -> { mode = v; i++; }
                case "--concurrency" -> { concurrency = Integer.parseInt(v); i++; }
                case "--rate" -> { rate = Double.parseDouble(v); i++; }
                case "--warmup-s" -> { warmupS = Integer.parseInt(v); i++; }
                case "--duration-s" -> { durationS = Integer.parseInt(v); i++; }
                case "--timeout-s" -> { timeoutS = Integer.parseInt(v); i++; }
                case "--max-outstanding" -> { maxOutstanding = Integer.parseInt(v); i++; }
                case "--conversations" -> { conversations = Integer.parseInt(v); i++; }
                case "--stream" -> stream = true;
                case "--rest" -> rest = true;
                case "--count" -> { count = Long.parseLong(v); i++; }
                case "--chat-prefix" -> { chatPrefix = v; i++; }
                case "--model" -> { model = v; i++; }
                case "--token" -> { token = v; i++; }
                case "--label" -> { label = v; i++; }
                case "--out" -> { out = Path.of(v); i++; }
                case "-h", "--help" -> {
                    System.out.println("usage: java ApiLoad.java --url URL [--mode max|rate] [--concurrency N]"
                            + " [--rate R] [--warmup-s S] [--duration-s S] [--timeout-s S] [--max-outstanding N]"
                            + " [--conversations N] [--stream] [--rest] [--count N] [--chat-prefix P] [--model M]"
                            + " [--token T] [--label L] [--out FILE]");
                    System.exit(0);
                }
                default -> throw new IllegalArgumentException("unknown option " + args[i]);
            }
        }
        if (url == null) {
            throw new IllegalArgumentException("--url is required");
        }
        try {
            if (!java.net.InetAddress.getByName(url.getHost()).isLoopbackAddress()) {
                throw new IllegalArgumentException("only loopback targets: " + url.getHost());
            }
        } catch (java.net.UnknownHostException e) {
            throw new IllegalArgumentException(e);
        }
        executor = Executors.newFixedThreadPool(2, r -> {
            Thread t = new Thread(r, "api-load");
            t.setDaemon(true);
            return t;
        });
        client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).executor(executor)
                .connectTimeout(Duration.ofSeconds(5)).build();
    }

    public static void main(String[] args) throws Exception {
        new ApiLoad(args).run();
    }

    private void run() throws Exception {
        t0 = System.nanoTime();
        windowStart = t0 + TimeUnit.SECONDS.toNanos(warmupS);
        windowEnd = windowStart + TimeUnit.SECONDS.toNanos(durationS);
        if ("max".equals(mode)) {
            for (int i = 0; i < concurrency; i++) {
                next();
            }
            while (System.nanoTime() < windowEnd && (sequence.get() < count || outstanding.get() > 0)) {
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(20));
            }
        } else if ("rate".equals(mode)) {
            long period = (long) (1e9 / rate);
            for (long i = 0; ; i++) {
                long intended = t0 + i * period;
                if (intended >= windowEnd) {
                    break;
                }
                long wait = intended - System.nanoTime();
                if (wait > 0) {
                    LockSupport.parkNanos(wait);
                }
                if (outstanding.get() >= maxOutstanding) {
                    error("not_sent_max_outstanding", intended);
                    continue;
                }
                send(intended);
            }
        } else {
            throw new IllegalArgumentException("--mode is max or rate");
        }
        long drainUntil = System.nanoTime() + TimeUnit.SECONDS.toNanos(timeoutS + 1L);
        while (outstanding.get() > 0 && System.nanoTime() < drainUntil) {
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(20));
        }
        report();
        executor.shutdownNow();
    }

    /** Closed loop: each completion starts the next request until the window ends. */
    private void next() {
        long now = System.nanoTime();
        if (now < windowEnd && sequence.get() < count) {
            send(now).whenComplete((r, e) -> next());
        }
    }

    private CompletableFuture<Void> send(long intended) {
        long n = sequence.incrementAndGet();
        int now = outstanding.incrementAndGet();
        maxSeenOutstanding.accumulateAndGet(now, Math::max);
        sent.incrementAndGet();
        String chat = chatPrefix + (conversations > 0 ? n % conversations : n);
        String user = conversations > 0 ? ",\"user\":\"" + chat + "\"" : "";
        String body = rest
                ? "{\"chatId\":\"" + chat + "\",\"senderId\":\"bench\",\"text\":\"Hello, how are you today? #" + n + "\"}"
                : "{\"model\":\"" + model + "\"" + user + (stream ? ",\"stream\":true" : "")
                + ",\"messages\":[{\"role\":\"user\",\"content\":\"Hello, how are you today? #" + n + "\"}]}";
        HttpRequest.Builder request = HttpRequest.newBuilder(url).timeout(Duration.ofSeconds(timeoutS))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body));
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        CompletableFuture<Void> done;
        if (stream) {
            StreamWatcher watcher = new StreamWatcher();
            done = client.sendAsync(request.build(), HttpResponse.BodyHandlers.fromLineSubscriber(watcher))
                    .thenAccept(response -> {
                        long end = System.nanoTime();
                        if (response.statusCode() != 200) {
                            error("status_" + response.statusCode(), end);
                        } else if (!watcher.done) {
                            error("stream_without_done", end);
                        } else if (watcher.firstToken == 0) {
                            error("stream_without_content", end);
                        } else {
                            success(intended, end, watcher.firstToken);
                        }
                    });
        } else {
            done = client.sendAsync(request.build(), HttpResponse.BodyHandlers.ofString()).thenAccept(response -> {
                long end = System.nanoTime();
                if (response.statusCode() != (rest ? 202 : 200)) {
                    error("status_" + response.statusCode(), end);
                } else if (!rest && !response.body().contains("\"choices\"")) {
                    error("no_completion", end);
                } else {
                    success(intended, end, 0);
                }
            });
        }
        return done.exceptionally(e -> {
            Throwable cause = e.getCause() != null ? e.getCause() : e;
            error(cause instanceof java.net.http.HttpTimeoutException ? "timeout" : cause.getClass().getSimpleName(),
                    System.nanoTime());
            return null;
        }).whenComplete((r, e) -> outstanding.decrementAndGet());
    }

    private void success(long intended, long end, long firstToken) {
        if (end >= windowStart && end < windowEnd) {
            ok.incrementAndGet();
            latencies.add((end - intended) / 1000);
            if (firstToken > 0) {
                firstTokens.add((firstToken - intended) / 1000);
            }
        }
    }

    private void error(String code, long at) {
        if (at >= windowStart) {
            errors.computeIfAbsent(code, k -> new AtomicLong()).incrementAndGet();
        }
    }

    private void report() throws Exception {
        long errorCount = errors.values().stream().mapToLong(AtomicLong::get).sum();
        Map<String, Long> codes = new TreeMap<>();
        errors.forEach((k, v) -> codes.put(k, v.get()));
        StringBuilder json = new StringBuilder();
        json.append("{\"label\":\"").append(label).append("\",\"url\":\"").append(url)
                .append("\",\"mode\":\"").append(mode).append("\",\"stream\":").append(stream)
                .append(",\"concurrency\":").append("max".equals(mode) ? concurrency : 0)
                .append(",\"rate_target\":").append("rate".equals(mode) ? fmt(rate) : "null")
                .append(",\"conversations\":").append(conversations)
                .append(",\"warmup_s\":").append(warmupS).append(",\"duration_s\":").append(durationS)
                .append(",\"elapsed_s\":").append(fmt((System.nanoTime() - t0) / 1e9))
                .append(",\"sent\":").append(sent.get())
                .append(",\"ok\":").append(ok.get())
                .append(",\"throughput\":").append(fmt(ok.get() / (double) durationS))
                .append(",\"errors\":").append(errorCount)
                .append(",\"error_codes\":{");
        String sep = "";
        for (Map.Entry<String, Long> e : codes.entrySet()) {
            json.append(sep).append('"').append(e.getKey()).append("\":").append(e.getValue());
            sep = ",";
        }
        json.append("},\"max_outstanding\":").append(maxSeenOutstanding.get())
                .append(",\"latency_ms\":").append(latencies.summary());
        if (stream) {
            json.append(",\"first_token_ms\":").append(firstTokens.summary());
        }
        json.append("}\n");
        if (out != null) {
            Files.writeString(out, json, StandardCharsets.UTF_8);
        }
        System.out.print(json);
    }

    private static String fmt(double v) {
        return String.format(Locale.ROOT, "%.3f", v);
    }

    /** Watches a server-sent event stream line by line: the first content chunk and the closing {@code [DONE]}. */
    private static final class StreamWatcher implements Flow.Subscriber<String> {
        volatile long firstToken;
        volatile boolean done;

        @Override
        public void onSubscribe(Flow.Subscription subscription) {
            subscription.request(Long.MAX_VALUE);
        }

        @Override
        public void onNext(String line) {
            if (!line.startsWith("data:")) {
                return;
            }
            if (line.contains("[DONE]")) {
                done = true;
            } else if (firstToken == 0 && line.contains("\"content\":\"") && !line.contains("\"content\":\"\"")) {
                firstToken = System.nanoTime();
            }
        }

        @Override
        public void onError(Throwable throwable) {
        }

        @Override
        public void onComplete() {
        }
    }

    /** Latencies in microseconds; percentiles by sorting at the end (a run holds at most some hundred thousand). */
    private static final class Samples {
        private long[] values = new long[1 << 14];
        private int size;

        synchronized void add(long micros) {
            if (size == values.length) {
                values = Arrays.copyOf(values, size * 2);
            }
            values[size++] = micros;
        }

        synchronized String summary() {
            if (size == 0) {
                return "null";
            }
            long[] sorted = Arrays.copyOf(values, size);
            Arrays.sort(sorted);
            double mean = Arrays.stream(sorted).average().orElse(0) / 1000.0;
            return "{\"count\":" + size + ",\"mean\":" + fmt(mean) + ",\"p50\":" + pct(sorted, 50)
                    + ",\"p90\":" + pct(sorted, 90) + ",\"p95\":" + pct(sorted, 95) + ",\"p99\":" + pct(sorted, 99)
                    + ",\"max\":" + fmt(sorted[sorted.length - 1] / 1000.0) + "}";
        }

        private static String pct(long[] sorted, double p) {
            int index = (int) Math.ceil(p / 100.0 * sorted.length) - 1;
            return fmt(sorted[Math.max(0, Math.min(sorted.length - 1, index))] / 1000.0);
        }
    }
}
