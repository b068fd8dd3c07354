package routes.channel.web;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RestController;
import routes.channel.Ingress;
import routes.envelope.ChatType;
import routes.envelope.Envelope;
import routes.envelope.EnvelopeCodec;
import routes.envelope.Ids;
import routes.envelope.Turn;
import routes.model.ModelException;
import routes.model.ModelGateway;
import routes.pipeline.ModelCall;

/**
 * The OpenAI-compatible API: {@code POST /v1/chat/completions} (whole or streamed as server-sent events ending in
 * {@code data: [DONE]}) and {@code GET /v1/models}. The official OpenAI SDKs work against it unchanged.
 *
 * <p>A request goes through Kafka and the same pipeline as every channel. {@code model} names a model profile.
 * The conversation is the {@code user} field or the {@code X-Caravan-Chat-Id} header: then Caravan keeps the
 * history and only the last user message of the request is new. Without either, the request's messages array is
 * the whole context and nothing is stored.
 */
@RestController
public class OpenAiController {

    private static final Logger LOG = LoggerFactory.getLogger(OpenAiController.class);
    static final String CHAT_ID_HEADER = "X-Caravan-Chat-Id";

    private final Ingress ingress;
    private final InputLimits limits;
    private final ConnectionRegistry registry;
    private final ModelGateway models;
    private final WebProperties properties;
    private final EventStreamWriter.Counters streams;
    private final long started = Instant.now().getEpochSecond();

    public OpenAiController(Ingress ingress, InputLimits limits, ConnectionRegistry registry, ModelGateway models,
            WebProperties properties, MeterRegistry meters) {
        this.ingress = ingress;
        this.limits = limits;
        this.registry = registry;
        this.models = models;
        this.properties = properties;
        this.streams = EventStreamWriter.Counters.of(meters);
    }

    @GetMapping(path = "/v1/models", produces = "application/json")
    public Map<String, Object> listModels() {
        List<Map<String, Object>> data = models.profileNames().stream().map(this::model).toList();
        return Map.of("object", "list", "data", data);
    }

    @GetMapping(path = "/v1/models/{model}", produces = "application/json")
    public ResponseEntity<?> getModel(@PathVariable("model") String model) {
        if (!models.hasProfile(model)) {
            return unknownModel(model);
        }
        return ResponseEntity.ok(model(model));
    }

    private Map<String, Object> model(String name) {
        return Map.of("id", name, "object", "model", "created", started, "owned_by", "caravan");
    }

    @PostMapping(path = "/v1/chat/completions", consumes = "application/json")
    public Object completions(@RequestBody JsonNode body,
            @RequestHeader(name = CHAT_ID_HEADER, required = false) String chatHeader,
            java.security.Principal principal, HttpServletRequest request, HttpServletResponse response) {
        if (body == null || !body.isObject()) {
            throw new InputLimits.Rejected(400, "bad_json", "the request body must be a JSON object");
        }
        JsonNode modelNode = body.get("model");
        if (modelNode != null && !modelNode.isNull() && !modelNode.isTextual()) {
            throw new InputLimits.Rejected(400, "invalid_model", "model must be a string");
        }
        String model = modelNode != null && !modelNode.isNull() ? modelNode.asText() : models.defaultProfile();
        if (!models.hasProfile(model)) {
            return unknownModel(model);
        }
        JsonNode messages = body.get("messages");
        if (messages == null || !messages.isArray() || messages.isEmpty()) {
            throw new InputLimits.Rejected(400, "missing_messages", "messages must be a non-empty array");
        }
        List<Turn> turns = new ArrayList<>();
        for (JsonNode m : messages) {
            if (!m.isObject()) {
                throw new InputLimits.Rejected(400, "invalid_messages", "each message must be an object");
            }
            turns.add(new Turn(role(m.path("role").asText("user")), content(m.get("content")), null));
        }
        Turn last = turns.get(turns.size() - 1);
        if (!"user".equals(last.role())) {
            throw new InputLimits.Rejected(400, "invalid_messages", "the last message must have role user");
        }
        String text = limits.text(last.text());
        boolean stream = body.path("stream").asBoolean(false);
        boolean includeUsage = body.path("stream_options").path("include_usage").asBoolean(false);
        String conversation = chatHeader != null ? chatHeader : body.hasNonNull("user") ? body.get("user").asText()
                : null;
        conversation = limits.optionalId(conversation, chatHeader != null ? CHAT_ID_HEADER : "user");

        String id = Ids.newId();
        Envelope.Builder builder = Envelope.builder()
                .id(id)
                .channel(WebChannels.OPENAI)
                .chatType(ChatType.DIRECT)
                .text(text)
                .meta(ModelCall.META_PROFILE, model)
                .meta(ModelCall.META_STREAM, stream ? "true" : null);
        if (principal instanceof routes.security.Caller caller) {
            builder.meta(routes.security.WebIdentity.META_ROLE, caller.role().id());
        }
        if (conversation != null) {
            routes.security.WebIdentity.apply(builder, principal, conversation, conversation);
        } else {
            long contextBytes = turns.stream().mapToLong(t -> t.text().length()).sum();
            if (contextBytes > limits.maxTextBytes() * 8) {
                throw new InputLimits.Rejected(413, "context_too_large", "the messages are too large");
            }
            builder.chatId("oa-" + id).senderId(routes.security.WebIdentity.sender(principal, "openai")).meta(ModelCall.META_STATELESS, "true")
                    .context(List.copyOf(turns.subList(0, turns.size() - 1)));
        }
        String completionId = "chatcmpl-" + id.replace("-", "");
        if (stream) {
            stream(request, response, builder, id, completionId, model, includeUsage);
            return null; // the event stream answers; Spring MVC leaves the response alone (it is a parameter)
        }
        long timeout = properties.getReplyTimeout().toMillis();
        AsyncAnswer.write(request, response, whole(builder, id, completionId, model, timeout),
                Duration.ofMillis(timeout + 5000));
        return null; // answered when the reply is here; Spring MVC leaves the response alone (it is a parameter)
    }

