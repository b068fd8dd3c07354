package routes.channel.slack;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import routes.channel.PlatformException;

/**
 * The Slack Web API calls Caravan makes, {@code chat.postMessage} and {@code chat.update}, without holding a
 * thread while Slack answers.
 *
 * <p>Slack reports most failures as HTTP 200 with {@code {"ok":false,"error":"…"}}; rate limits come as 429 with
 * {@code Retry-After} (or, rarely, {@code ok:false, error:ratelimited}). Every failure completes the future with a
 * {@link PlatformException}: retriable for rate limits, Slack's own failures and timeouts; not for the rest
 * ({@code channel_not_found}, {@code invalid_auth} …). The bot token only ever goes into the Authorization header.
 */
public class SlackApi {

    /** {@code ok:false} errors that are Slack's own trouble, worth trying again. */
    private static final Set<String> SLACK_SIDE = Set.of("internal_error", "fatal_error", "service_unavailable",
            "request_timeout");
    private static final ObjectMapper JSON = new ObjectMapper();

    private final HttpClient http;
    private final String apiBase;
    private final String botToken;
    private final Duration timeout;

    public SlackApi(HttpClient http, String apiUrl, String botToken, Duration timeout) {
        this.http = http;
        this.apiBase = apiUrl.endsWith("/") ? apiUrl.substring(0, apiUrl.length() - 1) : apiUrl;
        this.botToken = botToken;
        this.timeout = timeout;
    }

    /** A client with its own JDK HTTP client, for the kamelets and other uses outside the Spring context. */
    public static SlackApi create(String apiUrl, String botToken, Duration timeout) {
        return new SlackApi(HttpClient.newBuilder().connectTimeout(timeout).build(), apiUrl, botToken, timeout);
    }

    /**
     * Posts {@code text} into {@code channel}, in the thread {@code threadTs} when given.
     *
     * @return the {@code ts} of the posted message
     */
    public CompletableFuture<String> postMessage(String channel, String text, String threadTs) {
        ObjectNode body = JSON.createObjectNode()
                .put("channel", channel)
                .put("text", text);
        if (threadTs != null && !threadTs.isBlank()) {
            body.put("thread_ts", threadTs);
        }
        return call("chat.postMessage", body);
    }

    /**
     * Replaces the text of the bot's message {@code ts} in {@code channel} ({@code chat.update}).
     *
     * @return the {@code ts} of the updated message
     */
    public CompletableFuture<String> update(String channel, String ts, String text) {
        ObjectNode body = JSON.createObjectNode()
                .put("channel", channel)
                .put("ts", ts)
                .put("text", text);
        return call("chat.update", body);
    }

    private CompletableFuture<String> call(String method, ObjectNode body) {
        HttpRequest request;
        try {
            request = HttpRequest.newBuilder(URI.create(apiBase + "/" + method))
                    .timeout(timeout)
                    .header("Authorization", "Bearer " + botToken)
                    .header("Content-Type", "application/json; charset=utf-8")
                    .POST(HttpRequest.BodyPublishers.ofByteArray(JSON.writeValueAsBytes(body)))
                    .build();
        } catch (IOException | IllegalArgumentException e) {
            return CompletableFuture.failedFuture(
                    new PlatformException(SlackConstants.CHANNEL, 400, "request not built: " + e.getMessage(), null));
        }
        return http.sendAsync(request, HttpResponse.BodyHandlers.ofString())
                .handle((response, error) -> {
                    if (error != null) {
                        throw unreachable(error);
                    }
                    return outcome(response.statusCode(), response.body(),
                            response.headers().firstValue("Retry-After").orElse(null));
                });
    }

    /** Reads Slack's answer: the message's ts, or the failure as a {@link PlatformException}. */
    static String outcome(int status, String body, String retryAfterHeader) {
        Duration retryAfter = retryAfter(retryAfterHeader);
        if (status == 429) {
            throw new PlatformException(SlackConstants.CHANNEL, 429, "rate limited", retryAfter);
        }
        if (status < 200 || status > 299) {
            throw new PlatformException(SlackConstants.CHANNEL, status, "HTTP " + status, retryAfter);
        }
        JsonNode answer;
        try {
            answer = JSON.readTree(body == null ? "" : body);
        } catch (IOException e) {
            answer = null;
        }
        if (answer == null || !answer.isObject()) {
            throw new PlatformException(SlackConstants.CHANNEL, 502, "the answer is not a Slack API response", null);
        }
        if (answer.path("ok").asBoolean(false)) {
            return answer.path("ts").asText(null);
        }
        String error = answer.path("error").asText("unknown_error");
        if (error.equals("ratelimited")) {
            throw new PlatformException(SlackConstants.CHANNEL, 429, error, retryAfter);
        }
        if (SLACK_SIDE.contains(error)) {
            throw new PlatformException(SlackConstants.CHANNEL, 503, error, retryAfter);
        }
        // refused for good (channel_not_found, not_in_channel, invalid_auth, msg_too_long …): 400 is not retried
        throw new PlatformException(SlackConstants.CHANNEL, 400, error, null);
    }

    static Duration retryAfter(String header) {
        if (header == null || header.isBlank()) {
            return null;
        }
        try {
            long seconds = Long.parseLong(header.trim());
            return seconds < 0 ? null : Duration.ofSeconds(Math.min(seconds, 3600));
        } catch (NumberFormatException e) {
            return null;
        }
    }

    private static PlatformException unreachable(Throwable error) {
        Throwable cause = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
        if (cause instanceof PlatformException p) {
            return p;
        }
        String what = cause instanceof HttpTimeoutException ? "timed out" : "unreachable: " + cause.getClass()
                .getSimpleName();
        return new PlatformException(SlackConstants.CHANNEL, 0, what, null);
    }
}
