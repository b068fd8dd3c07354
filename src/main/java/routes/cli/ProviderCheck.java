package routes.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Asks a model provider whether it takes the key, with the cheapest call each API has: listing its models
 * ({@code GET <base>/models} for OpenAI-compatible servers with a bearer key, Anthropic's {@code GET /v1/models} with
 * {@code x-api-key} and {@code anthropic-version}, Ollama's {@code GET /api/tags}). A refusal is reported with the
 * status and the provider's own error message; the key itself is never shown.
 */
final class ProviderCheck {

    /** What the provider said. */
    record Result(boolean ok, String message, List<String> models) {

        /** Whether the provider lists {@code model} (Ollama lists {@code name:tag}; a bare name means latest). */
        boolean lists(String model) {
            return models.stream().anyMatch(m -> m.equals(model) || m.equals(model + ":latest"));
        }
    }

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int MAX_ERROR = 300;

    private final Net net;

    ProviderCheck(Net net) {
        this.net = net;
    }

    /**
     * Calls the provider.
     *
     * @param type             openai, anthropic or ollama
     * @param baseUrl          the API base URL as configured (OpenAI-compatible and Anthropic with /v1, Ollama
     *                         without)
     * @param apiKey           the key; empty for servers that need none
     * @param anthropicVersion the {@code anthropic-version} header (Anthropic only)
     */
    Result check(String type, String baseUrl, String apiKey, String anthropicVersion) {
        String kind = type == null ? "openai" : type.trim().toLowerCase(Locale.ROOT);
        String base = baseUrl == null ? "" : baseUrl.trim().replaceAll("/+$", "");
        URI uri;
        try {
            uri = URI.create(base + (kind.equals("ollama") ? "/api/tags" : "/models"));
        } catch (IllegalArgumentException e) {
            return failed("invalid base URL " + base + ": " + e.getMessage());
        }
        if (uri.getHost() == null || !(uri.getScheme().equals("http") || uri.getScheme().equals("https"))) {
            return failed("invalid base URL " + base + ": needs http:// or https:// and a host");
        }
        boolean hasKey = apiKey != null && !apiKey.isBlank();
        HttpRequest.Builder request = HttpRequest.newBuilder(uri).GET().header("Accept", "application/json");
        switch (kind) {
            case "openai" -> {
                if (hasKey) {
                    request.header("Authorization", "Bearer " + apiKey.trim());
                }
            }
            case "anthropic" -> {
                if (hasKey) {
                    request.header("x-api-key", apiKey.trim());
                }
                request.header("anthropic-version", anthropicVersion == null || anthropicVersion.isBlank()
                        ? "2023-06-01" : anthropicVersion.trim());
            }
            case "ollama" -> { }
            default -> {
                return failed("unknown provider type " + type + " (openai, anthropic or ollama)");
            }
        }
        HttpResponse<String> response;
        try {
            response = net.send(request);
        } catch (IOException e) {
            return failed(net.explain(e, Net.hostPort(uri)));
        }
        int status = response.statusCode();
        if (status / 100 != 2) {
            return failed("HTTP " + status + " from GET " + uri + ": " + errorText(response.body()));
        }
        List<String> models = models(kind, response.body());
        String what = hasKey ? "key accepted" : "answered";
        return new Result(true, what + ", " + models.size() + (models.size() == 1 ? " model" : " models")
                + " listed", models);
    }

    private static Result failed(String message) {
        return new Result(false, message, List.of());
    }

    private static List<String> models(String kind, String body) {
        List<String> names = new ArrayList<>();
        try {
            JsonNode root = JSON.readTree(body);
            JsonNode list = kind.equals("ollama") ? root.path("models") : root.path("data");
            String field = kind.equals("ollama") ? "name" : "id";
            list.forEach(model -> {
                if (model.hasNonNull(field)) {
                    names.add(model.get(field).asText());
                }
            });
        } catch (IOException e) {
            // a 2xx with an unexpected body still proves the key and the URL; it just lists nothing
        }
        return names;
    }

    /** The provider's own message: OpenAI's and Anthropic's {@code error.message}, Ollama's {@code error}. */
    private static String errorText(String body) {
        String text = body == null ? "" : body.strip();
        try {
            JsonNode root = JSON.readTree(text);
            if (root != null) {
                JsonNode error = root.path("error");
                if (error.isTextual()) {
                    text = error.asText();
                } else if (error.path("message").isTextual()) {
                    text = error.path("message").asText();
                } else if (root.path("message").isTextual()) {
                    text = root.path("message").asText();
                }
            }
        } catch (IOException e) {
            // not JSON: the body as it came
        }
        text = text.replaceAll("\\s+", " ");
        if (text.isEmpty()) {
            return "(no message)";
        }
        return text.length() > MAX_ERROR ? text.substring(0, MAX_ERROR) + "..." : text;
    }
}