    private CompletableFuture<ResponseEntity<?>> whole(Envelope.Builder builder, String id,
            String completionId, String model, long timeout) {
        PendingReplies.Waiter waiter = registry.expect(id, null);
        ingress.accept(builder).whenComplete((accepted, error) -> {
            if (error != null) {
                waiter.reply().completeExceptionally(error);
            }
        });
        return waiter.reply()
                .orTimeout(timeout, TimeUnit.MILLISECONDS)
                .handle((reply, error) -> {
                    if (error != null) {
                        return failure(error);
                    }
                    if (reply.meta(ModelCall.META_ERROR) != null) {
                        return replyError(reply);
                    }
                    ObjectNode completion = EnvelopeCodec.mapper().createObjectNode()
                            .put("id", completionId)
                            .put("object", "chat.completion")
                            .put("created", Instant.now().getEpochSecond())
                            .put("model", model);
                    ObjectNode choice = completion.putArray("choices").addObject();
                    choice.put("index", 0);
                    choice.putObject("message").put("role", "assistant").put("content", reply.text());
                    choice.put("finish_reason", "stop");
                    completion.set("usage", usage(reply));
                    return ResponseEntity.ok().contentType(MediaType.APPLICATION_JSON).body(completion);
                });
    }

    private void stream(HttpServletRequest request, HttpServletResponse response, Envelope.Builder builder,
            String id, String completionId, String model, boolean includeUsage) {
        SseStream sse = new SseStream(completionId, model);
        PendingReplies.Waiter waiter = registry.expect(id, sse::delta);
        try {
            // a client that leaves (or never reads until the timeout) stops waiting for its reply
            sse.open(request, response, Duration.ofMillis(properties.getReplyTimeout().toMillis() + 5000), streams,
                    () -> waiter.reply().cancel(false));
        } catch (IOException | RuntimeException e) {
            waiter.reply().cancel(false);
            throw new IllegalStateException("the event stream could not be opened", e);
        }
        sse.start();
        ingress.accept(builder).whenComplete((accepted, error) -> {
            if (error != null) {
                waiter.reply().completeExceptionally(error);
            }
        });
        waiter.reply()
                .orTimeout(properties.getReplyTimeout().toMillis(), TimeUnit.MILLISECONDS)
                .whenComplete((reply, error) -> {
                    if (error != null) {
                        sse.fail(errorBody(error));
                    } else if (reply.meta(ModelCall.META_ERROR) != null) {
                        sse.fail(errorBody(reply));
                    } else {
                        sse.finish(reply.text(), includeUsage ? usage(reply) : null);
                    }
                });
    }

    private static ObjectNode usage(Envelope reply) {
        int in = parse(reply.meta("inputTokens"));
        int out = parse(reply.meta("outputTokens"));
        return EnvelopeCodec.mapper().createObjectNode()
                .put("prompt_tokens", in)
                .put("completion_tokens", out)
                .put("total_tokens", in + out);
    }

