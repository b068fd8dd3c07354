package routes.support;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Function;

/**
 * A real HTTP/1.1 fake of an OpenAI-compatible chat completions server, for tests.
 *
 * <p>It listens on {@code 127.0.0.1} on a free port and serves:
 * <ul>
 *   <li>{@code POST /v1/chat/completions}: a {@code chat.completion} object, or with {@code "stream": true}
 *       a {@code text/event-stream} of {@code chat.completion.chunk} events ending with {@code data: [DONE]};</li>
 *   <li>{@code GET /v1/models}: an OpenAI list object holding the single model {@link #MODEL_ID}.</li>
 * </ul>
 * The reply text is deterministic: {@code "echo: " + <content of the last user message>} unless changed with
 * {@link #replyWith(Function)}.
 *
 * <p>Every behaviour setter is thread-safe and may be called while requests are in flight; it applies to
 * requests that arrive afterwards. One-shot faults ({@link #failNext}, {@link #failNext429}, {@link #hangNext},
 * {@link #truncateStreamNext}, {@link #malformedNext}) go into a single FIFO queue: each chat completion request
 * takes at most one entry, so {@code failNext(2, 500, null); hangNext(1)} makes requests 1 and 2 fail and request
 * 3 hang. Queued faults take precedence over {@link #failAlways(int)}; the API key check comes before both and
 * does not consume a queued fault.
 *
 * <p>Delays never park a thread per request: the handler only reads and records the request, then hands the
 * held {@link HttpExchange} to a {@link ScheduledExecutorService} that writes the answer later. The JDK server
 * does not finish an exchange when the handler returns, so completing it from another thread is supported
 * (verified on JDK 17 by {@code FakeOpenAiServerTest}).
 *
 * <p>Typical use:
 * <pre>{@code
 * try (FakeOpenAiServer openAi = new FakeOpenAiServer().start()) {
 *     openAi.delay(Duration.ofMillis(200)).failNext(1, 500, null);
 *     // point the client under test at openAi.baseUrl() ...
 *     assertThat(openAi.requestCount()).isEqualTo(2);
 * }
 * }</pre>
 */
public final class FakeOpenAiServer implements AutoCloseable {

    /** The id of the only model the fake lists, and the model echoed when a request names none. */
    public static final String MODEL_ID = "fake-model";

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String JSON_TYPE = "application/json";
    private static final String EVENT_STREAM_TYPE = "text/event-stream; charset=utf-8";
    // Splits before every word that follows whitespace, so each piece keeps its trailing spaces and the pieces
    // concatenate back to the exact text.
    private static final String DELTA_BOUNDARY = "(?<=\\s)(?=\\S)";
    // Room for a burst of connections well above the load tests' 1,000; the kernel caps it at somaxconn.
    private static final int ACCEPT_BACKLOG = 4096;
    // Handler threads only parse, record and schedule, so a few suffice whatever the delays are.
    private static final int HANDLER_THREADS = 4;
    private static final int SCHEDULER_THREADS = 2;

    private final Object lifecycle = new Object();
    private HttpServer server;
    private ExecutorService handlerPool;
    private ScheduledExecutorService scheduler;
    private volatile boolean started;
    private volatile boolean closed;

    private volatile Function<JsonNode, String> replyFunction = FakeOpenAiServer::echoReply;
    private volatile Duration delay = Duration.ZERO;
    private volatile Duration tokenInterval = Duration.ZERO;
    private volatile Fault alwaysFault;
    private volatile String requiredApiKey;
    private final ConcurrentLinkedQueue<Fault> scriptedFaults = new ConcurrentLinkedQueue<>();

    // Recording is guarded by one lock so that the list order, the count and awaitRequests agree exactly.
    private final ReentrantLock recordLock = new ReentrantLock();
    private final Condition recorded = recordLock.newCondition();
    private final List<RecordedRequest> recordings = new ArrayList<>();

    // Exchanges accepted but not yet finished (delayed, streaming or hung): close() aborts them.
    private final Set<HttpExchange> inFlight = ConcurrentHashMap.newKeySet();
    // Decides, per request, whether the model asks for a tool instead of answering (null: answer).
    private volatile Function<JsonNode, ToolCall> toolCalls = body -> null;
    // The most chat completions ever in flight at once since the last reset.
    private final AtomicInteger maxInFlight = new AtomicInteger();
    // The subset of inFlight hung by hangNext: reset() drops them so they do not outlive the test that hung them.
    private final Set<HttpExchange> hung = ConcurrentHashMap.newKeySet();
    // Held while a request is recorded and its answer planned, and by reset() while it drops the hung ones.
    private final Object planning = new Object();
    private final AtomicLong completionIds = new AtomicLong();

