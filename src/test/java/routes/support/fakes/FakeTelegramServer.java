package routes.support.fakes;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A real HTTP fake of the Telegram Bot API for tests, on {@code 127.0.0.1} and a free port.
 *
 * <p>Serves {@code /bot<token>/<method>} for one token; parameters come as a query string, a JSON body or a form,
 * like the real API accepts. Methods:
 * <ul>
 *   <li>{@code getMe}: the bot ({@link #BOT_ID}, {@link #BOT_USERNAME}).</li>
 *   <li>{@code getUpdates}: long polling like Telegram's. {@code offset} confirms (drops) every update below it;
 *       pending updates are answered at once, else the call waits up to {@code timeout} seconds for one. A
 *       getUpdates that arrives while another is still waiting is an overlap: the fake counts it
 *       ({@link #conflicts()}, {@link #maxConcurrentPolls()}) and, like Telegram, ends the older call with 409
 *       "Conflict: terminated by other getUpdates request".</li>
 *   <li>{@code sendMessage}: recorded; answers a Message. Faults can be scripted per chat
 *       ({@link #failNextSend}), e.g. 429 with {@code parameters.retry_after}.</li>
 *   <li>{@code editMessageText}: recorded; replaces the text of a message the bot sent, answering the Message.
 *       Like Telegram, 400 "message is not modified" for the same text and "message to edit not found" for a
 *       message the bot did not send into that chat.</li>
 *   <li>{@code setWebhook}, {@code deleteWebhook}: recorded, answered ok.</li>
 * </ul>
 * Waiting long polls hold no thread: their exchanges are parked and answered from a timer or when an update comes.
 */
public final class FakeTelegramServer implements AutoCloseable {

    /** The bot's user id, the part of {@link #TOKEN} before the colon. */
    public static final long BOT_ID = 7000001;
    /** The bot's username. */
    public static final String BOT_USERNAME = "caravan_test_bot";
    /** Status recorded for a call the fake never answered ({@link #hangNextSend}). */
    public static final int HANG = -1;
    /** The one token the fake accepts. */
    public static final String TOKEN = BOT_ID + ":AAF-fake_Telegram-token-0123456789xyz";

    private static final ObjectMapper JSON = new ObjectMapper();
    private static volatile FakeTelegramServer shared;

    /** One call as the fake received it; {@code messageId} is the id of the message it sent, else null. */
    public record Call(String method, JsonNode params, Instant at, int status, Long messageId) {
    }

    private record Fault(int status, String description, Integer retryAfter) {
    }

    private record Poll(HttpExchange exchange, int limit, ScheduledFuture<?> timeout) {
    }

    private final HttpServer server;
    private final ExecutorService handlers = Executors.newFixedThreadPool(4, daemon("fake-telegram-http"));
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(daemon("fake-telegram-timer"));

    private final Object updatesLock = new Object();
    private final Deque<ObjectNode> pending = new ArrayDeque<>();
    private final Deque<ObjectNode> replays = new ArrayDeque<>();
    private final Set<Poll> waiting = new LinkedHashSet<>();
    private int maxConcurrentPolls;
    private int conflicts;

    private final Queue<Call> calls = new ConcurrentLinkedQueue<>();
    private final Map<String, Queue<Fault>> faults = new ConcurrentHashMap<>();
    private final AtomicLong messageIds = new AtomicLong(1000);
    // texts of the messages the bot sent, by chat_id + ":" + message_id
    private final Map<String, String> texts = new ConcurrentHashMap<>();
    private final AtomicLong updateIds = new AtomicLong(50_000);
    private final AtomicInteger pollCount = new AtomicInteger();

    private FakeTelegramServer() {
        try {
            server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 256);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        server.setExecutor(handlers);
        server.createContext("/", this::handle);
        server.start();
    }

    /** The fake every Telegram test of this JVM shares (every Caravan context of the run delivers to it). */
    public static synchronized FakeTelegramServer shared() {
        if (shared == null) {
            shared = new FakeTelegramServer();
        }
        return shared;
    }

    /** A fake of its own, for tests that need one. */
    public static FakeTelegramServer start() {
        return new FakeTelegramServer();
    }

    /** The base URL, Caravan's {@code api-url} and camel-telegram's {@code baseUri}. */
    public String baseUrl() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    @Override
    public void close() {
        server.stop(0);
        timer.shutdownNow();
        handlers.shutdownNow();
    }

    // ------------------------------------------------------------------ scripting

    /** A fresh update id, unique in this JVM. */
    public long nextUpdateId() {
        return updateIds.incrementAndGet();
    }

    /** Makes the update available to getUpdates (and answers a waiting long poll). */
    public void enqueue(ObjectNode update) {
        synchronized (updatesLock) {
            pending.addLast(update);
            answerWaiting();
        }
    }

    /**
     * Hands {@code update} out once more on the next getUpdates, whatever its offset says: what happens when a
     * poller did not get to confirm a batch (camel-telegram re-fetching it, or leadership moving).
     */
    public void replay(ObjectNode update) {
        synchronized (updatesLock) {
            replays.addLast(update);
            answerWaiting();
        }
    }

    /** The next sendMessage calls to {@code chatId} fail with {@code status}; 429s carry retry_after. */
    public void failNextSend(String chatId, int times, int status, String description, Integer retryAfter) {
        Queue<Fault> queue = faults.computeIfAbsent(chatId, k -> new ConcurrentLinkedQueue<>());
        for (int i = 0; i < times; i++) {
            queue.add(new Fault(status, description, retryAfter));
        }
    }

    // ------------------------------------------------------------------ what happened

    /** Every call so far, in arrival order. */
    public List<Call> calls() {
        return List.copyOf(calls);
    }

    /** The calls of one method. */
    public List<Call> calls(String method) {
        return calls.stream().filter(c -> c.method().equals(method)).toList();
    }

    /** The next sendMessage calls to {@code chatId} get no answer at all (recorded with status {@value #HANG}). */
    public void hangNextSend(String chatId, int times) {
        failNextSend(chatId, times, HANG, null, null);
    }

    /** sendMessage calls to {@code chatId} that succeeded, in order. */
    public List<JsonNode> sent(String chatId) {
        return calls.stream()
                .filter(c -> c.method().equals("sendMessage") && c.status() == 200
                        && chatId.equals(c.params().path("chat_id").asText()))
                .map(Call::params).toList();
    }

    /** editMessageText calls into {@code chatId} that succeeded, in order. */
    public List<Call> edits(String chatId) {
        return calls.stream()
                .filter(c -> c.method().equals("editMessageText") && c.status() == 200
                        && chatId.equals(c.params().path("chat_id").asText()))
                .toList();
    }

    /** The texts the person sees in {@code chatId}: each message the bot sent, as last edited, in order. */
    public List<String> shown(String chatId) {
        return calls.stream()
                .filter(c -> c.method().equals("sendMessage") && c.status() == 200
                        && chatId.equals(c.params().path("chat_id").asText()))
                .map(c -> texts.get(chatId + ":" + c.messageId()))
                .toList();
    }

    /** sendMessage calls to {@code chatId}, failed ones included. */
    public List<Call> sendAttempts(String chatId) {
        return calls.stream()
                .filter(c -> c.method().equals("sendMessage") && chatId.equals(c.params().path("chat_id").asText()))
                .toList();
    }

    /** How many getUpdates calls arrived while another was still waiting. */
    public int conflicts() {
        synchronized (updatesLock) {
            return conflicts;
        }
    }

    /** The most getUpdates calls in progress at one time. */
    public int maxConcurrentPolls() {
        synchronized (updatesLock) {
            return maxConcurrentPolls;
        }
    }

    /** How many getUpdates calls arrived. */
    public int pollCount() {
        return pollCount.get();
    }

    // ------------------------------------------------------------------ update builders

    /** A private-chat text message update. */
    public ObjectNode privateText(long chatId, String text) {
        return textUpdate(nextUpdateId(), chatId, "private", chatId, "Ada", text, null);
    }

    /** A group text message update from user {@code fromId}, optionally replying to a message from {@code replyToFrom}. */
    public ObjectNode groupText(long chatId, long fromId, String text, Long replyToFrom) {
        return textUpdate(nextUpdateId(), chatId, "supergroup", fromId, "Grace", text, replyToFrom);
    }

    /** A text message update. */
    public ObjectNode textUpdate(long updateId, long chatId, String chatType, long fromId, String firstName,
            String text, Long replyToFrom) {
        ObjectNode update = JSON.createObjectNode().put("update_id", updateId);
        ObjectNode message = update.putObject("message")
                .put("message_id", messageIds.incrementAndGet())
                .put("date", Instant.now().getEpochSecond())
                .put("text", text);
        message.putObject("from").put("id", fromId).put("is_bot", false).put("first_name", firstName);
        ObjectNode chat = message.putObject("chat").put("id", chatId).put("type", chatType);
        if (chatType.equals("private")) {
            chat.put("first_name", firstName);
        } else {
            chat.put("title", "Test group");
        }
        if (replyToFrom != null) {
            ObjectNode replied = message.putObject("reply_to_message")
                    .put("message_id", messageIds.incrementAndGet())
                    .put("date", Instant.now().getEpochSecond())
                    .put("text", "earlier");
            replied.putObject("from").put("id", replyToFrom).put("is_bot", replyToFrom == BOT_ID)
                    .put("first_name", replyToFrom == BOT_ID ? "Caravan" : "Someone");
            replied.set("chat", chat.deepCopy());
        }
        return update;
    }

    // ------------------------------------------------------------------ HTTP

    private void handle(HttpExchange exchange) throws IOException {
        try {
            String path = exchange.getRequestURI().getPath();
            if (!path.startsWith("/bot") || path.indexOf('/', 4) < 0) {
                answer(exchange, 404, error(404, "Not Found", null));
                return;
            }
            String token = path.substring(4, path.indexOf('/', 4));
            String method = path.substring(path.indexOf('/', 4) + 1);
            if (!TOKEN.equals(token)) {
                record(method, JSON.createObjectNode(), 401);
                answer(exchange, 401, error(401, "Unauthorized", null));
                return;
            }
            ObjectNode params = params(exchange);
            switch (method) {
                case "getMe" -> {
                    record(method, params, 200);
                    ObjectNode me = JSON.createObjectNode().put("id", BOT_ID).put("is_bot", true)
                            .put("first_name", "Caravan").put("username", BOT_USERNAME);
                    answer(exchange, 200, ok(me));
                }
                case "getUpdates" -> getUpdates(exchange, params);
                case "sendMessage" -> sendMessage(exchange, params);
                case "editMessageText" -> editMessageText(exchange, params);
                case "setWebhook", "deleteWebhook" -> {
                    record(method, params, 200);
                    answer(exchange, 200, ok(JSON.getNodeFactory().booleanNode(true)));
                }
                default -> {
                    record(method, params, 404);
                    answer(exchange, 404, error(404, "Not Found: method not found", null));
                }
            }
        } catch (RuntimeException e) {
            answer(exchange, 500, error(500, "Internal Server Error: " + e, null));
        }
    }

    private void getUpdates(HttpExchange exchange, ObjectNode params) {
        pollCount.incrementAndGet();
        record("getUpdates", params, 200);
        long offset = params.path("offset").asLong(Long.MIN_VALUE);
        int limit = Math.max(1, Math.min(100, params.path("limit").asInt(100)));
        long timeoutSeconds = Math.max(0, params.path("timeout").asLong(0));
        synchronized (updatesLock) {
            maxConcurrentPolls = Math.max(maxConcurrentPolls, waiting.size() + 1);
            if (!waiting.isEmpty()) {
                // Telegram keeps the newest long poll and ends the others with 409
                conflicts++;
                for (Poll older : List.copyOf(waiting)) {
                    finish(older, 409, error(409,
                            "Conflict: terminated by other getUpdates request; make sure that only one bot "
                                    + "instance is running", null));
                }
            }
            if (offset != Long.MIN_VALUE) {
                pending.removeIf(u -> u.path("update_id").asLong() < offset);
            }
            if (!pending.isEmpty() || !replays.isEmpty() || timeoutSeconds == 0) {
                answer(exchange, 200, ok(take(limit)));
                return;
            }
            Poll[] holder = new Poll[1];
            ScheduledFuture<?> timeout = timer.schedule(() -> {
                synchronized (updatesLock) {
                    if (waiting.contains(holder[0])) {
                        finish(holder[0], 200, ok(take(holder[0].limit())));
                    }
                }
            }, timeoutSeconds, TimeUnit.SECONDS);
            holder[0] = new Poll(exchange, limit, timeout);
            waiting.add(holder[0]);
        }
    }

    /** Answers the waiting long polls when updates came (callers hold updatesLock). */
    private void answerWaiting() {
        if (pending.isEmpty() && replays.isEmpty()) {
            return;
        }
        for (Poll poll : List.copyOf(waiting)) {
            finish(poll, 200, ok(take(poll.limit())));
        }
    }

    private void finish(Poll poll, int status, ObjectNode body) {
        waiting.remove(poll);
        poll.timeout().cancel(false);
        answer(poll.exchange(), status, body);
    }

    private ArrayNode take(int limit) {
        ArrayNode result = JSON.createArrayNode();
        while (!replays.isEmpty() && result.size() < limit) {
            result.add(replays.removeFirst());
        }
        for (ObjectNode update : pending) {
            if (result.size() >= limit) {
                break;
            }
            result.add(update);
        }
        return result;
    }

    private void sendMessage(HttpExchange exchange, ObjectNode params) {
        String chatId = params.path("chat_id").asText("");
        String text = params.path("text").asText("");
        Queue<Fault> queue = faults.get(chatId);
        Fault fault = queue == null ? null : queue.poll();
        if (fault != null && fault.status() == HANG) {
            // no answer: the caller's timeout decides; the connection is dropped when the fake closes
            record("sendMessage", params, HANG);
            return;
        }
        if (fault != null) {
            record("sendMessage", params, fault.status());
            answer(exchange, fault.status(), error(fault.status(), fault.description(), fault.retryAfter()));
            return;
        }
        if (chatId.isEmpty() || text.isEmpty() || text.length() > 4096) {
            record("sendMessage", params, 400);
            answer(exchange, 400, error(400, text.length() > 4096 ? "Bad Request: message is too long"
                    : "Bad Request: chat_id and text are required", null));
            return;
        }
        long messageId = messageIds.incrementAndGet();
        texts.put(chatId + ":" + messageId, text);
        calls.add(new Call("sendMessage", params, Instant.now(), 200, messageId));
        ObjectNode message = JSON.createObjectNode()
                .put("message_id", messageId)
                .put("date", Instant.now().getEpochSecond())
                .put("text", text);
        message.putObject("chat").put("id", chatId);
        message.putObject("from").put("id", BOT_ID).put("is_bot", true).put("username", BOT_USERNAME);
        answer(exchange, 200, ok(message));
    }

    private void editMessageText(HttpExchange exchange, ObjectNode params) {
        String chatId = params.path("chat_id").asText("");
        String text = params.path("text").asText("");
        String key = chatId + ":" + params.path("message_id").asText("");
        String current = texts.get(key);
        int status;
        String description = null;
        if (text.isEmpty() || text.length() > 4096) {
            status = 400;
            description = text.isEmpty() ? "Bad Request: message text is empty" : "Bad Request: MESSAGE_TOO_LONG";
        } else if (current == null) {
            status = 400;
            description = "Bad Request: message to edit not found";
        } else if (current.equals(text)) {
            status = 400;
            description = "Bad Request: message is not modified: specified new message content and reply markup "
                    + "are exactly the same as a current content and reply markup of the message";
        } else {
            status = 200;
        }
        record("editMessageText", params, status);
        if (status != 200) {
            answer(exchange, status, error(status, description, null));
            return;
        }
        texts.put(key, text);
        ObjectNode message = JSON.createObjectNode()
                .put("message_id", params.path("message_id").asLong())
                .put("date", Instant.now().getEpochSecond())
                .put("edit_date", Instant.now().getEpochSecond())
                .put("text", text);
        message.putObject("chat").put("id", chatId);
        message.putObject("from").put("id", BOT_ID).put("is_bot", true).put("username", BOT_USERNAME);
        answer(exchange, 200, ok(message));
    }

    private void record(String method, JsonNode params, int status) {
        calls.add(new Call(method, params, Instant.now(), status, null));
    }

    private static ObjectNode params(HttpExchange exchange) {
        ObjectNode params = JSON.createObjectNode();
        String query = exchange.getRequestURI().getRawQuery();
        if (query != null) {
            form(query, params);
        }
        byte[] body;
        try (InputStream in = exchange.getRequestBody()) {
            body = in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        if (body.length > 0) {
            String type = String.valueOf(exchange.getRequestHeaders().getFirst("Content-Type"));
            if (type.contains("json")) {
                try {
                    JsonNode json = JSON.readTree(body);
                    if (json.isObject()) {
                        params.setAll((ObjectNode) json);
                    }
                } catch (IOException e) {
                    throw new IllegalArgumentException("body is not JSON");
                }
            } else {
                form(new String(body, StandardCharsets.UTF_8), params);
            }
        }
        return params;
    }

    private static void form(String encoded, ObjectNode into) {
        for (String pair : encoded.split("&")) {
            if (pair.isEmpty()) {
                continue;
            }
            int eq = pair.indexOf('=');
            String key = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
            String value = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
            into.put(key, value);
        }
    }

    private static ObjectNode ok(JsonNode result) {
        ObjectNode body = JSON.createObjectNode().put("ok", true);
        body.set("result", result);
        return body;
    }

    private static ObjectNode error(int code, String description, Integer retryAfter) {
        ObjectNode body = JSON.createObjectNode().put("ok", false).put("error_code", code)
                .put("description", description);
        if (retryAfter != null) {
            body.putObject("parameters").put("retry_after", retryAfter);
        }
        return body;
    }

    private static void answer(HttpExchange exchange, int status, JsonNode body) {
        try (exchange) {
            byte[] bytes = JSON.writeValueAsBytes(body);
            exchange.getResponseHeaders().set("Content-Type", "application/json");
            exchange.sendResponseHeaders(status, bytes.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(bytes);
            }
        } catch (IOException e) {
            // the client went away (an abandoned long poll): nothing to answer
        }
    }

    private static java.util.concurrent.ThreadFactory daemon(String name) {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, name + "-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }

    /** How long a test waits for the gateway. */
    public static final Duration WAIT = Duration.ofSeconds(30);
}