    private static int parse(String v) {
        try {
            return v == null ? 0 : Integer.parseInt(v);
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    private ResponseEntity<?> unknownModel(String model) {
        ResponseEntity<Map<String, Object>> base = ApiError.of(404, "model_not_found",
                "The model '" + truncate(model) + "' does not exist. Known models: " + models.profileNames() + ".");
        @SuppressWarnings("unchecked")
        Map<String, Object> error = (Map<String, Object>) base.getBody().get("error");
        Map<String, Object> withParam = new java.util.LinkedHashMap<>(error);
        withParam.put("param", "model");
        return ResponseEntity.status(404).contentType(MediaType.APPLICATION_JSON).body(Map.of("error", withParam));
    }

    private static int statusOf(String code) {
        return switch (code) {
            case ModelException.NOT_CONFIGURED -> 503;
            case ModelException.TIMEOUT -> 504;
            default -> 502;
        };
    }

    private static ResponseEntity<?> replyError(Envelope reply) {
        String code = reply.meta(ModelCall.META_ERROR);
        return ApiError.of(statusOf(code), code, reply.text());
    }

    private static ResponseEntity<?> failure(Throwable error) {
        Throwable cause = error instanceof java.util.concurrent.CompletionException && error.getCause() != null
                ? error.getCause() : error;
        if (cause instanceof java.util.concurrent.TimeoutException) {
            return ApiError.of(504, "reply_timeout", "no reply arrived in time");
        }
        LOG.warn("an OpenAI-compatible request failed: {}", cause.toString());
        return ApiError.of(503, "unavailable", "the request could not be accepted right now; retry");
    }

    private static ObjectNode errorBody(Envelope reply) {
        String code = reply.meta(ModelCall.META_ERROR);
        ObjectNode node = EnvelopeCodec.mapper().createObjectNode();
        node.putObject("error").put("message", reply.text()).put("type", ApiError.type(statusOf(code)))
                .put("code", code);
        return node;
    }

    private static ObjectNode errorBody(Throwable error) {
        Throwable cause = error instanceof java.util.concurrent.CompletionException && error.getCause() != null
                ? error.getCause() : error;
        boolean timeout = cause instanceof java.util.concurrent.TimeoutException;
        ObjectNode node = EnvelopeCodec.mapper().createObjectNode();
        node.putObject("error")
                .put("message", timeout ? "no reply arrived in time" : "the request could not be processed")
                .put("type", "server_error")
                .put("code", timeout ? "reply_timeout" : "unavailable");
        return node;
    }

    private static String role(String role) {
        return switch (role) {
            case "system", "developer" -> "system";
            case "assistant" -> "assistant";
            default -> "user";
        };
    }

    /** Message content as text: a string, or the text parts of an array of content parts. */
    private static String content(JsonNode content) {
        if (content == null || content.isNull()) {
            return "";
        }
        if (content.isTextual()) {
            return content.asText();
        }
        if (content.isArray()) {
            StringBuilder text = new StringBuilder();
            for (JsonNode part : (ArrayNode) content) {
                if ("text".equals(part.path("type").asText()) && part.path("text").isTextual()) {
                    if (text.length() > 0) {
                        text.append('\n');
                    }
                    text.append(part.get("text").asText());
                }
            }
            return text.toString();
        }
        throw new InputLimits.Rejected(400, "invalid_messages", "content must be a string or an array of parts");
    }

    private static String truncate(String s) {
        return s.length() > 80 ? s.substring(0, 80) + "…" : s;
    }

    /** One streamed completion: chunks in order, nothing after the end, never a wait for the client. */
    private static final class SseStream {
        private final String id;
        private final String model;
        private final long created = Instant.now().getEpochSecond();
        private final StringBuilder sent = new StringBuilder();
        private EventStreamWriter out;
        private boolean done;

        SseStream(String id, String model) {
            this.id = id;
            this.model = model;
        }

        synchronized void open(HttpServletRequest request, HttpServletResponse response, Duration timeout,
                EventStreamWriter.Counters counters, Runnable onGone) throws IOException {
            out = EventStreamWriter.open(request, response, timeout, text -> contentChunk(text).toString(), counters,
                    onGone);
        }

        synchronized void start() {
            ObjectNode chunk = chunk();
            chunk.putArray("choices").addObject().put("index", 0)
                    .putNull("finish_reason")
                    .putObject("delta").put("role", "assistant").put("content", "");
            write(chunk.toString());
        }

        synchronized void delta(String text) {
            if (done) {
                return;
            }
            sent.append(text);
            out.fragment(text);
        }

        synchronized void finish(String fullText, ObjectNode usage) {
            if (done) {
                return;
            }
            String already = sent.toString();
            if (fullText != null && fullText.startsWith(already) && fullText.length() > already.length()) {
                // deltas are best effort: whatever did not arrive as a delta goes out now
                write(contentChunk(fullText.substring(already.length())).toString());
            }
            ObjectNode last = chunk();
            last.putArray("choices").addObject().put("index", 0).put("finish_reason", "stop").putObject("delta");
            write(last.toString());
            if (usage != null) {
                ObjectNode u = chunk();
                u.putArray("choices");
                u.set("usage", usage);
                write(u.toString());
            }
            end();
        }

        synchronized void fail(ObjectNode error) {
            if (done) {
                return;
            }
            write(error.toString());
            end();
        }

        private void end() {
            out.end();
            done = true;
        }

        private ObjectNode chunk() {
            return EnvelopeCodec.mapper().createObjectNode()
                    .put("id", id)
                    .put("object", "chat.completion.chunk")
                    .put("created", created)
                    .put("model", model);
        }

        private ObjectNode contentChunk(String text) {
            ObjectNode chunk = chunk();
            chunk.putArray("choices").addObject().put("index", 0).putNull("finish_reason")
                    .putObject("delta").put("content", text);
            return chunk;
        }

        private void write(String data) {
            out.event(data);
        }
    }
}
