package routes.support;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Function;

/**
 * What the fake model servers of one protocol or another share: a real HTTP/1.1 server on {@code 127.0.0.1} and a
 * free port, the requests it received, and scripted failures.
 *
 * <p>Every request is recorded before anything else is decided, so a test sees what was sent even when it was
 * refused. Faults queued with {@link #failNext} and {@link #failNext429} are taken one per chat request, in order,
 * after the protocol's own checks (credentials, version); {@link #failAlways(int)} applies when the queue is empty.
 *
 * @param <S> the concrete fake, so that setters chain
 */
public abstract class FakeModelServer<S extends FakeModelServer<S>> implements AutoCloseable {

    protected static final ObjectMapper JSON = new ObjectMapper();

    /**
     * One request as the fake received it.
     *
     * @param path    the request path
     * @param headers the request headers, names in any case, first value only
     * @param body    the parsed JSON body (a missing node when it was not JSON)
     */
    public record Recorded(String path, Map<String, String> headers, JsonNode body) {

        /** The first value of a header, or {@code null}. */
        public String header(String name) {
            return headers.get(name);
        }
    }

    /** An error answer to give instead of a reply. */
    private record Fault(int status, Map<String, String> headers) {
    }

    private final HttpServer server;
    private final ExecutorService handlers = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, getClass().getSimpleName() + "-handler");
        t.setDaemon(true);
        return t;
    });
    private final List<Recorded> recorded = new CopyOnWriteArrayList<>();
    private final ConcurrentLinkedQueue<Fault> faults = new ConcurrentLinkedQueue<>();
    private volatile Fault always;
    private volatile Function<JsonNode, String> reply = FakeModelServer::echo;

    protected FakeModelServer() {
        try {
            server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        server.setExecutor(handlers);
        server.createContext("/", this::handle);
    }

    /** Starts listening; returns this fake. */
    public S start() {
        server.start();
        return self();
    }

    @Override
    public void close() {
        server.stop(0);
        handlers.shutdownNow();
    }

    public int port() {
        return server.getAddress().getPort();
    }

    /** Where the client under test is pointed. */
    public abstract String baseUrl();

    /** Replies with {@code reply} applied to the request body instead of {@code "echo: <last user text>"}. */
    public S replyWith(Function<JsonNode, String> reply) {
        this.reply = reply;
        return self();
    }

    /** The next {@code n} chat requests fail with {@code status} and the protocol's error body. */
    public S failNext(int n, int status) {
        for (int i = 0; i < n; i++) {
            faults.add(new Fault(status, Map.of()));
        }
        return self();
    }

    /** The next {@code n} chat requests are refused with 429 and a {@code Retry-After} of {@code retryAfter}. */
    public S failNext429(int n, Duration retryAfter) {
        for (int i = 0; i < n; i++) {
            faults.add(new Fault(429, Map.of("Retry-After", Long.toString(retryAfter.toSeconds()))));
        }
        return self();
    }

    /** Every chat request fails with {@code status} until {@link #reset()}. */
    public S failAlways(int status) {
        always = new Fault(status, Map.of());
        return self();
    }

    /** Back to answering normally: faults and reply function dropped, recorded requests forgotten. */
    public S reset() {
        faults.clear();
        always = null;
        reply = FakeModelServer::echo;
        recorded.clear();
        return self();
    }

    /** The requests received since the last reset, oldest first. */
    public List<Recorded> requests() {
        return List.copyOf(recorded);
    }

    /** How many chat requests asked about {@code text} as their newest user message. */
    public long requestsFor(String text) {
        return recorded.stream().filter(r -> text.equals(lastUserText(r.body()))).count();
    }

    /** The text of the last {@code user} message of a request body; {@code null} when there is none. */
    public static String lastUserText(JsonNode body) {
        JsonNode messages = body.path("messages");
        for (int i = messages.size() - 1; i >= 0; i--) {
            if ("user".equals(messages.get(i).path("role").asText())) {
                return text(messages.get(i).path("content"));
            }
        }
        return null;
    }

    /** The text of a content that is a plain string or an array of blocks (text blocks joined). */
    public static String text(JsonNode content) {
        if (content.isTextual()) {
            return content.asText();
        }
        StringBuilder text = new StringBuilder();
        content.forEach(block -> text.append(block.path("text").asText()));
        return text.toString();
    }

    /** Counts words, which is what these fakes report as tokens. */
    public static int words(String text) {
        return text == null || text.isBlank() ? 0 : text.trim().split("\\s+").length;
    }

    private static String echo(JsonNode body) {
        String last = lastUserText(body);
        return "echo: " + (last == null ? "" : last);
    }

    /** Whether {@code path} is this protocol's chat endpoint. */
    protected abstract boolean isChatPath(String path);

    /** A protocol error answer (status and body) when the request is refused before any fault, else null. */
    protected abstract Refusal refuse(HttpExchange exchange);

    /** The protocol's error body for {@code status}. */
    protected abstract String errorBody(int status, String message);

    /** Answers a chat request with {@code reply}. */
    protected abstract void answer(HttpExchange exchange, JsonNode body, String reply) throws IOException;

    /** A refusal by the protocol's own checks. */
    protected record Refusal(int status, String body) {
    }

    private void handle(HttpExchange exchange) {
        try (exchange) {
            byte[] raw = exchange.getRequestBody().readAllBytes();
            JsonNode body = parse(raw);
            Map<String, String> headers = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
            exchange.getRequestHeaders().forEach((name, values) -> headers.put(name, values.get(0)));
            String path = exchange.getRequestURI().getPath();
            recorded.add(new Recorded(path, Collections.unmodifiableMap(headers), body));
            if (!"POST".equals(exchange.getRequestMethod()) || !isChatPath(path)) {
                sendJson(exchange, 404, Map.of(), errorBody(404, "not found: " + path));
                return;
            }
            Refusal refusal = refuse(exchange);
            if (refusal != null) {
                sendJson(exchange, refusal.status(), Map.of(), refusal.body());
                return;
            }
            Fault fault = faults.poll();
            if (fault == null) {
                fault = always;
            }
            if (fault != null) {
                sendJson(exchange, fault.status(), fault.headers(), errorBody(fault.status(), "injected failure"));
                return;
            }
            answer(exchange, body, reply.apply(body));
        } catch (IOException | RuntimeException e) {
            // the client went away, or a bug here: the connection closes and the client sees the failure
        }
    }

    private static JsonNode parse(byte[] raw) {
        try {
            return JSON.readTree(raw);
        } catch (IOException e) {
            return JSON.missingNode();
        }
    }

    protected static void sendJson(HttpExchange exchange, int status, Map<String, String> headers, String json)
            throws IOException {
        byte[] bytes = json.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        headers.forEach(exchange.getResponseHeaders()::set);
        exchange.sendResponseHeaders(status, bytes.length);
        exchange.getResponseBody().write(bytes);
    }

    /** Starts a streamed answer of unknown length. */
    protected static OutputStream startStream(HttpExchange exchange, String contentType) throws IOException {
        exchange.getResponseHeaders().set("Content-Type", contentType);
        exchange.sendResponseHeaders(200, 0);
        return exchange.getResponseBody();
    }

    /** Writes one piece of a stream and sends it at once. */
    protected static void write(OutputStream out, String text) throws IOException {
        out.write(text.getBytes(StandardCharsets.UTF_8));
        out.flush();
    }

    @SuppressWarnings("unchecked")
    private S self() {
        return (S) this;
    }
}
