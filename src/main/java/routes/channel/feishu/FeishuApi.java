package routes.channel.feishu;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import routes.channel.PlatformException;

/**
 * The part of the Feishu Open API the channel calls, without holding a thread while it waits.
 *
 * <p>Every call carries a tenant access token. The token (valid about two hours) is fetched once and shared by
 * all callers of this instance; a fetch already under way is joined rather than repeated. It is renewed five
 * minutes before it expires (Feishu hands out a fresh one in the last 30 minutes), and once more when Feishu
 * rejects it as invalid. Tokens stay in memory: each instance holds its own, which Feishu allows, and no secret is
 * written to Redis.
 *
 * <p>Failures are {@link PlatformException}s: 429 and Feishu's frequency-limit codes with the wait Feishu named,
 * 5xx and unreachable (status 0) as retriable, anything else as a refusal.
 */
public class FeishuApi {

    private static final Logger LOG = LoggerFactory.getLogger(FeishuApi.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    /** Codes of a missing, invalid or expired access token. */
    static final Set<Integer> TOKEN_REJECTED = Set.of(99991661, 99991663, 99991664, 99991668, 99991677);
    /** Codes of Feishu's frequency limits (app-wide, and per chat). */
    static final Set<Integer> RATE_LIMITED = Set.of(99991400, 230020);
    /** Renew a token this long before Feishu says it expires. */
    static final Duration RENEW_BEFORE = Duration.ofMinutes(5);
    /** Ask for the bot's identity again at most this often after a failure. */
    static final Duration BOT_INFO_RETRY = Duration.ofSeconds(30);

    private final String apiUrl;
    private final String appId;
    private final String appSecret;
    private final Duration timeout;
    private final Clock clock;
    private final HttpClient http;
    private final AtomicReference<CompletableFuture<Token>> token = new AtomicReference<>();
    private final AtomicInteger tokenFetches = new AtomicInteger();
    private final AtomicReference<CompletableFuture<String>> botOpenId = new AtomicReference<>();
    private volatile Instant botInfoFailedAt = Instant.MIN;

    private record Token(String value, Instant renewAt) {
        @Override
        public String toString() {
            return "Token[****, renewAt=" + renewAt + "]";
        }
    }

    public FeishuApi(FeishuProperties properties, Clock clock) {
        this.apiUrl = properties.getApiUrl();
        this.appId = properties.getAppId();
        this.appSecret = properties.getAppSecret();
        this.timeout = properties.getTimeout();
        this.clock = clock;
        this.http = HttpClient.newBuilder()
                .connectTimeout(timeout)
                .version(HttpClient.Version.HTTP_1_1)
                .build();
    }

    /** The app this client acts as. */
    public String appId() {
        return appId;
    }

    /** How many times a tenant access token has been fetched (a metric, and what tests check). */
    public int tokenFetches() {
        return tokenFetches.get();
    }

    /**
     * Sends a text message to a chat.
     *
     * @param uuid Feishu's idempotency key: a second send with the same uuid within an hour sends nothing
     * @return the sent message's id
     */
    public CompletableFuture<String> sendText(String chatId, String text, String uuid) {
        ObjectNode body = JSON.createObjectNode()
                .put("receive_id", chatId)
                .put("msg_type", "text")
                .put("content", JSON.createObjectNode().put("text", text).toString())
                .put("uuid", uuid);
        return withToken(accessToken -> post("/im/v1/messages?receive_id_type=chat_id", body, accessToken))
                .thenApply(data -> data.path("data").path("message_id").asText(null));
    }

    /**
     * The bot's open_id, once known; asks Feishu ({@code GET /bot/v3/info}) in the background when it is not, and
     * returns null meanwhile.
     */
    public String botOpenId() {
        CompletableFuture<String> known = botOpenId.get();
        if (known != null && known.isDone() && !known.isCompletedExceptionally()) {
            return known.join();
        }
        if (known == null || (known.isCompletedExceptionally()
                && clock.instant().isAfter(botInfoFailedAt.plus(BOT_INFO_RETRY)))) {
            CompletableFuture<String> next = new CompletableFuture<>();
            if (botOpenId.compareAndSet(known, next)) {
                withToken(accessToken -> get("/bot/v3/info", accessToken))
                        .thenApply(data -> {
                            String openId = data.path("bot").path("open_id").asText("");
                            if (openId.isBlank()) {
                                throw new PlatformException(FeishuConstants.CHANNEL, 502, "bot info has no open_id",
                                        null);
                            }
                            return openId;
                        })
                        .whenComplete((openId, error) -> {
                            if (error != null) {
                                botInfoFailedAt = clock.instant();
                                LOG.warn("could not learn the Feishu bot's open_id (any mention counts meanwhile): {}",
                                        unwrap(error).getMessage());
                                next.completeExceptionally(error);
                            } else {
                                next.complete(openId);
                            }
                        });
            }
        }
        return null;
    }

    /** Runs a call with the current token; when Feishu rejects the token, renews it once and runs the call again. */
    private CompletableFuture<JsonNode> withToken(java.util.function.Function<String, CompletableFuture<JsonNode>> call) {
        return tenantToken().thenCompose(first -> call.apply(first).handle((data, error) -> {
            if (error == null) {
                return CompletableFuture.completedFuture(data);
            }
            if (unwrap(error) instanceof TokenRejected) {
                LOG.info("Feishu rejected the tenant access token; fetching a new one");
                invalidate(first);
                return tenantToken().thenCompose(second -> call.apply(second)).exceptionally(again -> {
                    throw unwrap(again) instanceof TokenRejected rejected
                            ? new PlatformException(FeishuConstants.CHANNEL, 401, rejected.getMessage(), null)
                            : asCompletion(again);
                });
            }
            return CompletableFuture.<JsonNode>failedFuture(unwrap(error));
        }).thenCompose(f -> f));
    }

    /** A valid tenant access token: the cached one, the one being fetched, or a newly fetched one. */
    CompletableFuture<String> tenantToken() {
        while (true) {
            CompletableFuture<Token> current = token.get();
            if (current != null) {
                if (!current.isDone()) {
                    return current.thenApply(Token::value);
                }
                if (!current.isCompletedExceptionally() && clock.instant().isBefore(current.join().renewAt())) {
                    return CompletableFuture.completedFuture(current.join().value());
                }
            }
            CompletableFuture<Token> next = new CompletableFuture<>();
            if (token.compareAndSet(current, next)) {
                fetchToken().whenComplete((t, error) -> {
                    if (error != null) {
                        next.completeExceptionally(unwrap(error));
                    } else {
                        next.complete(t);
                    }
                });
                return next.thenApply(Token::value);
            }
        }
    }

    /** Forgets {@code rejected}, unless another caller already replaced it. */
    void invalidate(String rejected) {
        CompletableFuture<Token> current = token.get();
        if (current != null && current.isDone() && !current.isCompletedExceptionally()
                && current.join().value().equals(rejected)) {
            token.compareAndSet(current, null);
        }
    }

    private CompletableFuture<Token> fetchToken() {
        tokenFetches.incrementAndGet();
        ObjectNode body = JSON.createObjectNode().put("app_id", appId).put("app_secret", appSecret);
        Instant asked = clock.instant();
        return post("/auth/v3/tenant_access_token/internal", body, null).thenApply(data -> {
            String value = data.path("tenant_access_token").asText("");
            long expire = data.path("expire").asLong(0);
            if (value.isBlank() || expire <= 0) {
                throw new PlatformException(FeishuConstants.CHANNEL, 502, "token answer without a token", null);
            }
            Duration life = Duration.ofSeconds(expire);
            Duration margin = life.compareTo(RENEW_BEFORE.multipliedBy(2)) > 0 ? RENEW_BEFORE : life.dividedBy(2);
            return new Token(value, asked.plus(life).minus(margin));
        });
    }

    private CompletableFuture<JsonNode> post(String path, JsonNode body, String accessToken) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(apiUrl + path))
                .timeout(timeout)
                .header("Content-Type", "application/json; charset=utf-8")
                .POST(HttpRequest.BodyPublishers.ofString(body.toString()));
        return call(request, accessToken);
    }

    private CompletableFuture<JsonNode> get(String path, String accessToken) {
        return call(HttpRequest.newBuilder(URI.create(apiUrl + path)).timeout(timeout).GET(), accessToken);
    }

    private CompletableFuture<JsonNode> call(HttpRequest.Builder request, String accessToken) {
        if (accessToken != null) {
            request.header("Authorization", "Bearer " + accessToken);
        }
        CompletableFuture<HttpResponse<String>> sent;
        try {
            sent = http.sendAsync(request.build(), HttpResponse.BodyHandlers.ofString());
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(
                    new PlatformException(FeishuConstants.CHANNEL, 0, e.getMessage(), null));
        }
        return sent.handle((response, error) -> {
            if (error != null) {
                throw new PlatformException(FeishuConstants.CHANNEL, 0,
                        "unreachable: " + unwrap(error).getClass().getSimpleName(), null);
            }
            return check(response);
        });
    }

    /** The body of a successful answer, or the failure Feishu's status and code stand for. */
    static JsonNode check(HttpResponse<String> response) {
        JsonNode data;
        try {
            data = JSON.readTree(response.body() == null ? "" : response.body());
        } catch (Exception e) {
            data = null;
        }
        int status = response.statusCode();
        int code = data == null ? -1 : data.path("code").asInt(-1);
        String detail = data == null ? "" : "code " + code + ": " + data.path("msg").asText("");
        if (status >= 200 && status < 300 && code == 0) {
            return data;
        }
        if (TOKEN_REJECTED.contains(code)) {
            throw new TokenRejected(detail);
        }
        if (status == 429 || RATE_LIMITED.contains(code)) {
            throw new PlatformException(FeishuConstants.CHANNEL, 429, detail, retryAfter(response));
        }
        if (status >= 500 || status == 408) {
            throw new PlatformException(FeishuConstants.CHANNEL, status, detail, retryAfter(response));
        }
        throw new PlatformException(FeishuConstants.CHANNEL, status >= 400 ? status : 400,
                detail.isEmpty() ? "unexpected answer" : detail, null);
    }

    /** The wait Feishu asked for: its x-ogw-ratelimit-reset (seconds), or Retry-After. */
    private static Duration retryAfter(HttpResponse<String> response) {
        for (String header : new String[] {"x-ogw-ratelimit-reset", "Retry-After"}) {
            String value = response.headers().firstValue(header).orElse(null);
            if (value != null) {
                try {
                    long seconds = Long.parseLong(value.trim());
                    if (seconds >= 0 && seconds < 3600) {
                        return Duration.ofSeconds(seconds);
                    }
                } catch (NumberFormatException ignored) {
                    // an HTTP date or garbage: let the backoff decide
                }
            }
        }
        return null;
    }

    static Throwable unwrap(Throwable error) {
        Throwable t = error;
        while ((t instanceof CompletionException || t instanceof java.util.concurrent.ExecutionException)
                && t.getCause() != null) {
            t = t.getCause();
        }
        return t;
    }

    private static RuntimeException asCompletion(Throwable error) {
        Throwable t = unwrap(error);
        return t instanceof RuntimeException r ? r : new CompletionException(t);
    }

    /** Feishu refused the access token. */
    static final class TokenRejected extends RuntimeException {
        TokenRejected(String detail) {
            super("access token rejected (" + detail + ")");
        }
    }
}