    /**
     * One chat completion request as the fake received it.
     *
     * @param method  the HTTP method
     * @param path    the request path, e.g. {@code /v1/chat/completions}
     * @param headers the request headers, keys case-insensitive, unmodifiable
     * @param rawBody the body as received (UTF-8)
     * @param body    the parsed body; a JSON string node holding {@code rawBody} when the body was not valid JSON
     */
    public record RecordedRequest(String method, String path, Map<String, List<String>> headers, String rawBody,
                                  JsonNode body) {

        /**
         * Returns the first value of a request header.
         *
         * @param name the header name, any case
         * @return the first value, or {@code null} when the header is absent
         */
        public String header(String name) {
            List<String> values = headers.get(name);
            return values == null || values.isEmpty() ? null : values.get(0);
        }
    }

    /** What to answer instead of a normal completion; queued by the one-shot setters. */
    private sealed interface Fault permits HttpError, Hang, Truncate, Malformed {
    }

    /** An error status with a body and extra headers (e.g. {@code Retry-After}). */
    private record HttpError(int status, String body, Map<String, String> headers) implements Fault {
    }

    /** Accept the request and never answer until {@link #close()}. */
    private record Hang() implements Fault {
    }

    /** Send part of the answer, then drop the connection. */
    private record Truncate() implements Fault {
    }

    /** Status 200 with a body that is not valid JSON. */
    private record Malformed() implements Fault {
    }

    /** A parsed chat completion request with what the fake derived from it. */
    private record Completion(String id, long created, String model, boolean stream, boolean includeUsage,
                              int promptTokens) {
    }

    /** Creates a stopped server; call {@link #start()}. */
    public FakeOpenAiServer() {
    }

    // ------------------------------------------------------------------ lifecycle

