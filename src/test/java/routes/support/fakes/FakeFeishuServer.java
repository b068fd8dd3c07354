package routes.support.fakes;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A real HTTP fake of the Feishu Open API parts Caravan calls, on 127.0.0.1 and a free port.
 *
 * <ul>
 *   <li>{@code POST /open-apis/auth/v3/tenant_access_token/internal}: checks app id and secret, issues
 *       {@code t-1}, {@code t-2} … valid for {@link #tokenLifetime(int)} seconds (default 7200) as Feishu says.</li>
 *   <li>{@code GET /open-apis/bot/v3/info}: the bot's identity, {@link #BOT_OPEN_ID}.</li>
 *   <li>{@code POST /open-apis/im/v1/messages?receive_id_type=chat_id}: records the message. A token not issued
 *       or revoked ({@link #revokeTokens()}) gets 400 with code 99991663. Like Feishu, a second send with the
 *       same uuid sends nothing new. Scripted failures ({@link #failNext}) come first.</li>
 * </ul>
 */
public final class FakeFeishuServer implements AutoCloseable {

    public static final String APP_ID = "cli_fake";
    public static final String APP_SECRET = "fake-app-secret";
    public static final String BOT_OPEN_ID = "ou_caravan_bot";

    private static final ObjectMapper JSON = new ObjectMapper();

    /** One message Feishu accepted. */
    public record Sent(String chatId, String text, String uuid, String token, String messageId) {
    }

    private record Failure(int status, String body, Map<String, String> headers) {
    }

    private final HttpServer server;
    private final ExecutorService pool = Executors.newFixedThreadPool(4, r -> {
        Thread t = new Thread(r, "fake-feishu");
        t.setDaemon(true);
        return t;
    });
    private final AtomicInteger tokenCount = new AtomicInteger();
    private final AtomicInteger messageCount = new AtomicInteger();
    private final Set<String> validTokens = ConcurrentHashMap.newKeySet();
    private final Map<String, Sent> byUuid = new ConcurrentHashMap<>();
    private final List<Sent> sent = new CopyOnWriteArrayList<>();
    private final AtomicInteger sendAttempts = new AtomicInteger();
    private final ConcurrentLinkedQueue<Failure> failures = new ConcurrentLinkedQueue<>();
    private volatile int tokenLifetime = 7200;

    public FakeFeishuServer() {
        try {
            server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 64);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        server.setExecutor(pool);
        server.createContext("/open-apis/auth/v3/tenant_access_token/internal", this::token);
        server.createContext("/open-apis/bot/v3/info", this::botInfo);
        server.createContext("/open-apis/im/v1/messages", this::message);
        server.start();
    }

    /** The api-url Caravan takes: {@code http://127.0.0.1:<port>/open-apis}. */
    public String apiUrl() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/open-apis";
    }

    /** Seconds the next issued tokens are said to be valid. */
    public FakeFeishuServer tokenLifetime(int seconds) {
        tokenLifetime = seconds;
        return this;
    }

    /** Every token issued so far becomes invalid (as after Feishu rotated it). */
    public void revokeTokens() {
        validTokens.clear();
    }

    /** The next {@code times} message sends answer {@code status} with Feishu's {@code code} and the headers. */
    public void failNext(int times, int status, int code, Map<String, String> headers) {
        for (int i = 0; i < times; i++) {
            failures.add(new Failure(status, "{\"code\":" + code + ",\"msg\":\"scripted failure\"}", headers));
        }
    }

    public int tokensIssued() {
        return tokenCount.get();
    }

    /** Message sends received, including failed and duplicate ones. */
    public int sendAttempts() {
        return sendAttempts.get();
    }

    /** Messages delivered, in order. */
    public List<Sent> sent() {
        return List.copyOf(sent);
    }

    public List<Sent> sentTo(String chatId) {
        return sent.stream().filter(s -> s.chatId().equals(chatId)).toList();
    }

    private void token(HttpExchange exchange) throws IOException {
        JsonNode body = JSON.readTree(exchange.getRequestBody().readAllBytes());
        if (!APP_ID.equals(body.path("app_id").asText()) || !APP_SECRET.equals(body.path("app_secret").asText())) {
            answer(exchange, 400, "{\"code\":10003,\"msg\":\"invalid param\"}", Map.of());
            return;
        }
        String token = "t-" + tokenCount.incrementAndGet();
        validTokens.add(token);
        answer(exchange, 200, JSON.createObjectNode().put("code", 0).put("msg", "ok")
                .put("tenant_access_token", token).put("expire", tokenLifetime).toString(), Map.of());
    }

    private void botInfo(HttpExchange exchange) throws IOException {
        if (bearer(exchange) == null) {
            answer(exchange, 400, invalidToken(), Map.of());
            return;
        }
        ObjectNode bot = JSON.createObjectNode().put("open_id", BOT_OPEN_ID).put("app_name", "Caravan");
        ObjectNode body = JSON.createObjectNode().put("code", 0).put("msg", "ok");
        body.set("bot", bot);
        answer(exchange, 200, body.toString(), Map.of());
    }

    private void message(HttpExchange exchange) throws IOException {
        byte[] raw = exchange.getRequestBody().readAllBytes();
        sendAttempts.incrementAndGet();
        String token = bearer(exchange);
        if (!"POST".equals(exchange.getRequestMethod())
                || !"receive_id_type=chat_id".equals(exchange.getRequestURI().getQuery())) {
            answer(exchange, 400, "{\"code\":99992402,\"msg\":\"field validation failed\"}", Map.of());
            return;
        }
        if (token == null) {
            answer(exchange, 400, invalidToken(), Map.of());
            return;
        }
        Failure failure = failures.poll();
        if (failure != null) {
            answer(exchange, failure.status(), failure.body(), failure.headers());
            return;
        }
        JsonNode body = JSON.readTree(raw);
        JsonNode content = JSON.readTree(body.path("content").asText());
        String uuid = body.path("uuid").asText(null);
        if (!"text".equals(body.path("msg_type").asText()) || !content.path("text").isTextual()) {
            answer(exchange, 400, "{\"code\":230001,\"msg\":\"invalid message content\"}", Map.of());
            return;
        }
        Sent message = uuid == null ? null : byUuid.get(uuid);
        if (message == null) {
            message = new Sent(body.path("receive_id").asText(), content.path("text").asText(), uuid, token,
                    "om_" + messageCount.incrementAndGet());
            if (uuid != null) {
                byUuid.put(uuid, message);
            }
            sent.add(message);
        }
        ObjectNode data = JSON.createObjectNode().put("message_id", message.messageId())
                .put("chat_id", message.chatId()).put("msg_type", "text");
        ObjectNode answer = JSON.createObjectNode().put("code", 0).put("msg", "success");
        answer.set("data", data);
        answer(exchange, 200, answer.toString(), Map.of());
    }

    private String bearer(HttpExchange exchange) {
        String authorization = exchange.getRequestHeaders().getFirst("Authorization");
        if (authorization == null || !authorization.startsWith("Bearer ")) {
            return null;
        }
        String token = authorization.substring("Bearer ".length());
        return validTokens.contains(token) ? token : null;
    }

    private static String invalidToken() {
        return "{\"code\":99991663,\"msg\":\"Invalid access token for authorization. Please make a request with "
                + "token attached.\"}";
    }

    private static void answer(HttpExchange exchange, int status, String body, Map<String, String> headers)
            throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "application/json; charset=utf-8");
        headers.forEach((k, v) -> exchange.getResponseHeaders().set(k, v));
        exchange.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }

    @Override
    public void close() {
        server.stop(0);
        pool.shutdownNow();
    }
}
