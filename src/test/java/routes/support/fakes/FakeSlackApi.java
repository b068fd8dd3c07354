package routes.support.fakes;

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
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A real HTTP fake of the Slack Web API's {@code chat.postMessage} and {@code chat.update}, on {@code 127.0.0.1}
 * and a free port.
 *
 * <p>Every call is recorded (path, Authorization header, JSON body, and whether it was answered as a success).
 * By default it answers {@code {"ok":true,"channel":…,"ts":…}} — when the bearer token is the expected one,
 * else {@code ok:false, error:invalid_auth} as Slack does. Answers can be scripted for the next calls that post
 * into a given channel ({@link #failNext}): a status with a Retry-After header and a body, e.g. 429 or
 * {@code 200 {"ok":false,"error":"channel_not_found"}}. Scripts are per channel so tests sharing the fake do not
 * take each other's faults. {@code chat.update} replaces the text of a message the fake posted into that channel,
 * else answers {@code ok:false, error:message_not_found}.
 */
public final class FakeSlackApi implements AutoCloseable {

    private static final ObjectMapper JSON = new ObjectMapper();

    /**
     * One call as the fake saw it; {@code delivered} is true when it was answered with {@code ok:true}, {@code ts}
     * is the message it posted or updated then.
     */
    public record Call(String path, String authorization, JsonNode body, boolean delivered, Instant at, String ts) {
        public String channel() { return body.path("channel").asText(null); }
        public String text() { return body.path("text").asText(null); }
        public String threadTs() { return body.path("thread_ts").asText(null); }
        public boolean isUpdate() { return path.endsWith("/chat.update"); }
    }


    private record Scripted(String channel, int status, String retryAfter, String body) {
    }

    private final String token;
    private final HttpServer server;
    private final ExecutorService executor = Executors.newFixedThreadPool(4);
    private final List<Call> calls = new CopyOnWriteArrayList<>();
    private final ConcurrentLinkedQueue<Scripted> scripted = new ConcurrentLinkedQueue<>();
    private final AtomicLong ts = new AtomicLong(1_700_000_000_000_000L);
    // texts of the posted messages, by channel + ":" + ts
    private final Map<String, String> texts = new ConcurrentHashMap<>();

    /** A fake that accepts {@code Bearer <token>}. */
    public FakeSlackApi(String token) {
        this.token = token;
        try {
            server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 64);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        server.createContext("/api/", this::handle);
        server.setExecutor(executor);
        server.start();
    }

    /** The base URL to configure as {@code caravan.channels.slack.api-url}. */
    public String apiUrl() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/api";
    }

    /** Answers the next call into {@code channel} with {@code status}, an optional Retry-After and {@code body}. */
    public FakeSlackApi failNext(String channel, int status, String retryAfter, String body) {
        scripted.add(new Scripted(channel, status, retryAfter, body));
        return this;
    }

    /** Every call so far, in arrival order. */
    public List<Call> calls() {
        return List.copyOf(calls);
    }

    /** The calls into {@code channel}. */
    public List<Call> callsTo(String channel) {
        return calls.stream().filter(c -> channel.equals(c.channel())).toList();
    }

    /** The messages actually posted (chat.postMessage answered ok:true) into {@code channel}. */
    public List<Call> deliveredTo(String channel) {
        return calls.stream().filter(c -> c.delivered() && !c.isUpdate() && channel.equals(c.channel())).toList();
    }

    /** The chat.update calls answered ok:true in {@code channel}. */
    public List<Call> updatesIn(String channel) {
        return calls.stream().filter(c -> c.delivered() && c.isUpdate() && channel.equals(c.channel())).toList();
    }

    /** The current text of the message {@code ts} in {@code channel}, null when the fake did not post it. */
    public String textOf(String channel, String ts) {
        return texts.get(channel + ":" + ts);
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            byte[] raw = exchange.getRequestBody().readAllBytes();
            String path = exchange.getRequestURI().getPath();
            String authorization = exchange.getRequestHeaders().getFirst("Authorization");
            boolean update = path.equals("/api/chat.update");
            if (!"POST".equals(exchange.getRequestMethod()) || !(update || path.equals("/api/chat.postMessage"))) {
                respond(exchange, 404, null, "{\"ok\":false,\"error\":\"unknown_method\"}");
                return;
            }
            JsonNode body;
            try {
                body = JSON.readTree(raw);
            } catch (IOException e) {
                respond(exchange, 200, null, "{\"ok\":false,\"error\":\"invalid_json\"}");
                return;
            }
            String channel = body.path("channel").asText("");
            Scripted script = takeScript(channel);
            if (script != null) {
                calls.add(new Call(path, authorization, body, false, Instant.now(), null));
                respond(exchange, script.status(), script.retryAfter(), script.body());
                return;
            }
            if (!("Bearer " + token).equals(authorization)) {
                calls.add(new Call(path, authorization, body, false, Instant.now(), null));
                respond(exchange, 200, null, "{\"ok\":false,\"error\":\"invalid_auth\"}");
                return;
            }
            String messageTs;
            if (update) {
                messageTs = body.path("ts").asText("");
                if (texts.replace(channel + ":" + messageTs, body.path("text").asText("")) == null) {
                    calls.add(new Call(path, authorization, body, false, Instant.now(), null));
                    respond(exchange, 200, null, "{\"ok\":false,\"error\":\"message_not_found\"}");
                    return;
                }
            } else {
                messageTs = String.format("%d.%06d", ts.get() / 1_000_000, ts.incrementAndGet() % 1_000_000);
                texts.put(channel + ":" + messageTs, body.path("text").asText(""));
            }
            calls.add(new Call(path, authorization, body, true, Instant.now(), messageTs));
            respond(exchange, 200, null, JSON.writeValueAsString(Map.of("ok", true, "channel", channel,
                    "ts", messageTs)));
        }
    }

    private Scripted takeScript(String channel) {
        for (Scripted s : new ArrayList<>(scripted)) {
            if (s.channel().equals(channel) && scripted.remove(s)) {
                return s;
            }
        }
        return null;
    }

    private static void respond(HttpExchange exchange, int status, String retryAfter, String body)
            throws IOException {
        byte[] bytes = body == null ? new byte[0] : body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "application/json; charset=utf-8");
        if (retryAfter != null) {
            exchange.getResponseHeaders().set("Retry-After", retryAfter);
        }
        exchange.sendResponseHeaders(status, bytes.length == 0 ? -1 : bytes.length);
        if (bytes.length > 0) {
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(bytes);
            }
        }
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }
}