    /**
     * Binds to a free port on {@code 127.0.0.1} and starts serving.
     *
     * @return this server, for chaining
     * @throws UncheckedIOException  when the port cannot be bound
     * @throws IllegalStateException when already started or closed
     */
    public FakeOpenAiServer start() {
        synchronized (lifecycle) {
            if (started || closed) {
                throw new IllegalStateException("FakeOpenAiServer can be started once only");
            }
            try {
                server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), ACCEPT_BACKLOG);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot bind the fake OpenAI server", e);
            }
            handlerPool = Executors.newFixedThreadPool(HANDLER_THREADS, daemonThreads("fake-openai-http"));
            scheduler = Executors.newScheduledThreadPool(SCHEDULER_THREADS, daemonThreads("fake-openai-timer"));
            server.setExecutor(handlerPool);
            server.createContext("/", this::handle);
            server.start();
            started = true;
            return this;
        }
    }

    /**
     * Stops the server: hung, delayed and half-streamed requests have their connections dropped, so clients
     * waiting on them fail with an I/O error. Idempotent.
     */
    @Override
    public void close() {
        synchronized (lifecycle) {
            if (closed) {
                return;
            }
            closed = true;
            if (!started) {
                return;
            }
        }
        // Pending delayed answers are dropped rather than run: their exchanges are aborted below.
        scheduler.shutdownNow();
        try {
            // Lets a write already under way finish, so it does not race with the abort below.
            scheduler.awaitTermination(2, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        for (HttpExchange exchange : inFlight) {
            abort(exchange);
        }
        inFlight.clear();
        hung.clear();
        // Zero delay: every remaining exchange is ours and already dealt with, so waiting would only slow tests.
        server.stop(0);
        handlerPool.shutdownNow();
    }

    /**
     * Returns the base URL OpenAI clients take, e.g. {@code http://127.0.0.1:41234/v1}.
     *
     * @return the base URL, without trailing slash
     */
    public String baseUrl() {
        return "http://127.0.0.1:" + port() + "/v1";
    }

    /**
     * Returns the full chat completions URL, {@code baseUrl() + "/chat/completions"}.
     *
     * @return the chat completions URL
     */
    public String chatCompletionsUrl() {
        return baseUrl() + "/chat/completions";
    }

    /**
     * Returns the port the server listens on.
     *
     * @return the bound port
     * @throws IllegalStateException when not started
     */
    public int port() {
        HttpServer s = server;
        if (s == null) {
            throw new IllegalStateException("FakeOpenAiServer is not started");
        }
        return s.getAddress().getPort();
    }

    // ------------------------------------------------------------------ behaviour scripting

    /**
     * Sets how the reply text is computed from the parsed request body. An exception thrown by the function makes
     * the fake answer 500 with an OpenAI error.
     *
     * @param reply maps the request JSON to the assistant's text
     * @return this server, for chaining
     */
    public FakeOpenAiServer replyWith(Function<JsonNode, String> reply) {
        this.replyFunction = Objects.requireNonNull(reply, "reply");
        return this;
    }

    /**
     * Delays every chat completion answer (success or error) by this much after the request is read; no thread
     * is held meanwhile.
     *
     * @param delay the delay, zero for none
     * @return this server, for chaining
     */
    public FakeOpenAiServer delay(Duration delay) {
        this.delay = requireNotNegative(delay, "delay");
        return this;
    }

    /**
     * Sets the pause between two streamed chunks.
     *
     * @param interval the pause, zero for none
     * @return this server, for chaining
     */
    public FakeOpenAiServer tokenInterval(Duration interval) {
        this.tokenInterval = requireNotNegative(interval, "interval");
        return this;
    }

    /**
     * Makes the next {@code n} chat completion requests fail with this status.
     *
     * @param n      how many requests fail
     * @param status the HTTP status, e.g. 500
     * @param body   the response body; {@code null} for a default OpenAI error JSON for that status
     * @return this server, for chaining
     */
    public FakeOpenAiServer failNext(int n, int status, String body) {
        requireStatus(status);
        String answer = body != null ? body : defaultErrorBody(status);
        return enqueue(n, new HttpError(status, answer, Map.of()));
    }

    /**
     * Makes the next {@code n} chat completion requests fail with 429, a {@code Retry-After} header in whole
     * seconds (rounded up) and a {@code retry-after-ms} header, as OpenAI sends.
     *
     * @param n          how many requests are rate limited
     * @param retryAfter the advertised wait
     * @return this server, for chaining
     */
    public FakeOpenAiServer failNext429(int n, Duration retryAfter) {
        requireNotNegative(retryAfter, "retryAfter");
        long millis = retryAfter.toMillis();
        long seconds = (millis + 999) / 1000;
        Map<String, String> headers = Map.of("Retry-After", Long.toString(seconds),
                "retry-after-ms", Long.toString(millis));
        return enqueue(n, new HttpError(429, defaultErrorBody(429), headers));
    }

    /**
     * Makes the next {@code n} chat completion requests hang: they are read and recorded but never answered;
     * {@link #close()} drops their connections.
     *
     * @param n how many requests hang
     * @return this server, for chaining
     */
    public FakeOpenAiServer hangNext(int n) {
        return enqueue(n, new Hang());
    }

    /**
     * Makes the next {@code n} chat completion requests end early: a streaming one gets the role chunk and the
     * first half of the content chunks, a non-streaming one the first half of its JSON; then the connection is
     * dropped without {@code data: [DONE]} or a final chunk, so the client sees an I/O error.
     *
     * @param n how many requests are truncated
     * @return this server, for chaining
     */
    public FakeOpenAiServer truncateStreamNext(int n) {
        return enqueue(n, new Truncate());
    }

    /**
     * Makes the next {@code n} chat completion requests answer 200 with invalid JSON (for a streaming request, an
     * event whose data is invalid JSON, then {@code data: [DONE]}).
     *
     * @param n how many requests get a malformed answer
     * @return this server, for chaining
     */
    public FakeOpenAiServer malformedNext(int n) {
        return enqueue(n, new Malformed());
    }

    /**
     * Makes every chat completion request fail with this status and a default OpenAI error JSON until
     * {@link #recover()}.
     *
     * @param status the HTTP status, e.g. 503
     * @return this server, for chaining
     */
    public FakeOpenAiServer failAlways(int status) {
        requireStatus(status);
        this.alwaysFault = new HttpError(status, defaultErrorBody(status), Map.of());
        return this;
    }

    /**
     * Ends {@link #failAlways(int)}; queued one-shot faults stay queued.
     *
     * @return this server, for chaining
     */
    public FakeOpenAiServer recover() {
        this.alwaysFault = null;
        return this;
    }

    /**
     * Requires {@code Authorization: Bearer <key>} on every request; others get 401 with an OpenAI error.
     *
     * @param key the expected key; {@code null} to accept any request again
     * @return this server, for chaining
     */
    public FakeOpenAiServer requireApiKey(String key) {
        this.requiredApiKey = key;
        return this;
    }

    /**
     * Restores the default behaviour: echo replies, no delays, no API key, no faults (queued ones are dropped).
     * Requests hung by {@link #hangNext(int)} have their connections dropped, so that a server shared by many
     * tests does not keep them open forever; delayed and streaming answers under way are left to finish.
     * Recorded requests are kept; see {@link #clear()}.
     *
     * @return this server, for chaining
     */
    public FakeOpenAiServer reset() {
        toolCalls = body -> null;
        maxInFlight.set(0);
        replyFunction = FakeOpenAiServer::echoReply;
        delay = Duration.ZERO;
        tokenInterval = Duration.ZERO;
        alwaysFault = null;
        requiredApiKey = null;
        scriptedFaults.clear();
        synchronized (planning) {
            for (HttpExchange exchange : hung) {
                abort(exchange);
            }
        }
        return this;
    }

    // ------------------------------------------------------------------ recording

    /**
     * Returns copies of the chat completion request bodies received, in arrival order, including those answered
     * with an error. A body that was not valid JSON appears as a JSON string node holding the raw text.
     *
     * @return a new list of deep copies
     */
    public List<JsonNode> requests() {
        recordLock.lock();
        try {
            List<JsonNode> bodies = new ArrayList<>(recordings.size());
            for (RecordedRequest r : recordings) {
                bodies.add(r.body().deepCopy());
            }
            return bodies;
        } finally {
            recordLock.unlock();
        }
    }

    /**
     * Returns the chat completion requests received with their headers, in arrival order. The bodies are the
     * recorded nodes themselves: do not modify them.
     *
     * @return a new list
     */
    public List<RecordedRequest> recordedRequests() {
        recordLock.lock();
        try {
            return List.copyOf(recordings);
        } finally {
            recordLock.unlock();
        }
    }

    /** A tool call the fake model makes: the tool's name and its JSON arguments. */
    public record ToolCall(String name, String arguments) {
    }

    /**
     * Lets the fake model ask for tools: for each streamed request, {@code decide} returns the call to make, or
     * null to answer with text as usual. Cleared by {@link #reset()}.
     *
     * @param decide the decision per request body
     * @return this server
     */
    public FakeOpenAiServer toolCalls(Function<JsonNode, ToolCall> decide) {
        this.toolCalls = decide;
        return this;
    }

    /**
     * Returns the most chat completion requests that were in flight at once since start or the last reset.
     *
     * @return the peak
     */
    public int maxInFlight() {
        return maxInFlight.get();
    }

    /**
     * Returns how many chat completion requests were received since start or the last {@link #clear()}.
     *
     * @return the exact count
     */
    public int requestCount() {
        recordLock.lock();
        try {
            return recordings.size();
        } finally {
            recordLock.unlock();
        }
    }

    /** Forgets the recorded requests; behaviour settings are kept (see {@link #reset()}). */
    public void clear() {
        recordLock.lock();
        try {
            recordings.clear();
        } finally {
            recordLock.unlock();
        }
    }

    /**
     * Waits until at least {@code n} chat completion requests have been received.
     *
     * @param n       the count to reach
     * @param timeout how long to wait at most
     * @return the recorded bodies, as {@link #requests()}
     * @throws AssertionError when the count is not reached in time
     */
    public List<JsonNode> awaitRequests(int n, Duration timeout) {
        long remaining = timeout.toNanos();
        recordLock.lock();
        try {
            while (recordings.size() < n) {
                if (remaining <= 0) {
                    throw new AssertionError("expected at least " + n + " chat completion requests within "
                            + timeout + " but received " + recordings.size());
                }
                remaining = recorded.awaitNanos(remaining);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted while waiting for " + n + " requests", e);
        } finally {
            recordLock.unlock();
        }
        return requests();
    }

    // ------------------------------------------------------------------ helpers for tests

    /**
     * Builds an OpenAI error body: {@code {"error":{"message":..,"type":..,"param":null,"code":..}}}.
     *
     * @param message the human readable message
     * @param type    the error type, e.g. {@code server_error}
     * @param code    the error code, or {@code null}
     * @return the JSON text
     */
    public static String openAiError(String message, String type, String code) {
        ObjectNode error = JSON.createObjectNode();
        error.put("message", message);
        error.put("type", type);
        error.putNull("param");
        if (code == null) {
            error.putNull("code");
        } else {
            error.put("code", code);
        }
        ObjectNode root = JSON.createObjectNode();
        root.set("error", error);
        return root.toString();
    }

    /**
     * The default reply: {@code "echo: "} followed by the text of the last {@code user} message (text parts of an
     * array content joined with single spaces; empty when there is no user message).
     *
     * @param request the request body
     * @return the reply text
     */
    public static String echoReply(JsonNode request) {
        JsonNode messages = request.path("messages");
        for (int i = messages.size() - 1; i >= 0; i--) {
            JsonNode message = messages.get(i);
            if ("user".equals(message.path("role").asText())) {
                return "echo: " + contentText(message.path("content"));
            }
        }
        return "echo: ";
    }

    /**
     * Splits a reply into the content deltas the fake streams: one piece per word, each keeping the whitespace
     * that follows it, so the pieces concatenate to exactly {@code text}.
     *
     * @param text the reply text
     * @return the non-empty pieces, none for an empty text
     */
    public static List<String> deltas(String text) {
        if (text.isEmpty()) {
            return List.of();
        }
        return List.of(text.split(DELTA_BOUNDARY));
    }

    // ------------------------------------------------------------------ request handling

    private void handle(HttpExchange exchange) {
        try {
            String path = exchange.getRequestURI().getPath();
            String method = exchange.getRequestMethod();
            if (path.equals("/v1/chat/completions")) {
                if (!method.equals("POST")) {
                    exchange.getResponseHeaders().set("Allow", "POST");
                    sendJson(exchange, 405, Map.of(), openAiError("Method " + method + " not allowed",
                            "invalid_request_error", null));
                    return;
                }
                handleChatCompletion(exchange);
            } else if (path.equals("/v1/models") && method.equals("GET")) {
                exchange.getRequestBody().readAllBytes();
                if (!authorized(exchange)) {
                    sendJson(exchange, 401, Map.of(), unauthorizedBody());
                    return;
                }
                sendJson(exchange, 200, Map.of(), modelsBody());
            } else {
                exchange.getRequestBody().readAllBytes();
                sendJson(exchange, 404, Map.of(), openAiError("Unknown request URL: " + method + " " + path,
                        "invalid_request_error", "unknown_url"));
            }
        } catch (Exception e) {
            // A broken client connection or a bug here must not leave the client waiting forever.
            abort(exchange);
        }
    }

    private void handleChatCompletion(HttpExchange exchange) throws IOException {
        // Read the whole body in the handler: the JDK server drops the connection if a response finishes while
        // request bytes are still unread.
        String raw = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
        JsonNode body = parse(raw);
        Runnable answer;
        // a request is recorded (and so seen by awaitRequests) and planned in one step that reset() waits for:
        // a hung one is in `hung` before reset() can look, so a test that hangs, awaits and resets never misses it
        synchronized (planning) {
            record(exchange, raw, body);
            inFlight.add(exchange);
            maxInFlight.accumulateAndGet(inFlight.size(), Math::max);
            answer = planAnswer(exchange, body);
            if (answer == null) {
                hung.add(exchange); // never answered: dropped by reset() or close()
                return;
            }
        }
        Duration wait = delay;
        if (wait.isZero()) {
            answer.run();
        } else {
            schedule(exchange, answer, wait);
        }
    }

    /**
     * Decides on arrival which fault or reply text this request gets, so later changes to the script cannot
     * affect it (only the token interval is read while streaming); null means hang.
     */
    private Runnable planAnswer(HttpExchange exchange, JsonNode body) {
        if (!authorized(exchange)) {
            return () -> sendJson(exchange, 401, Map.of(), unauthorizedBody());
        }
        if (!body.path("messages").isArray()) {
            String message = body.isObject() ? "'messages' is a required property"
                    : "We could not parse the JSON body of your request.";
            return () -> sendJson(exchange, 400, Map.of(), openAiError(message, "invalid_request_error", null));
        }
        Fault fault = scriptedFaults.poll();
        if (fault == null) {
            fault = alwaysFault;
        }
        Completion completion = describe(body);
        if (fault instanceof Hang) {
            return null;
        }
        if (fault instanceof HttpError error) {
            return () -> sendJson(exchange, error.status(), error.headers(), error.body());
        }
        if (fault instanceof Malformed) {
            return () -> sendMalformed(exchange, completion);
        }
        String text;
        try {
            text = Objects.requireNonNull(replyFunction.apply(body), "reply function returned null");
        } catch (RuntimeException e) {
            String message = "fake reply function failed: " + e;
            return () -> sendJson(exchange, 500, Map.of(), openAiError(message, "server_error", null));
        }
        ToolCall call = completion.stream() ? toolCalls.apply(body) : null;
        if (call != null) {
            return () -> streamToolCall(exchange, completion, call);
        }
        boolean truncate = fault instanceof Truncate;
        if (completion.stream()) {
            return () -> startStream(exchange, completion, text, truncate);
        }
        return () -> sendCompletion(exchange, completion, text, truncate);
    }

    private void record(HttpExchange exchange, String raw, JsonNode body) {
        Map<String, List<String>> headers = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
        exchange.getRequestHeaders().forEach((k, v) -> headers.put(k, List.copyOf(v)));
        RecordedRequest request = new RecordedRequest(exchange.getRequestMethod(),
                exchange.getRequestURI().getPath(), Collections.unmodifiableMap(headers), raw, body);
        recordLock.lock();
        try {
            recordings.add(request);
            recorded.signalAll();
        } finally {
            recordLock.unlock();
        }
    }

    private boolean authorized(HttpExchange exchange) {
        String key = requiredApiKey;
        return key == null || ("Bearer " + key).equals(exchange.getRequestHeaders().getFirst("Authorization"));
    }

    private Completion describe(JsonNode body) {
        String model = body.path("model").asText(MODEL_ID);
        boolean stream = body.path("stream").asBoolean(false);
        boolean includeUsage = body.path("stream_options").path("include_usage").asBoolean(false);
        int promptTokens = 0;
        for (JsonNode message : body.path("messages")) {
            promptTokens += countWords(contentText(message.path("content")));
        }
        return new Completion("chatcmpl-fake-" + completionIds.incrementAndGet(),
                System.currentTimeMillis() / 1000, model, stream, includeUsage, promptTokens);
    }

    // ------------------------------------------------------------------ answers

    private void sendCompletion(HttpExchange exchange, Completion completion, String text, boolean truncate) {
        ObjectNode root = JSON.createObjectNode();
        root.put("id", completion.id());
        root.put("object", "chat.completion");
        root.put("created", completion.created());
        root.put("model", completion.model());
        ObjectNode choice = root.putArray("choices").addObject();
        choice.put("index", 0);
        ObjectNode message = choice.putObject("message");
        message.put("role", "assistant");
        message.put("content", text);
        choice.putNull("logprobs");
        choice.put("finish_reason", "stop");
        root.set("usage", usage(completion.promptTokens(), countWords(text)));
        String json = root.toString();
        if (!truncate) {
            sendJson(exchange, 200, Map.of(), json);
            return;
        }
        try {
            exchange.getResponseHeaders().set("Content-Type", JSON_TYPE);
            exchange.sendResponseHeaders(200, 0);
            OutputStream out = exchange.getResponseBody();
            out.write(json.substring(0, json.length() / 2).getBytes(StandardCharsets.UTF_8));
            out.flush();
        } catch (IOException e) {
            // the client went away; nothing left to cut
        }
        abort(exchange);
    }

    private void startStream(HttpExchange exchange, Completion completion, String text, boolean truncate) {
        List<String> pieces = deltas(text);
        List<String> events = new ArrayList<>();
        events.add(chunk(completion, delta("assistant", ""), null).toString());
        int contentChunks = truncate ? (pieces.size() + 1) / 2 : pieces.size();
        for (int i = 0; i < contentChunks; i++) {
            events.add(chunk(completion, delta(null, pieces.get(i)), null).toString());
        }
        if (!truncate) {
            events.add(chunk(completion, JSON.createObjectNode(), "stop").toString());
            if (completion.includeUsage()) {
                ObjectNode usageChunk = chunkSkeleton(completion);
                usageChunk.putArray("choices");
                usageChunk.set("usage", usage(completion.promptTokens(), countWords(text)));
                events.add(usageChunk.toString());
            }
            events.add("[DONE]");
        }
        try {
            exchange.getResponseHeaders().set("Content-Type", EVENT_STREAM_TYPE);
            exchange.getResponseHeaders().set("Cache-Control", "no-cache");
            exchange.sendResponseHeaders(200, 0);
        } catch (IOException e) {
            abort(exchange);
            return;
        }
        writeEvents(exchange, events, 0, truncate);
    }

    private void streamToolCall(HttpExchange exchange, Completion completion, ToolCall call) {
        List<String> events = new ArrayList<>();
        ObjectNode first = JSON.createObjectNode();
        first.put("role", "assistant");
        first.putNull("content");
        ObjectNode tool = first.putArray("tool_calls").addObject();
        tool.put("index", 0);
        tool.put("id", "call_" + completion.id());
        tool.put("type", "function");
        tool.putObject("function").put("name", call.name()).put("arguments", "");
        events.add(chunk(completion, first, null).toString());
        ObjectNode args = JSON.createObjectNode();
        args.putArray("tool_calls").addObject().put("index", 0).putObject("function")
                .put("arguments", call.arguments());
        events.add(chunk(completion, args, null).toString());
        events.add(chunk(completion, JSON.createObjectNode(), "tool_calls").toString());
        if (completion.includeUsage()) {
            ObjectNode usageChunk = chunkSkeleton(completion);
            usageChunk.putArray("choices");
            usageChunk.set("usage", usage(completion.promptTokens(), 5));
            events.add(usageChunk.toString());
        }
        events.add("[DONE]");
        try {
            exchange.getResponseHeaders().set("Content-Type", EVENT_STREAM_TYPE);
            exchange.sendResponseHeaders(200, 0);
        } catch (IOException e) {
            abort(exchange);
            return;
        }
        writeEvents(exchange, events, 0, false);
    }

    /** Writes events from {@code next} on; with a token interval each further event is a new scheduled task. */
    private void writeEvents(HttpExchange exchange, List<String> events, int next, boolean truncate) {
        Duration interval = tokenInterval;
        int i = next;
        try {
            OutputStream out = exchange.getResponseBody();
            while (i < events.size()) {
                out.write(("data: " + events.get(i) + "\n\n").getBytes(StandardCharsets.UTF_8));
                // Flush every event so the client sees tokens as they are "generated", not all at the end.
                out.flush();
                i++;
                // A truncated stream also waits one interval before the drop: the connection dies when the
                // next token was due, and a client gets time to consume what was sent.
                if ((i < events.size() || truncate) && !interval.isZero()) {
                    int from = i;
                    schedule(exchange, () -> writeEvents(exchange, events, from, truncate), interval);
                    return;
                }
            }
        } catch (IOException e) {
            abort(exchange);
            return;
        }
        if (truncate) {
            abort(exchange);
        } else {
            finish(exchange);
        }
    }

    private void sendMalformed(HttpExchange exchange, Completion completion) {
        String broken = "{\"id\":\"" + completion.id() + "\",\"object\":\"chat.completion\",\"choices\":[{\"mess";
        if (completion.stream()) {
            String body = "data: " + broken + "\n\ndata: [DONE]\n\n";
            send(exchange, 200, Map.of("Content-Type", EVENT_STREAM_TYPE), body);
        } else {
            send(exchange, 200, Map.of("Content-Type", JSON_TYPE), broken);
        }
    }

    private void sendJson(HttpExchange exchange, int status, Map<String, String> headers, String json) {
        Map<String, String> all = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
        all.put("Content-Type", JSON_TYPE);
        all.putAll(headers);
        send(exchange, status, all, json);
    }

    private void send(HttpExchange exchange, int status, Map<String, String> headers, String body) {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        try {
            headers.forEach(exchange.getResponseHeaders()::set);
            exchange.sendResponseHeaders(status, bytes.length == 0 ? -1 : bytes.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(bytes);
            }
            finish(exchange);
        } catch (IOException e) {
            abort(exchange);
        }
    }

    private void finish(HttpExchange exchange) {
        inFlight.remove(exchange);
        exchange.close();
    }

    /**
     * Drops the connection. Once headers are out, {@link HttpExchange#close()} would end a chunked body cleanly;
     * the JDK server closes the connection instead when closing the response stream fails, so swap in a stream
     * whose close fails. Before headers are out, close() alone already drops the connection.
     */
    private void abort(HttpExchange exchange) {
        inFlight.remove(exchange);
        hung.remove(exchange);
        try {
            exchange.setStreams(null, new AbortingOutputStream());
        } catch (RuntimeException ignored) {
            // best effort: close() below still ends the exchange
        }
        exchange.close();
    }

    /** An output stream whose close fails, which makes the JDK server drop the connection. */
    private static final class AbortingOutputStream extends OutputStream {
        @Override
        public void write(int b) throws IOException {
            throw new IOException("aborted by FakeOpenAiServer");
        }

        @Override
        public void close() throws IOException {
            throw new IOException("aborted by FakeOpenAiServer");
        }
    }

    private void schedule(HttpExchange exchange, Runnable task, Duration wait) {
        try {
            scheduler.schedule(() -> {
                try {
                    task.run();
                } catch (RuntimeException e) {
                    abort(exchange);
                }
            }, wait.toNanos(), TimeUnit.NANOSECONDS);
        } catch (RejectedExecutionException e) {
            // closing: drop the connection rather than leave the client waiting
            abort(exchange);
        }
    }

    // ------------------------------------------------------------------ JSON building

    private ObjectNode chunkSkeleton(Completion completion) {
        ObjectNode chunk = JSON.createObjectNode();
        chunk.put("id", completion.id());
        chunk.put("object", "chat.completion.chunk");
        chunk.put("created", completion.created());
        chunk.put("model", completion.model());
        return chunk;
    }

    private ObjectNode chunk(Completion completion, ObjectNode delta, String finishReason) {
        ObjectNode chunk = chunkSkeleton(completion);
        ObjectNode choice = chunk.putArray("choices").addObject();
        choice.put("index", 0);
        choice.set("delta", delta);
        choice.putNull("logprobs");
        if (finishReason == null) {
            choice.putNull("finish_reason");
        } else {
            choice.put("finish_reason", finishReason);
        }
        if (completion.includeUsage()) {
            // OpenAI marks every chunk but the last with usage null when usage is requested.
            chunk.putNull("usage");
        }
        return chunk;
    }

    private static ObjectNode delta(String role, String content) {
        ObjectNode delta = JSON.createObjectNode();
        if (role != null) {
            delta.put("role", role);
        }
        delta.put("content", content);
        return delta;
    }

    private static ObjectNode usage(int promptTokens, int completionTokens) {
        ObjectNode usage = JSON.createObjectNode();
        usage.put("prompt_tokens", promptTokens);
        usage.put("completion_tokens", completionTokens);
        usage.put("total_tokens", promptTokens + completionTokens);
        return usage;
    }

    private static String modelsBody() {
        ObjectNode root = JSON.createObjectNode();
        root.put("object", "list");
        ArrayNode data = root.putArray("data");
        ObjectNode model = data.addObject();
        model.put("id", MODEL_ID);
        model.put("object", "model");
        model.put("created", 1_700_000_000L);
        model.put("owned_by", "caravan-tests");
        return root.toString();
    }

    private static String unauthorizedBody() {
        return openAiError("Incorrect API key provided.", "invalid_request_error", "invalid_api_key");
    }

    private static String defaultErrorBody(int status) {
        return switch (status) {
            case 400 -> openAiError("Bad request (fake).", "invalid_request_error", null);
            case 401 -> unauthorizedBody();
            case 403 -> openAiError("Forbidden (fake).", "permission_error", null);
            case 404 -> openAiError("The model does not exist (fake).", "invalid_request_error", "model_not_found");
            case 429 -> openAiError("Rate limit reached (fake).", "requests", "rate_limit_exceeded");
            case 503 -> openAiError("The server is overloaded (fake).", "server_error", "overloaded");
            default -> status >= 500
                    ? openAiError("The server had an error while processing your request (fake HTTP " + status + ").",
                    "server_error", null)
                    : openAiError("Request failed (fake HTTP " + status + ").", "invalid_request_error", null);
        };
    }

    private static JsonNode parse(String raw) {
        try {
            JsonNode node = JSON.readTree(raw);
            return node == null ? TextNode.valueOf(raw) : node;
        } catch (JsonProcessingException e) {
            return TextNode.valueOf(raw);
        }
    }

    private static String contentText(JsonNode content) {
        if (content.isTextual()) {
            return content.asText();
        }
        List<String> parts = new ArrayList<>();
        for (JsonNode part : content) {
            if ("text".equals(part.path("type").asText()) && part.path("text").isTextual()) {
                parts.add(part.path("text").asText());
            }
        }
        return String.join(" ", parts);
    }

    private static int countWords(String text) {
        String trimmed = text.strip();
        return trimmed.isEmpty() ? 0 : trimmed.split("\\s+").length;
    }

    // ------------------------------------------------------------------ small utilities

    private FakeOpenAiServer enqueue(int n, Fault fault) {
        if (n < 0) {
            throw new IllegalArgumentException("n must be >= 0 but was " + n);
        }
        for (int i = 0; i < n; i++) {
            scriptedFaults.add(fault);
        }
        return this;
    }

    private static void requireStatus(int status) {
        if (status < 200 || status > 599) {
            throw new IllegalArgumentException("status must be in 200..599 but was " + status);
        }
    }

    private static Duration requireNotNegative(Duration duration, String name) {
        Objects.requireNonNull(duration, name);
        if (duration.isNegative()) {
            throw new IllegalArgumentException(name + " must not be negative but was " + duration);
        }
        return duration;
    }

    private static ThreadFactory daemonThreads(String prefix) {
        AtomicInteger counter = new AtomicInteger();
        return runnable -> {
            Thread thread = new Thread(runnable, prefix + "-" + counter.incrementAndGet());
            // Daemon threads: a test that forgets close() must not keep the JVM alive.
            thread.setDaemon(true);
            return thread;
        };
    }
}
