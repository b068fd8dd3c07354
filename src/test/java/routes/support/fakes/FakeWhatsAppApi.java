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
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A real HTTP fake of the WhatsApp Cloud API's {@code POST /{version}/{phone-number-id}/messages}, on
 * {@code 127.0.0.1} and a free port.
 *
 * <p>Every call is recorded (phone number id, Authorization header, JSON body, whether it was answered as sent).
 * By default it answers as Meta does ({@code {"messaging_product":"whatsapp","contacts":[…],"messages":[{"id":
 * "wamid…"}]}}) when the bearer token is the expected one, else 401 with a Graph API error (code 190). Answers can
 * be scripted for the next calls to a given recipient ({@link #failNext}), e.g. 429 with Retry-After, or 400 with
 * a Graph error body; scripts are per recipient so tests sharing the fake do not take each other's faults.
 */
public final class FakeWhatsAppApi implements AutoCloseable {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern MESSAGES_PATH = Pattern.compile("/v21\\.0/([^/]+)/messages");

    /** One call as the fake saw it; {@code delivered} is true when it was answered as sent. */
    public record Call(String phoneNumberId, String authorization, JsonNode body, boolean delivered) {
        public String to() { return body.path("to").asText(null); }
        public String type() { return body.path("type").asText(null); }
        public String text() { return body.path("text").path("body").asText(null); }
        public String templateName() { return body.path("template").path("name").asText(null); }
        public String templateLanguage() { return body.path("template").path("language").path("code").asText(null); }
    }

    private record Scripted(String to, int status, String retryAfter, String body) {
    }

    private final String token;
    private final HttpServer server;
    private final ExecutorService executor = Executors.newFixedThreadPool(4);
    private final List<Call> calls = new CopyOnWriteArrayList<>();
    private final ConcurrentLinkedQueue<Scripted> scripted = new ConcurrentLinkedQueue<>();
    private final AtomicLong ids = new AtomicLong();

    /** A fake that accepts {@code Bearer <token>}. */
    public FakeWhatsAppApi(String token) {
        this.token = token;
        try {
            server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 64);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        server.createContext("/", this::handle);
        server.setExecutor(executor);
        server.start();
    }

    /** The base URL to configure as {@code caravan.channels.whatsapp.api-url}. */
    public String apiUrl() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/v21.0";
    }

    /** Answers the next call to {@code to} with {@code status}, an optional Retry-After and {@code body}. */
    public FakeWhatsAppApi failNext(String to, int status, String retryAfter, String body) {
        scripted.add(new Scripted(to, status, retryAfter, body));
        return this;
    }

    /** The calls sending to {@code to}, in arrival order. */
    public List<Call> callsTo(String to) {
        return calls.stream().filter(c -> to.equals(c.to())).toList();
    }

    /** The messages actually sent to {@code to}. */
    public List<Call> deliveredTo(String to) {
        return calls.stream().filter(c -> c.delivered() && to.equals(c.to())).toList();
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            byte[] raw = exchange.getRequestBody().readAllBytes();
            Matcher path = MESSAGES_PATH.matcher(exchange.getRequestURI().getPath());
            if (!"POST".equals(exchange.getRequestMethod()) || !path.matches()) {
                respond(exchange, 404, null, graphError(100, "Unknown path components"));
                return;
            }
            String authorization = exchange.getRequestHeaders().getFirst("Authorization");
            JsonNode body;
            try {
                body = JSON.readTree(raw);
            } catch (IOException e) {
                respond(exchange, 400, null, graphError(100, "Invalid parameter"));
                return;
            }
            String to = body.path("to").asText("");
            Scripted script = takeScript(to);
            if (script != null) {
                calls.add(new Call(path.group(1), authorization, body, false));
                respond(exchange, script.status(), script.retryAfter(), script.body());
                return;
            }
            if (!("Bearer " + token).equals(authorization)
                    || !"whatsapp".equals(body.path("messaging_product").asText())) {
                calls.add(new Call(path.group(1), authorization, body, false));
                respond(exchange, 401, null, graphError(190, "Invalid OAuth access token"));
                return;
            }
            calls.add(new Call(path.group(1), authorization, body, true));
            String id = "wamid.OUT" + ids.incrementAndGet();
            respond(exchange, 200, null, "{\"messaging_product\":\"whatsapp\",\"contacts\":[{\"input\":\"" + to
                    + "\",\"wa_id\":\"" + to + "\"}],\"messages\":[{\"id\":\"" + id + "\"}]}");
        }
    }

    /** A Graph API error body. */
    public static String graphError(int code, String message) {
        return "{\"error\":{\"message\":\"" + message + "\",\"type\":\"OAuthException\",\"code\":" + code
                + ",\"fbtrace_id\":\"AbCdEf\"}}";
    }

    private Scripted takeScript(String to) {
        for (Scripted s : new ArrayList<>(scripted)) {
            if (s.to().equals(to) && scripted.remove(s)) {
                return s;
            }
        }
        return null;
    }

    private static void respond(HttpExchange exchange, int status, String retryAfter, String body)
            throws IOException {
        byte[] bytes = body == null ? new byte[0] : body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "application/json");
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
