package routes.support;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import java.io.IOException;
import java.io.OutputStream;
import java.time.Instant;
import java.util.Map;

/**
 * A real HTTP fake of Ollama's native chat API: {@code POST /api/chat}, answered as newline-delimited JSON (one
 * {@code "done": false} object per word, then a {@code "done": true} object with {@code prompt_eval_count} and
 * {@code eval_count}) or, with {@code "stream": false}, as the single final object holding the whole message.
 * Errors are Ollama's {@code {"error": "..."}}. Tokens are counted as words.
 */
public final class FakeOllamaServer extends FakeModelServer<FakeOllamaServer> {

    @Override
    public String baseUrl() {
        return "http://127.0.0.1:" + port();
    }

    @Override
    protected boolean isChatPath(String path) {
        return path.equals("/api/chat");
    }

    @Override
    protected Refusal refuse(HttpExchange exchange) {
        return null;
    }

    @Override
    protected String errorBody(int status, String message) {
        return JSON.createObjectNode().put("error", message).toString();
    }

    @Override
    protected void answer(HttpExchange exchange, JsonNode body, String reply) throws IOException {
        String model = body.path("model").asText();
        int input = 0;
        for (JsonNode message : body.path("messages")) {
            input += words(text(message.path("content")));
        }
        // Ollama streams unless told not to
        if (!body.path("stream").asBoolean(true)) {
            sendJson(exchange, 200, Map.of(), done(model, reply, input, words(reply)).toString());
            return;
        }
        OutputStream out = startStream(exchange, "application/x-ndjson");
        for (String piece : FakeOpenAiServer.deltas(reply)) {
            write(out, line(model, piece).put("done", false) + "\n");
        }
        write(out, done(model, "", input, words(reply)) + "\n");
    }

    private static ObjectNode line(String model, String content) {
        ObjectNode line = JSON.createObjectNode().put("model", model).put("created_at", Instant.now().toString());
        line.putObject("message").put("role", "assistant").put("content", content);
        return line;
    }

    private static ObjectNode done(String model, String content, int input, int output) {
        return line(model, content).put("done", true).put("done_reason", "stop")
                .put("total_duration", 1_000_000L).put("prompt_eval_count", input).put("eval_count", output);
    }
}
