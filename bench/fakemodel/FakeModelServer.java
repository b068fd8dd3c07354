import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A fake OpenAI-compatible model for benchmarks: answers after a fixed latency, streaming its tokens evenly over it.
 *
 * <p>Run: {@code java bench/fakemodel/FakeModelServer.java --port 18800 --latency-ms 1000 --tokens 20}.
 *
 * <p>Serves {@code POST /v1/chat/completions} (whole, or {@code "stream": true} as server-sent events ending in
 * {@code data: [DONE]}, with a usage chunk when {@code stream_options.include_usage} is set), and
 * {@code GET /v1/models}. Listens on loopback only.
 *
 * <p>No thread is held per stream: the handler reads the request, sends the headers and returns; the tokens are
 * written later by a small scheduler pool, which also ends the exchange. So thousands of streams are open at once
 * on a handful of threads. Latency 0 answers at once, from the handler.
 */
public final class FakeModelServer {

    private static final Pattern STREAM_TRUE = Pattern.compile("\"stream\"\\s*:\\s*true");
    private static final Pattern INCLUDE_USAGE = Pattern.compile("\"include_usage\"\\s*:\\s*true");
    private static final Pattern MODEL = Pattern.compile("\"model\"\\s*:\\s*\"([^\"\\\\]{1,200})\"");
    private static final String[] WORDS = {"The ", "quick ", "brown ", "fox ", "jumps ", "over ", "the ", "lazy ",
            "dog ", "while ", "a ", "caravan ", "crosses ", "the ", "desert ", "at ", "dawn ", "and ", "rests ",
            "by ", "an ", "oasis. "};

    private final int latencyMs;
    private final int tokens;
    private final ScheduledThreadPoolExecutor scheduler;
    private final AtomicLong ids = new AtomicLong();
    private final AtomicInteger openStreams = new AtomicInteger();
    private final AtomicLong requests = new AtomicLong();
    private final AtomicLong failures = new AtomicLong();

    private FakeModelServer(int latencyMs, int tokens, int writerThreads) {
        this.latencyMs = latencyMs;
        this.tokens = tokens;
        this.scheduler = new ScheduledThreadPoolExecutor(writerThreads, named("fake-model-writer"));
        this.scheduler.setRemoveOnCancelPolicy(true);
    }

    public static void main(String[] args) throws Exception {
        int port = 18800;
        int latencyMs = 1000;
        int tokens = 20;
        int handlerThreads = 2;
        int writerThreads = 2;
        int backlog = 4096;
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            String v = i + 1 < args.length ? args[i + 1] : null;
            switch (a) {
                case "--port" -> { port = Integer.parseInt(v); i++; }
                case "--latency-ms" -> { latencyMs = Integer.parseInt(v); i++; }
                case "--tokens" -> { tokens = Integer.parseInt(v); i++; }
                case "--handler-threads" -> { handlerThreads = Integer.parseInt(v); i++; }
                case "--writer-threads" -> { writerThreads = Integer.parseInt(v); i++; }
                case "--backlog" -> { backlog = Integer.parseInt(v); i++; }
                case "-h", "--help" -> {
                    System.out.println("usage: java FakeModelServer.java [--port N] [--latency-ms MS] [--tokens N]"
                            + " [--handler-threads N] [--writer-threads N] [--backlog N]");
                    return;
                }
                default -> throw new IllegalArgumentException("unknown argument " + a);
            }
        }
        if (port < 0 || port > 65535 || latencyMs < 0 || latencyMs > 600_000 || tokens < 1 || tokens > 100_000
                || handlerThreads < 1 || writerThreads < 1) {
            throw new IllegalArgumentException("argument out of range");
        }
        // the JDK server closes idle keep-alive connections past 200 by default: a client with thousands of
        // concurrent calls would then reconnect for nearly every call. Small SSE chunks need TCP_NODELAY.
        setDefault("sun.net.httpserver.maxIdleConnections", "100000");
        setDefault("sun.net.httpserver.nodelay", "true");
        setDefault("sun.net.httpserver.idleInterval", "120");

