package routes.channel.telegram;

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
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/**
 * A small client of the Telegram Bot API: JSON in, {@link Result} out, never an exception for an answer the API
 * gave.
 *
 * <p>Why not camel-telegram's producer: on a non-2xx answer it throws an exception whose message holds the request
 * URL, which holds the token ({@code …/bot<token>/sendMessage}), and the 429's {@code parameters.retry_after}
 * is only readable by parsing that message. Here the token lives only in the request URI; every text that leaves
 * this class (results, exceptions, logs) has it replaced by {@code <token>}.
 */
public class TelegramBotApi {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final HttpClient http;
    private final String token;
    private final String methodBase;
    private final Duration requestTimeout;

    /**
     * What the Bot API answered.
     *
     * @param status          HTTP status; 0 when no answer came (connection failed, timed out)
     * @param ok              the answer's {@code ok}
     * @param result          the answer's {@code result}, or a missing node
     * @param description     the answer's {@code description}, or what went wrong (never holds the token)
     * @param retryAfter      {@code parameters.retry_after} (or a Retry-After header) on a 429, else null
     * @param migrateToChatId {@code parameters.migrate_to_chat_id} when a group became a supergroup, else null
     */
    public record Result(int status, boolean ok, JsonNode result, String description, Duration retryAfter,
                         String migrateToChatId) {

        /** The call did what it was asked. */
        public boolean succeeded() {
            return ok && status >= 200 && status < 300;
        }
    }

    public TelegramBotApi(TelegramProperties properties) {
        this.token = properties.getToken();
        this.methodBase = stripSlash(properties.getApiUrl()) + "/bot" + token + "/";
        this.requestTimeout = properties.getRequestTimeout();
        this.http = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(10))
                .build();
    }

    /** A JSON object for the parameters of a call. */
    public static ObjectNode params() {
        return JSON.createObjectNode();
    }

    /** Calls {@code method} with the usual request timeout. */
    public CompletableFuture<Result> call(String method, ObjectNode params) {
        return call(method, params, requestTimeout);
    }

    /**
     * Calls {@code method} with a JSON body. Completes with the API's answer, or with a status-0 result when no
     * answer came; cancelling the future abandons the call.
     */
    public CompletableFuture<Result> call(String method, ObjectNode params, Duration timeout) {
        HttpRequest request;
        try {
            request = HttpRequest.newBuilder(URI.create(methodBase + method))
                    .timeout(timeout)
                    .header("Content-Type", "application/json")
                    .header("Accept", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofByteArray(JSON.writeValueAsBytes(params)))
                    .build();
        } catch (IOException | IllegalArgumentException e) {
            return CompletableFuture.completedFuture(noAnswer(e));
        }
        CompletableFuture<HttpResponse<byte[]>> sent = http.sendAsync(request, HttpResponse.BodyHandlers.ofByteArray());
        CompletableFuture<Result> result =
                sent.handle((response, failure) -> failure == null ? parse(response) : noAnswer(unwrap(failure)));
        // cancelling the caller's future abandons the HTTP exchange too (a long poll being given up)
        result.whenComplete((r, e) -> {
            if (result.isCancelled()) {
                sent.cancel(true);
            }
        });
        return result;
    }

    /**
     * Replaces the text of the bot's message {@code messageId} in {@code chatId} (plain text, like sendMessage).
     * Telegram refuses an edit to the text the message already has with 400 "message is not modified"
     * ({@link #notModified}).
     */
    public CompletableFuture<Result> editMessageText(String chatId, String messageId, String text) {
        ObjectNode params = params().put("chat_id", chatId).put("text", text);
        try {
            params.put("message_id", Long.parseLong(messageId));
        } catch (NumberFormatException e) {
            return CompletableFuture.completedFuture(new Result(400, false, JSON.missingNode(),
                    "Bad Request: message_id is not a number", null, null));
        }
        return call("editMessageText", params);
    }

    /** Whether an edit was refused only because the message already has that text: the edit's goal holds. */
    public static boolean notModified(Result result) {
        return result.status() == 400 && result.description() != null
                && result.description().contains("message is not modified");
    }

    /** Replaces the token in {@code text}, so the text can be logged or stored. */
    public String redact(String text) {
        if (text == null || token == null || token.isEmpty()) {
            return text;
        }
        return text.replace(token, "<token>");
    }

    private Result parse(HttpResponse<byte[]> response) {
        int status = response.statusCode();
        JsonNode body;
        try {
            body = JSON.readTree(response.body());
        } catch (IOException e) {
            body = null;
        }
        if (body == null || !body.isObject()) {
            return new Result(status, false, JSON.missingNode(), "the Bot API answered " + status + " without JSON",
                    retryAfterHeader(response), null);
        }
        JsonNode parameters = body.path("parameters");
        Duration retryAfter = parameters.path("retry_after").canConvertToLong()
                ? Duration.ofSeconds(Math.max(0, parameters.path("retry_after").asLong()))
                : retryAfterHeader(response);
        String migrateTo = parameters.hasNonNull("migrate_to_chat_id")
                ? parameters.path("migrate_to_chat_id").asText() : null;
        return new Result(status, body.path("ok").asBoolean(false), body.path("result"),
                redact(body.path("description").asText(null)), status == 429 ? retryAfter : null, migrateTo);
    }

    private static Duration retryAfterHeader(HttpResponse<?> response) {
        return response.headers().firstValue("Retry-After")
                .filter(v -> v.trim().matches("\\d{1,6}"))
                .map(v -> Duration.ofSeconds(Long.parseLong(v.trim())))
                .orElse(null);
    }

    private Result noAnswer(Throwable failure) {
        String what = failure instanceof HttpTimeoutException ? "no answer in time"
                : failure.getClass().getSimpleName()
                        + (failure.getMessage() == null ? "" : ": " + redact(failure.getMessage()));
        return new Result(0, false, JSON.missingNode(), what, null, null);
    }

    private static Throwable unwrap(Throwable failure) {
        Throwable t = failure;
        while (t instanceof CompletionException && t.getCause() != null) {
            t = t.getCause();
        }
        return t;
    }

    private static String stripSlash(String url) {
        String u = url == null ? "" : url.trim();
        while (u.endsWith("/")) {
            u = u.substring(0, u.length() - 1);
        }
        return u;
    }
}
