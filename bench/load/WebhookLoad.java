import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Load client for Caravan's Telegram and Slack webhooks: accepted updates per second, and the time from a webhook to
 * the platform receiving the reply.
 *
 * <p>Run: {@code java bench/load/WebhookLoad.java --url http://127.0.0.1:18801 --platform telegram --secret S
 * --platform-port 18900 --mode rate --rate 200 --duration-s 10 --out telegram.json}, with Caravan configured to call
 * the fake platform: {@code caravan.channels.telegram.api-url=http://127.0.0.1:18900} and
 * {@code caravan.channels.slack.api-url=http://127.0.0.1:18900/api}.
 *
 * <p>One process plays both sides, so both times are on one clock:
 * <ul>
 *   <li>A fake platform API on {@code 127.0.0.1:--platform-port}, serving both families at once. Telegram
 *       ({@code POST /bot<token>/<method>}, JSON or form parameters): {@code sendMessage} is a reply and answers a
 *       Message; {@code getMe} answers the bot; {@code editMessageText}, {@code sendChatAction},
 *       {@code setWebhook}, {@code deleteWebhook} and the rest answer {@code result:true}. Slack
 *       ({@code POST /api/<method>}): {@code chat.postMessage} is a reply and answers {@code ok, channel, ts};
 *       {@code chat.update} answers the same shape; the rest answer {@code ok:true}.</li>
 *   <li>A client sending signed webhooks to {@code --url}: Telegram updates to {@code /webhooks/telegram} with
 *       {@code X-Telegram-Bot-Api-Secret-Token}, or Slack message events to {@code /webhooks/slack/events} with
 *       {@code X-Slack-Signature} (v0, HMAC-SHA256 of the signing secret) and {@code X-Slack-Request-Timestamp}.
 *       Messages go round-robin to {@code --chats} private chats (direct messages on Slack). Update ids, message
 *       ids, event ids and message ts are unique across runs ({@code --id-base}, by default from the clock), since
 *       Caravan drops what it has already seen; chat ids are unique per run ({@code --chat-base}).</li>
 * </ul>
 *
 * <p>Two modes, as in ApiLoad. {@code max}: closed loop, {@code --concurrency} webhooks always outstanding (the
 * loop waits for the webhook's answer, not for the reply). {@code rate}: open loop at {@code --rate} per second on a
 * fixed schedule; ack and reply latency count from each webhook's intended start, so a stalled endpoint is charged
 * for the webhooks it held up (no coordinated omission), and at most {@code --max-outstanding} are in flight.
 *
 * <p>Matching: Caravan answers the messages of one chat once each and in order, so each chat keeps a queue of its
 * messages in the order they were sent, added before the webhook leaves (a fast reply never precedes its entry); a
 * webhook that fails leaves the queue; each reply takes the oldest entry of its chat ({@code chat_id} of
 * sendMessage, {@code channel} of chat.postMessage). A reply with no entry is unexpected.
 *
 * <p>Measured: the messages whose webhook started (intended start in rate mode) in the window, after
 * {@code --warmup-s}, for {@code --duration-s}. Their webhooks are accepted (200) or errors (another status
 * {@code http_<status>}, {@code timeout} after {@code --timeout-s}, {@code io}, {@code not_sent_overloaded}, and
 * {@code no_answer_at_end} for a webhook still unanswered when the run ends); their replies are awaited up to
 * {@code --drain-s} after sending stops (the wait ends as soon as all arrived), then those without a reply are
 * missing. {@code replies_per_s} counts the replies received inside the window, whichever message they answer.
 *
 * <p>Exit status 0 whatever the errors (the caller judges); 2 for bad arguments, 3 when the platform port cannot be
 * bound. Targets loopback addresses only; every loop is bounded by the run's deadlines.
 */
public final class WebhookLoad {

    private static final Pattern CHAT_ID = jsonField("chat_id");
    private static final Pattern CHANNEL = jsonField("channel");
    private static final Pattern TS = jsonField("ts");
    private static final Pattern NUMBER = Pattern.compile("-?\\d{1,19}");
    private static final int MAX_METHOD_NAMES = 64;

    // ---- configuration ----
    private URI url;
    private String platform = "telegram";
    private int platformPort = 18900;
    private String secret;
    private String mode = "max";
    private int concurrency = 64;
    private double rate = 100;
    private int maxOutstanding = 4000;
    private int chatCount = 1000;
    private int warmupS = 3;
    private int durationS = 10;
    private int drainS = 60;
    private int timeoutS = 10;
    private String text = "hello from the webhook bench";
    private long idBase = System.currentTimeMillis() * 1000;
    private long chatBase = 7_000_000_000L + (System.currentTimeMillis() / 1000 % 1_000_000) * 100_000;
    private String label = "";
    private Path out;

    // ---- state ----
    private boolean slack;
    private URI target;
    private Chat[] chats;
    private final Map<String, Chat> chatsById = new HashMap<>();
    private HttpServer server;
    private ExecutorService platformExecutor;
    private HttpClient client;
    private ExecutorService clientExecutor;
    private ThreadLocal<Mac> signer;
    private long t0;
    private long windowStart;
    private long windowEnd;
    private volatile boolean finished;
    private final AtomicLong sequence = new AtomicLong();
    private final AtomicInteger outstanding = new AtomicInteger();
    private final AtomicInteger maxSeenOutstanding = new AtomicInteger();
    // the counters below are for messages of the window; they change under the lock of the message's chat
    private final AtomicLong sent = new AtomicLong();
    private final AtomicLong accepted = new AtomicLong();
    private final AtomicLong replies = new AtomicLong();
    private final AtomicLong awaiting = new AtomicLong();
    private final Map<String, AtomicLong> errors = new ConcurrentHashMap<>();
    private final Samples ackLatencies = new Samples();
    private final Samples replyLatencies = new Samples();
    // replies received inside the window, whichever message they answer
    private final AtomicLong repliesInWindow = new AtomicLong();
    private final AtomicLong unexpectedReplies = new AtomicLong();
    private final Map<String, LongAdder> platformCalls = new ConcurrentHashMap<>();
    private final AtomicLong platformMessageIds = new AtomicLong(1000);
    private final AtomicLong platformTs = new AtomicLong(1_700_000_000_000_000L);

    private WebhookLoad(String[] args) {
        for (int i = 0; i < args.length; i++) {
            String v = i + 1 < args.length ? args[i + 1] : null;
            switch (args[i]) {
                case "--url" -> { url = URI.create(value(args[i], v)); i++; }
                case "--platform" -> { platform = value(args[i], v); i++; }
                case "--platform-port" -> { platformPort = Integer.parseInt(value(args[i], v)); i++; }
                case "--secret" -> { secret = value(args[i], v); i++; }
                case "--mode" -> { mode = value(args[i], v); i++; }
                case "--concurrency" -> { concurrency = Integer.parseInt(value(args[i], v)); i++; }
                case "--rate" -> { rate = Double.parseDouble(value(args[i], v)); i++; }
                case "--max-outstanding" -> { maxOutstanding = Integer.parseInt(value(args[i], v)); i++; }
                case "--chats" -> { chatCount = Integer.parseInt(value(args[i], v)); i++; }
                case "--warmup-s" -> { warmupS = Integer.parseInt(value(args[i], v)); i++; }
                case "--duration-s" -> { durationS = Integer.parseInt(value(args[i], v)); i++; }
                case "--drain-s" -> { drainS = Integer.parseInt(value(args[i], v)); i++; }
                case "--timeout-s" -> { timeoutS = Integer.parseInt(value(args[i], v)); i++; }
                case "--text" -> { text = value(args[i], v); i++; }
                case "--id-base" -> { idBase = Long.parseLong(value(args[i], v)); i++; }
                case "--chat-base" -> { chatBase = Long.parseLong(value(args[i], v)); i++; }
                case "--label" -> { label = value(args[i], v); i++; }
                case "--out" -> { out = Path.of(value(args[i], v)); i++; }
                case "-h", "--help" -> {
                    System.out.println("usage: java WebhookLoad.java --url http://127.0.0.1:PORT --secret S"
                            + " [--platform telegram|slack] [--platform-port P] [--mode max|rate] [--concurrency N]"
                            + " [--rate R] [--max-outstanding N] [--chats N] [--warmup-s S] [--duration-s S]"
                            + " [--drain-s S] [--timeout-s S] [--text T] [--id-base N] [--chat-base N] [--label L]"
                            + " [--out FILE]");
                    System.out.println("  --secret: Telegram's webhook secret token, or Slack's signing secret");
                    System.out.println("  --platform-port: the fake platform API (Telegram api-url"
                            + " http://127.0.0.1:P, Slack api-url http://127.0.0.1:P/api)");
                    System.exit(0);
                }
                default -> throw new IllegalArgumentException("unknown option " + args[i]);
            }
        }
        if (url == null) {
            throw new IllegalArgumentException("--url is required");
        }
        if (secret == null || secret.isEmpty()) {
            throw new IllegalArgumentException("--secret is required");
        }
        if (!"telegram".equals(platform) && !"slack".equals(platform)) {
            throw new IllegalArgumentException("--platform is telegram or slack");
        }
        if (!"max".equals(mode) && !"rate".equals(mode)) {
            throw new IllegalArgumentException("--mode is max or rate");
        }
        if (concurrency < 1 || rate <= 0 || maxOutstanding < 1 || chatCount < 1 || warmupS < 0 || durationS < 1
                || drainS < 0 || timeoutS < 1 || platformPort < 1 || platformPort > 65535 || idBase < 0
                || chatBase < 1 || chatBase > Long.MAX_VALUE - chatCount) {
            throw new IllegalArgumentException("an option is out of range");
        }
        String host = url.getHost();
        if (host == null || !(host.equals("127.0.0.1") || host.equalsIgnoreCase("localhost") || host.equals("::1")
                || host.equals("[::1]"))) {
            throw new IllegalArgumentException("only loopback targets (127.0.0.1, localhost, ::1): " + host);
        }
        slack = "slack".equals(platform);
        String base = url.toString().replaceAll("/+$", "");
        target = URI.create(base + (slack ? "/webhooks/slack/events" : "/webhooks/telegram"));
        chats = new Chat[chatCount];
        for (int i = 0; i < chatCount; i++) {
            long number = chatBase + i;
            chats[i] = new Chat(slack ? "D" + number : Long.toString(number), number);
            chatsById.put(chats[i].id, chats[i]);
        }
        byte[] key = secret.getBytes(StandardCharsets.UTF_8);
        signer = ThreadLocal.withInitial(() -> {
            try {
                Mac mac = Mac.getInstance("HmacSHA256");
                mac.init(new SecretKeySpec(key, "HmacSHA256"));
                return mac;
            } catch (java.security.GeneralSecurityException e) {
                throw new IllegalStateException(e);
            }
        });
    }

    private static String value(String option, String v) {
        if (v == null) {
            throw new IllegalArgumentException(option + " needs a value");
        }
        return v;
    }

    public static void main(String[] args) throws Exception {
        WebhookLoad load;
        try {
            load = new WebhookLoad(args);
        } catch (IllegalArgumentException e) {
            System.err.println("webhook-load: " + e.getMessage() + " (--help for the options)");
            System.exit(2);
            return;
        }
        try {
            load.startPlatform();
        } catch (IOException e) {
            System.err.println("webhook-load: cannot bind the fake platform on 127.0.0.1:" + load.platformPort
                    + ": " + e);
            System.exit(3);
            return;
        }
        try {
            load.run();
        } finally {
            load.stop();
        }
    }

    // ------------------------------------------------------------------ the run

    private void run() throws Exception {
        clientExecutor = Executors.newFixedThreadPool(2, daemon("webhook-load"));
        client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).executor(clientExecutor)
                .connectTimeout(Duration.ofSeconds(5)).build();
        t0 = System.nanoTime();
        windowStart = t0 + TimeUnit.SECONDS.toNanos(warmupS);
        windowEnd = windowStart + TimeUnit.SECONDS.toNanos(durationS);
        if ("max".equals(mode)) {
            for (int i = 0; i < concurrency; i++) {
                next();
            }
            while (System.nanoTime() < windowEnd) {
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(20));
            }
        } else {
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
                    if (inWindow(intended)) {
                        error("not_sent_overloaded");
                    }
                    continue;
                }
                send(intended);
            }
        }
        // sending has stopped: webhook answers come within the timeout, replies within the drain
        long stopped = System.nanoTime();
        long answersUntil = stopped + TimeUnit.SECONDS.toNanos(timeoutS + 1L);
        long repliesUntil = stopped + TimeUnit.SECONDS.toNanos(drainS);
        while (true) {
            long now = System.nanoTime();
            boolean answersDue = outstanding.get() > 0 && now < answersUntil;
            boolean repliesDue = awaiting.get() > 0 && now < repliesUntil;
            if (!answersDue && !repliesDue) {
                break;
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(50));
        }
        long drained = System.nanoTime();
        report(stopped, drained);
    }

    private void stop() {
        if (server != null) {
            server.stop(0);
        }
        if (platformExecutor != null) {
            platformExecutor.shutdownNow();
        }
        if (clientExecutor != null) {
            clientExecutor.shutdownNow();
        }
    }

    private boolean inWindow(long start) {
        return start >= windowStart && start < windowEnd;
    }

    /** Closed loop: each answered webhook starts the next until the window ends. */
    private void next() {
        long now = System.nanoTime();
        if (now >= windowEnd || finished) {
            return;
        }
        CompletableFuture<Void> done;
        try {
            done = send(now);
        } catch (RuntimeException e) {
            error(e.getClass().getSimpleName());
            return;
        }
        done.whenComplete((r, e) -> next());
    }

    private CompletableFuture<Void> send(long intended) {
        long n = sequence.getAndIncrement();
        Chat chat = chats[(int) (n % chats.length)];
        long unique = idBase + n;
        long epochSeconds = System.currentTimeMillis() / 1000;
        String body = slack ? slackEvent(chat, unique, epochSeconds) : telegramUpdate(chat, unique, epochSeconds);
        HttpRequest.Builder request = HttpRequest.newBuilder(target).timeout(Duration.ofSeconds(timeoutS))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body));
        if (slack) {
            String timestamp = Long.toString(epochSeconds);
            request.header("X-Slack-Request-Timestamp", timestamp)
                    .header("X-Slack-Signature", "v0=" + hmacHex("v0:" + timestamp + ":" + body));
        } else {
            request.header("X-Telegram-Bot-Api-Secret-Token", secret);
        }
        Pending pending = new Pending(intended, inWindow(intended));
        synchronized (chat) {
            // queued before the webhook leaves, so its reply always finds it
            chat.queue.addLast(pending);
            if (pending.inWindow) {
                sent.incrementAndGet();
                awaiting.incrementAndGet();
            }
        }
        int now = outstanding.incrementAndGet();
        maxSeenOutstanding.accumulateAndGet(now, Math::max);
        return client.sendAsync(request.build(), HttpResponse.BodyHandlers.discarding())
                .handle((response, failure) -> {
                    long end = System.nanoTime();
                    String code;
                    if (failure != null) {
                        Throwable cause = failure instanceof CompletionException && failure.getCause() != null
                                ? failure.getCause() : failure;
                        code = cause instanceof HttpTimeoutException ? "timeout"
                                : cause instanceof IOException ? "io" : cause.getClass().getSimpleName();
                    } else {
                        code = response.statusCode() == 200 ? null : "http_" + response.statusCode();
                    }
                    answered(chat, pending, code, end);
                    return (Void) null;
                })
                .whenComplete((r, e) -> outstanding.decrementAndGet());
    }

    /** The webhook was answered: accepted ({@code code} null) or failed, which takes it off its chat's queue. */
    private void answered(Chat chat, Pending pending, String code, long end) {
        synchronized (chat) {
            if (finished) {
                return;
            }
            if (code == null) {
                pending.accepted = true;
                if (pending.inWindow) {
                    accepted.incrementAndGet();
                    ackLatencies.add((end - pending.start) / 1000);
                }
            } else {
                boolean queued = chat.queue.remove(pending);
                if (pending.inWindow) {
                    error(code);
                    if (queued) {
                        awaiting.decrementAndGet();
                    }
                }
            }
        }
    }

    /** The platform received a reply into {@code chatId} at {@code at}: it answers the chat's oldest message. */
    private void replied(String chatId, long at) {
        Chat chat = chatId == null ? null : chatsById.get(chatId);
        if (chat == null) {
            if (!finished) {
                unexpectedReplies.incrementAndGet();
            }
            return;
        }
        synchronized (chat) {
            if (finished) {
                return;
            }
            Pending pending = chat.queue.pollFirst();
            if (pending == null) {
                unexpectedReplies.incrementAndGet();
                return;
            }
            if (at >= windowStart && at < windowEnd) {
                repliesInWindow.incrementAndGet();
            }
            if (pending.inWindow) {
                replies.incrementAndGet();
                replyLatencies.add((at - pending.start) / 1000);
                awaiting.decrementAndGet();
            }
        }
    }

    private void error(String code) {
        errors.computeIfAbsent(code, k -> new AtomicLong()).incrementAndGet();
    }

    private String telegramUpdate(Chat chat, long unique, long epochSeconds) {
        return "{\"update_id\":" + unique + ",\"message\":{\"message_id\":" + unique
                + ",\"from\":{\"id\":" + chat.number + ",\"is_bot\":false,\"first_name\":\"Bench\"}"
                + ",\"chat\":{\"id\":" + chat.number + ",\"type\":\"private\",\"first_name\":\"Bench\"}"
                + ",\"date\":" + epochSeconds + ",\"text\":" + quote(text) + "}}";
    }

    private String slackEvent(Chat chat, long unique, long epochSeconds) {
        String ts = String.format(Locale.ROOT, "%d.%06d", unique / 1_000_000, unique % 1_000_000);
        return "{\"token\":\"bench\",\"team_id\":\"TBENCH\",\"api_app_id\":\"ABENCH\",\"type\":\"event_callback\""
                + ",\"event_id\":\"Ev" + unique + "\",\"event_time\":" + epochSeconds
                + ",\"authorizations\":[{\"is_bot\":true,\"user_id\":\"UBENCHBOT\"}]"
                + ",\"event\":{\"type\":\"message\",\"channel_type\":\"im\",\"channel\":\"" + chat.id
                + "\",\"user\":\"U" + chat.number + "\",\"text\":" + quote(text)
                + ",\"ts\":\"" + ts + "\",\"event_ts\":\"" + ts + "\"}}";
    }

    private String hmacHex(String data) {
        byte[] digest = signer.get().doFinal(data.getBytes(StandardCharsets.UTF_8));
        char[] hex = new char[digest.length * 2];
        for (int i = 0; i < digest.length; i++) {
            hex[2 * i] = Character.forDigit((digest[i] >> 4) & 0xf, 16);
            hex[2 * i + 1] = Character.forDigit(digest[i] & 0xf, 16);
        }
        return new String(hex);
    }

    // ------------------------------------------------------------------ the fake platform

    private void startPlatform() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), platformPort), 1024);
        platformExecutor = Executors.newFixedThreadPool(4, daemon("webhook-load-platform"));
        server.setExecutor(platformExecutor);
        server.createContext("/", this::platform);
        server.start();
    }

    private void platform(HttpExchange exchange) throws IOException {
        long at = System.nanoTime();
        try (exchange) {
            String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            String path = exchange.getRequestURI().getPath();
            String query = exchange.getRequestURI().getRawQuery();
            String contentType = exchange.getRequestHeaders().getFirst("Content-Type");
            boolean json = (contentType != null && contentType.toLowerCase(Locale.ROOT).contains("json"))
                    || body.stripLeading().startsWith("{");
            if (path.startsWith("/bot") && path.indexOf('/', 4) > 4) {
                int slash = path.indexOf('/', 4);
                String token = path.substring(4, slash);
                String method = path.substring(slash + 1);
                count(method);
                respond(exchange, 200, telegram(method, token, param(json, body, query, CHAT_ID, "chat_id"), at));
            } else if (path.startsWith("/api/") && path.length() > 5) {
                String method = path.substring(5);
                count(method);
                respond(exchange, 200, slack(method, param(json, body, query, CHANNEL, "channel"),
                        param(json, body, query, TS, "ts"), at));
            } else {
                count("unknown");
                respond(exchange, 404, "{\"ok\":false,\"error\":\"unknown_method\"}");
            }
        }
    }

    private String telegram(String method, String token, String chatId, long at) {
        switch (method) {
            case "sendMessage" -> {
                replied(chatId, at);
                String chat = chatId == null ? "0" : NUMBER.matcher(chatId).matches() ? chatId : quote(chatId);
                return "{\"ok\":true,\"result\":{\"message_id\":" + platformMessageIds.incrementAndGet()
                        + ",\"date\":" + System.currentTimeMillis() / 1000 + ",\"chat\":{\"id\":" + chat
                        + ",\"type\":\"private\"},\"text\":\"ok\"}}";
            }
            case "getMe" -> {
                int colon = token.indexOf(':');
                String id = colon > 0 ? token.substring(0, colon) : token;
                return "{\"ok\":true,\"result\":{\"id\":" + (NUMBER.matcher(id).matches() ? id : "1")
                        + ",\"is_bot\":true,\"first_name\":\"Bench\",\"username\":\"bench_bot\"}}";
            }
            default -> {
                return "{\"ok\":true,\"result\":true}";
            }
        }
    }

    private String slack(String method, String channel, String ts, long at) {
        switch (method) {
            case "chat.postMessage" -> {
                replied(channel, at);
                return "{\"ok\":true,\"channel\":" + quote(channel == null ? "" : channel) + ",\"ts\":"
                        + quote(nextTs()) + "}";
            }
            case "chat.update" -> {
                return "{\"ok\":true,\"channel\":" + quote(channel == null ? "" : channel) + ",\"ts\":"
                        + quote(ts == null || ts.isEmpty() ? nextTs() : ts) + "}";
            }
            default -> {
                return "{\"ok\":true}";
            }
        }
    }

    private String nextTs() {
        long v = platformTs.incrementAndGet();
        return String.format(Locale.ROOT, "%d.%06d", v / 1_000_000, v % 1_000_000);
    }

    private void count(String method) {
        String name = method.replaceAll("[^A-Za-z0-9_.]", "_");
        if (name.length() > 40) {
            name = name.substring(0, 40);
        }
        if (!platformCalls.containsKey(name) && platformCalls.size() >= MAX_METHOD_NAMES) {
            name = "other";
        }
        platformCalls.computeIfAbsent(name, k -> new LongAdder()).increment();
    }

    /** A parameter from a JSON body, a form body or the query string. */
    private static String param(boolean json, String body, String query, Pattern jsonPattern, String name) {
        if (json) {
            Matcher m = jsonPattern.matcher(body);
            if (m.find()) {
                return m.group(1) != null ? m.group(1) : m.group(2);
            }
        } else {
            String v = formParam(body, name);
            if (v != null) {
                return v;
            }
        }
        return query == null ? null : formParam(query, name);
    }

    private static String formParam(String form, String name) {
        for (String pair : form.split("&")) {
            int eq = pair.indexOf('=');
            if (eq > 0 && URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8).equals(name)) {
                return URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
            }
        }
        return null;
    }

    private static Pattern jsonField(String name) {
        // a string (without escapes to undo: ids never have any) or a number
        return Pattern.compile("\"" + name + "\"\\s*:\\s*(?:\"((?:[^\"\\\\]|\\\\.)*)\"|(-?\\d+))");
    }

    private static void respond(HttpExchange exchange, int status, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "application/json; charset=utf-8");
        exchange.sendResponseHeaders(status, bytes.length);
        try (OutputStream os = exchange.getResponseBody()) {
            os.write(bytes);
        }
    }

    // ------------------------------------------------------------------ report

    private void report(long stopped, long drained) throws Exception {
        finished = true;
        long missing = 0;
        for (Chat chat : chats) {
            synchronized (chat) {
                // taking each lock once after "finished" is set: nothing changes the counters after this pass
                for (Pending p : chat.queue) {
                    if (!p.inWindow) {
                        continue;
                    }
                    if (p.accepted) {
                        missing++;
                    } else {
                        error("no_answer_at_end");
                    }
                }
            }
        }
        long errorCount = errors.values().stream().mapToLong(AtomicLong::get).sum();
        Map<String, Long> codes = new TreeMap<>();
        errors.forEach((k, v) -> codes.put(k, v.get()));
        Map<String, Long> calls = new TreeMap<>();
        platformCalls.forEach((k, v) -> calls.put(k, v.sum()));
        boolean max = "max".equals(mode);
        StringBuilder json = new StringBuilder();
        json.append("{\"label\":").append(quote(label))
                .append(",\"platform\":").append(quote(platform))
                .append(",\"url\":").append(quote(target.toString()))
                .append(",\"mode\":").append(quote(mode))
                .append(",\"concurrency\":").append(max ? concurrency : 0)
                .append(",\"rate_target\":").append(max ? "null" : fmt(rate))
                .append(",\"chats\":").append(chatCount)
                .append(",\"warmup_s\":").append(warmupS).append(",\"duration_s\":").append(durationS)
                .append(",\"drain_s\":").append(drainS).append(",\"timeout_s\":").append(timeoutS)
                .append(",\"elapsed_s\":").append(fmt((System.nanoTime() - t0) / 1e9))
                .append(",\"drain_elapsed_s\":").append(fmt((drained - stopped) / 1e9))
                .append(",\"sent\":").append(sent.get())
                .append(",\"accepted\":").append(accepted.get())
                .append(",\"accepted_per_s\":").append(fmt(accepted.get() / (double) durationS))
                .append(",\"errors\":").append(errorCount)
                .append(",\"error_codes\":").append(object(codes))
                .append(",\"max_outstanding\":").append(maxSeenOutstanding.get())
                .append(",\"ack_latency_ms\":").append(ackLatencies.summary())
                .append(",\"replies\":").append(replies.get())
                .append(",\"missing\":").append(missing)
                .append(",\"replies_per_s\":").append(fmt(repliesInWindow.get() / (double) durationS))
                .append(",\"reply_latency_ms\":").append(replyLatencies.summary())
                .append(",\"unexpected_replies\":").append(unexpectedReplies.get())
                .append(",\"platform_calls\":").append(object(calls))
                .append("}\n");
        if (out != null) {
            Files.writeString(out, json, StandardCharsets.UTF_8);
        }
        System.out.println(String.format(Locale.ROOT,
                "webhook %s %s%s: sent %d accepted %d (%.1f/s) errors %d %s | replies %d (%.1f/s received)"
                        + " missing %d unexpected %d | ack ms p50 %s p99 %s | reply ms p50 %s p99 %s max %s"
                        + " | drain %.1f s elapsed %.1f s",
                platform, mode, max ? " c=" + concurrency : " " + fmt(rate) + "/s", sent.get(), accepted.get(),
                accepted.get() / (double) durationS, errorCount, object(codes), replies.get(),
                repliesInWindow.get() / (double) durationS, missing, unexpectedReplies.get(),
                ackLatencies.percentile(50), ackLatencies.percentile(99), replyLatencies.percentile(50),
                replyLatencies.percentile(99), replyLatencies.percentile(100), (drained - stopped) / 1e9,
                (System.nanoTime() - t0) / 1e9));
        if (out == null) {
            System.out.print(json);
        }
    }

    private static String object(Map<String, Long> map) {
        StringBuilder json = new StringBuilder("{");
        String sep = "";
        for (Map.Entry<String, Long> e : map.entrySet()) {
            json.append(sep).append(quote(e.getKey())).append(':').append(e.getValue());
            sep = ",";
        }
        return json.append('}').toString();
    }

    private static String quote(String s) {
        StringBuilder q = new StringBuilder(s.length() + 2).append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> q.append("\\\"");
                case '\\' -> q.append("\\\\");
                case '\n' -> q.append("\\n");
                case '\r' -> q.append("\\r");
                case '\t' -> q.append("\\t");
                default -> {
                    if (c < 0x20) {
                        q.append(String.format("\\u%04x", (int) c));
                    } else {
                        q.append(c);
                    }
                }
            }
        }
        return q.append('"').toString();
    }

    private static String fmt(double v) {
        return String.format(Locale.ROOT, "%.3f", v);
    }

    private static java.util.concurrent.ThreadFactory daemon(String name) {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, name + "-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }

    /** One chat: its id as the platform names it, and its messages awaiting a reply, oldest first. */
    private static final class Chat {
        final String id;
        final long number;
        final ArrayDeque<Pending> queue = new ArrayDeque<>();

        Chat(String id, long number) {
            this.id = id;
            this.number = number;
        }
    }

    /** A message sent: its (intended) start, whether it is measured, whether its webhook was accepted. */
    private static final class Pending {
        final long start;
        final boolean inWindow;
        boolean accepted;

        Pending(long start, boolean inWindow) {
            this.start = start;
            this.inWindow = inWindow;
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

        /** One percentile in milliseconds, "-" when empty (for the summary line). */
        synchronized String percentile(double p) {
            if (size == 0) {
                return "-";
            }
            long[] sorted = Arrays.copyOf(values, size);
            Arrays.sort(sorted);
            return pct(sorted, p);
        }

        private static String pct(long[] sorted, double p) {
            int index = (int) Math.ceil(p / 100.0 * sorted.length) - 1;
            return fmt(sorted[Math.max(0, Math.min(sorted.length - 1, index))] / 1000.0);
        }
    }
}
