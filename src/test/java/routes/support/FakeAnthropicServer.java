package routes.support;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import java.io.IOException;
import java.io.OutputStream;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A real HTTP fake of the Anthropic Messages API: {@code POST /v1/messages}, answered as a server-sent event stream
 * ({@code message_start}, {@code content_block_start}, one {@code content_block_delta} per word,
 * {@code content_block_stop}, {@code message_delta} with the usage, {@code message_stop}) or, without
 * {@code "stream": true}, as one JSON message.
 *
 * <p>Like the real API it refuses a wrong {@code x-api-key} with 401 and a missing or unknown
 * {@code anthropic-version} with 400, both as Anthropic error objects. Tokens are counted as words: input is the
 * system prompt and every message, output is the reply.
 */
public final class FakeAnthropicServer extends FakeModelServer<FakeAnthropicServer> {

    /** The API version the fake accepts, the one Caravan sends by default. */
    public static final String VERSION = "2023-06-01";

    private final String apiKey;
    private final AtomicLong ids = new AtomicLong();

    /** A fake that accepts only {@code apiKey}. */
    public FakeAnthropicServer(String apiKey) {
        this.apiKey = apiKey;
    }

    @Override
    public String baseUrl() {
        return "http://127.0.0.1:" + port() + "/v1";
    }

    @Override
    protected boolean isChatPath(String path) {
        return path.equals("/v1/messages");
    }

    @Override
    protected Refusal refuse(HttpExchange exchange) {
        var headers = exchange.getRequestHeaders();
        if (!apiKey.equals(headers.getFirst("x-api-key"))) {
            return new Refusal(401, error("authentication_error", "invalid x-api-key"));
        }
        if (!VERSION.equals(headers.getFirst("anthropic-version"))) {
            return new Refusal(400, error("invalid_request_error", "anthropic-version: unknown or missing"));
        }
        return null;
    }

    @Override
    protected String errorBody(int status, String message) {
        String type = switch (status) {
            case 401 -> "authentication_error";
            case 404 -> "not_found_error";
            case 429 -> "rate_limit_error";
            case 529 -> "overloaded_error";
            default -> status >= 500 ? "api_error" : "invalid_request_error";
        };
        return error(type, message);
    }

    private static String error(String type, String message) {
        ObjectNode root = JSON.createObjectNode().put("type", "error");
        root.putObject("error").put("type", type).put("message", message);
        return root.toString();
    }

    @Override
    protected void answer(HttpExchange exchange, JsonNode body, String reply) throws IOException {
        String id = "msg_fake_" + ids.incrementAndGet();
        String model = body.path("model").asText();
        int input = inputTokens(body);
        int output = words(reply);
        if (!body.path("stream").asBoolean()) {
            ObjectNode message = message(id, model, input, output).put("stop_reason", "end_turn");
            message.putArray("content").addObject().put("type", "text").put("text", reply);
            sendJson(exchange, 200, Map.of(), message.toString());
            return;
        }
        OutputStream out = startStream(exchange, "text/event-stream; charset=utf-8");
        ObjectNode start = JSON.createObjectNode().put("type", "message_start");
        ObjectNode opening = message(id, model, input, 1);
        opening.putArray("content");
        start.set("message", opening);
        event(out, start);
        ObjectNode blockStart = JSON.createObjectNode().put("type", "content_block_start").put("index", 0);
        blockStart.putObject("content_block").put("type", "text").put("text", "");
        event(out, blockStart);
        write(out, "event: ping\ndata: {\"type\": \"ping\"}\n\n");
        for (String piece : FakeOpenAiServer.deltas(reply)) {
            ObjectNode delta = JSON.createObjectNode().put("type", "content_block_delta").put("index", 0);
            delta.putObject("delta").put("type", "text_delta").put("text", piece);
            event(out, delta);
        }
        event(out, JSON.createObjectNode().put("type", "content_block_stop").put("index", 0));
        ObjectNode messageDelta = JSON.createObjectNode().put("type", "message_delta");
        messageDelta.putObject("delta").put("stop_reason", "end_turn").putNull("stop_sequence");
        messageDelta.putObject("usage").put("output_tokens", output);
        event(out, messageDelta);
        event(out, JSON.createObjectNode().put("type", "message_stop"));
    }

    private static ObjectNode message(String id, String model, int input, int output) {
        ObjectNode message = JSON.createObjectNode().put("id", id).put("type", "message").put("role", "assistant")
                .put("model", model);
        message.putNull("stop_reason");
        message.putNull("stop_sequence");
        message.putObject("usage").put("input_tokens", input).put("output_tokens", output);
        return message;
    }

    /** An Anthropic event: its type both as the event name and in the data. */
    private static void event(OutputStream out, ObjectNode data) throws IOException {
        write(out, "event: " + data.path("type").asText() + "\ndata: " + data + "\n\n");
    }

    private static int inputTokens(JsonNode body) {
        int n = words(text(body.path("system")));
        for (JsonNode message : body.path("messages")) {
            n += words(text(message.path("content")));
        }
        return n;
    }
}