        FakeModelServer fake = new FakeModelServer(latencyMs, tokens, writerThreads);
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), backlog);
        ExecutorService handlers = Executors.newFixedThreadPool(handlerThreads, named("fake-model-handler"));
        server.setExecutor(handlers);
        server.createContext("/", fake::handle);
        server.start();
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            server.stop(0);
            fake.scheduler.shutdownNow();
            handlers.shutdownNow();
            System.out.println("fake model stopped: requests=" + fake.requests.get() + " failures="
                    + fake.failures.get());
        }, "fake-model-stop"));
        System.out.println("fake model listening on http://127.0.0.1:" + server.getAddress().getPort()
                + "/v1 latency-ms=" + latencyMs + " tokens=" + tokens + " handler-threads=" + handlerThreads
                + " writer-threads=" + writerThreads);
        System.out.flush();
    }

    private static void setDefault(String key, String value) {
        if (System.getProperty(key) == null) {
            System.setProperty(key, value);
        }
    }

    private static ThreadFactory named(String prefix) {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, prefix + "-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }

    private void handle(HttpExchange exchange) {
        try {
            String path = exchange.getRequestURI().getPath();
            String method = exchange.getRequestMethod();
            if ("GET".equals(method) && (path.equals("/v1/models") || path.equals("/models"))) {
                drain(exchange.getRequestBody());
                long now = System.currentTimeMillis() / 1000;
                send(exchange, 200, "{\"object\":\"list\",\"data\":[{\"id\":\"fake\",\"object\":\"model\",\"created\":"
                        + now + ",\"owned_by\":\"bench\"}]}");
            } else if ("POST".equals(method)
                    && (path.equals("/v1/chat/completions") || path.equals("/chat/completions"))) {
                requests.incrementAndGet();
                String body = readBody(exchange.getRequestBody());
                complete(exchange, body);
            } else {
                drain(exchange.getRequestBody());
                send(exchange, 404, "{\"error\":{\"message\":\"not found: " + method + " " + path.replace("\"", "")
                        + "\",\"type\":\"invalid_request_error\"}}");
            }
        } catch (IOException | RuntimeException e) {
            failures.incrementAndGet();
            exchange.close();
        }
    }

    private void complete(HttpExchange exchange, String body) throws IOException {
        boolean stream = STREAM_TRUE.matcher(body).find();
        boolean usage = INCLUDE_USAGE.matcher(body).find();
        Matcher m = MODEL.matcher(body);
        String model = m.find() ? m.group(1) : "fake";
        String id = "chatcmpl-fake-" + ids.incrementAndGet();
        long created = System.currentTimeMillis() / 1000;
        int promptTokens = Math.max(1, body.length() / 4);
        if (!stream) {
            String json = wholeCompletion(id, created, model, promptTokens);
            if (latencyMs == 0) {
                send(exchange, 200, json);
            } else {
                scheduler.schedule(() -> {
                    try {
                        send(exchange, 200, json);
                    } catch (IOException | RuntimeException e) {
                        failures.incrementAndGet();
                        exchange.close();
                    }
                }, latencyMs, TimeUnit.MILLISECONDS);
            }
            return;
        }
        exchange.getResponseHeaders().set("Content-Type", "text/event-stream");
        exchange.getResponseHeaders().set("Cache-Control", "no-cache");
        exchange.sendResponseHeaders(200, 0);
        Stream s = new Stream(exchange, id, created, model, promptTokens, usage);
        openStreams.incrementAndGet();
        if (latencyMs == 0) {
            while (s.next()) {
                // bounded: one iteration per token, then it ends
            }
        } else {
            s.scheduleNext();
        }
    }

    /** One open stream; its tokens are written by the scheduler, one task per token, never two at once. */
    private final class Stream {
        private final HttpExchange exchange;
        private final OutputStream out;
        private final String prefix;
        private final String model;
        private final int promptTokens;
        private final boolean usage;
        private final long startNanos = System.nanoTime();
        private int sent;

        Stream(HttpExchange exchange, String id, long created, String model, int promptTokens, boolean usage) {
            this.exchange = exchange;
            this.out = exchange.getResponseBody();
            this.prefix = "data: {\"id\":\"" + id + "\",\"object\":\"chat.completion.chunk\",\"created\":" + created
                    + ",\"model\":\"" + model + "\",\"choices\":[";
            this.model = model;
            this.promptTokens = promptTokens;
            this.usage = usage;
        }

        /** Token i (1-based) is due at i/tokens of the latency: the last one, and the end, at the full latency. */
        void scheduleNext() {
            long dueNanos = startNanos + (long) latencyMs * 1_000_000L * (sent + 1) / tokens;
            long delay = Math.max(0, dueNanos - System.nanoTime());
            scheduler.schedule(this::step, delay, TimeUnit.NANOSECONDS);
        }

        private void step() {
            if (next()) {
                scheduleNext();
            }
        }

        /** Writes the next token (and the end after the last); false when the stream is over. */
        boolean next() {
            try {
                StringBuilder sb = new StringBuilder(512);
                String role = sent == 0 ? "\"role\":\"assistant\"," : "";
                String word = WORDS[sent % WORDS.length];
                sb.append(prefix).append("{\"index\":0,\"delta\":{").append(role).append("\"content\":\"")
                        .append(word).append("\"},\"finish_reason\":null}]}\n\n");
                sent++;
                if (sent == tokens) {
                    sb.append(prefix).append("{\"index\":0,\"delta\":{},\"finish_reason\":\"stop\"}]}\n\n");
                    if (usage) {
                        sb.append(prefix, 0, prefix.length() - 1).append("[],\"usage\":{\"prompt_tokens\":")
                                .append(promptTokens).append(",\"completion_tokens\":").append(tokens)
                                .append(",\"total_tokens\":").append(promptTokens + tokens).append("}}\n\n");
                    }
                    sb.append("data: [DONE]\n\n");
                }
                out.write(sb.toString().getBytes(StandardCharsets.UTF_8));
                out.flush();
                if (sent == tokens) {
                    finish();
                    return false;
                }
                return true;
            } catch (IOException | RuntimeException e) {
                // the client went away: end the exchange, the connection is dropped
                failures.incrementAndGet();
                finish();
                return false;
            }
        }

        private boolean finished;

        private void finish() {
            if (!finished) {
                finished = true;
                openStreams.decrementAndGet();
                exchange.close();
            }
        }
    }

    private String wholeCompletion(String id, long created, String model, int promptTokens) {
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < tokens; i++) {
            text.append(WORDS[i % WORDS.length]);
        }
        return "{\"id\":\"" + id + "\",\"object\":\"chat.completion\",\"created\":" + created + ",\"model\":\""
                + model + "\",\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\",\"content\":\""
                + text + "\"},\"finish_reason\":\"stop\"}],\"usage\":{\"prompt_tokens\":" + promptTokens
                + ",\"completion_tokens\":" + tokens + ",\"total_tokens\":" + (promptTokens + tokens) + "}}";
    }

    private static void send(HttpExchange exchange, int status, String json) throws IOException {
        byte[] bytes = json.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        exchange.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }

    private static String readBody(InputStream in) throws IOException {
        byte[] bytes = in.readNBytes(16 * 1024 * 1024);
        drain(in);
        return new String(bytes, StandardCharsets.UTF_8);
    }

    private static void drain(InputStream in) throws IOException {
        byte[] buf = new byte[8192];
        for (int i = 0; i < 1_000_000 && in.read(buf) >= 0; i++) {
            // bounded: discard what is left of the request body
        }
        in.close();
    }

    @Override
    public String toString() {
        return String.format(Locale.ROOT, "FakeModelServer[latency=%dms tokens=%d open=%d]", latencyMs, tokens,
                openStreams.get());
    }
}
