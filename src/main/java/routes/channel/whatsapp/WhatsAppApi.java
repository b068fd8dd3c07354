package routes.channel.whatsapp;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import routes.channel.PlatformException;

/**
 * Sends messages with the Cloud API ({@code POST {api-url}/{phone-number-id}/messages}) without holding a thread
 * while Meta answers.
 *
 * <p>Failures complete the future with a {@link PlatformException}: retriable for 429, 5xx, timeouts and Meta's
 * throttling error codes (which may come with HTTP 400); not for the rest (for example 131047, the 24-hour window
 * closed, or 131026, the number is not on WhatsApp). The access token only ever goes into the Authorization header.
 */
public class WhatsAppApi {

    /** Graph API error codes that mean "slow down" whatever the HTTP status. */
    private static final Set<Integer> THROTTLED = Set.of(4, 80007, 130429, 131048, 131056);
    /** Graph API error codes that are Meta's own transient trouble. */
    private static final Set<Integer> TRANSIENT = Set.of(1, 2, 131000, 131016);
    private static final ObjectMapper JSON = new ObjectMapper();

    /** One message to send. */
    public sealed interface Outgoing permits Text, Template {
    }

    /** A free-form text message (allowed within the customer-service window). */
    public record Text(String body) implements Outgoing {
    }

    /** An approved template without parameters (allowed at any time). */
    public record Template(String name, String language) implements Outgoing {
    }

    private final HttpClient http;
    private final String apiBase;
    private final String accessToken;
    private final Duration timeout;

    public WhatsAppApi(HttpClient http, String apiUrl, String accessToken, Duration timeout) {
        this.http = http;
        this.apiBase = apiUrl.endsWith("/") ? apiUrl.substring(0, apiUrl.length() - 1) : apiUrl;
        this.accessToken = accessToken;
        this.timeout = timeout;
    }

    /** A client with its own JDK HTTP client, for the kamelets. */
    public static WhatsAppApi create(String apiUrl, String accessToken, Duration timeout) {
        return new WhatsAppApi(HttpClient.newBuilder().connectTimeout(timeout).build(), apiUrl, accessToken, timeout);
    }

    /** The JSON body of a message to {@code to}. */
    static ObjectNode body(String to, Outgoing message) {
        ObjectNode body = JSON.createObjectNode()
                .put("messaging_product", "whatsapp")
                .put("recipient_type", "individual")
                .put("to", to);
        if (message instanceof Text text) {
            body.put("type", "text");
            body.putObject("text").put("preview_url", false).put("body", text.body());
        } else if (message instanceof Template template) {
            body.put("type", "template");
            ObjectNode t = body.putObject("template").put("name", template.name());
            t.putObject("language").put("code", template.language());
        }
        return body;
    }

    /**
     * Sends {@code message} to {@code to} from the business number {@code phoneNumberId}.
     *
     * @return the id WhatsApp gave the sent message
     */
    public CompletableFuture<String> send(String phoneNumberId, String to, Outgoing message) {
        HttpRequest request;
        try {
            request = HttpRequest.newBuilder(URI.create(apiBase + "/"
                            + URLEncoder.encode(phoneNumberId, StandardCharsets.UTF_8) + "/messages"))
                    .timeout(timeout)
                    .header("Authorization", "Bearer " + accessToken)
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofByteArray(JSON.writeValueAsBytes(body(to, message))))
                    .build();
        } catch (IOException | IllegalArgumentException e) {
            return CompletableFuture.failedFuture(new PlatformException(WhatsAppConstants.CHANNEL, 400,
                    "request not built: " + e.getMessage(), null));
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

    /** Reads Meta's answer: the sent message's id, or the failure as a {@link PlatformException}. */
    static String outcome(int status, String body, String retryAfterHeader) {
        JsonNode answer;
        try {
            answer = JSON.readTree(body == null || body.isEmpty() ? "{}" : body);
        } catch (IOException e) {
            answer = JSON.createObjectNode();
        }
        Duration retryAfter = retryAfter(retryAfterHeader);
        if (status >= 200 && status <= 299) {
            return answer.path("messages").path(0).path("id").asText(null);
        }
        JsonNode error = answer.path("error");
        int code = error.path("code").asInt(0);
        String detail = code == 0 ? "HTTP " + status
                : code + " " + error.path("message").asText("").replaceAll("\\s+", " ");
        if (status == 429 || THROTTLED.contains(code)) {
            throw new GraphApiException(429, code, detail, retryAfter);
        }
        if (status >= 500 || TRANSIENT.contains(code)) {
            throw new GraphApiException(status >= 500 ? status : 503, code, detail, retryAfter);
        }
        // a 2xx-less answer that is not an error status still must not count as retriable success
        throw new GraphApiException(status >= 400 ? status : 502, code, detail, null);
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
        String what = cause instanceof HttpTimeoutException ? "timed out"
                : "unreachable: " + cause.getClass().getSimpleName();
        return new PlatformException(WhatsAppConstants.CHANNEL, 0, what, null);
    }
}
