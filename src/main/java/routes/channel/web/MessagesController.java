package routes.channel.web;

import com.fasterxml.jackson.databind.JsonNode;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;
import routes.channel.Ingress;
import routes.envelope.ChatType;
import routes.envelope.Envelope;

/**
 * REST: {@code POST /api/v1/messages} with {@code {"chatId","senderId","text"}} (optional {@code id} for dedupe)
 * answers {@code 202 {"id","status":"accepted"}} once the message is on Kafka; {@code GET /api/v1/messages/{id}}
 * gives its status and, once ready, the reply.
 */
@RestController
@RequestMapping("/api/v1/messages")
public class MessagesController {

    private static final Logger LOG = LoggerFactory.getLogger(MessagesController.class);
    /** The container's bound on an acceptance; Kafka's delivery timeout (15 s by default) ends it far sooner. */
    private static final Duration ACCEPT_TIMEOUT = Duration.ofSeconds(60);

    private final Ingress ingress;
    private final InputLimits limits;
    private final MessageStatusStore statuses;

    public MessagesController(Ingress ingress, InputLimits limits, MessageStatusStore statuses) {
        this.ingress = ingress;
        this.limits = limits;
        this.statuses = statuses;
    }

    @PostMapping(consumes = "application/json", produces = "application/json")
    public void post(@RequestBody JsonNode body, java.security.Principal principal, HttpServletRequest request,
            HttpServletResponse response) {
        if (body == null || !body.isObject()) {
            throw new InputLimits.Rejected(400, "bad_json", "the request body must be a JSON object");
        }
        String chatId = limits.optionalId(text(body, "chatId"), "chatId");
        if (chatId == null) {
            throw new InputLimits.Rejected(400, "missing_chatId", "chatId is required");
        }
        String senderId = limits.optionalId(text(body, "senderId"), "senderId");
        String id = limits.optionalId(text(body, "id"), "id");
        String text = limits.text(text(body, "text"));
        Envelope.Builder builder = Envelope.builder()
                .id(id)
                .channel(WebChannels.REST)
                .chatType(ChatType.DIRECT)
                .text(text);
        routes.security.WebIdentity.apply(builder, principal, chatId, senderId != null ? senderId : "rest:" + chatId);
        AsyncAnswer.write(request, response, ingress.accept(builder).handle((accepted, error) -> {
            if (error != null) {
                LOG.warn("could not accept a REST message: {}", error.toString());
                return ApiError.of(503, "unavailable", "the message could not be accepted right now; retry");
            }
            try {
                statuses.accepted(accepted);
            } catch (RuntimeException e) {
                // the message is on Kafka and will be answered; only GET shows "not_found" until the reply is stored
                LOG.warn("message {} accepted, but its status could not be stored: {}", accepted.id(), e.toString());
            }
            Map<String, Object> answer = new LinkedHashMap<>();
            answer.put("id", accepted.id());
            answer.put("status", "accepted");
            return ResponseEntity.accepted().body(answer);
        }), ACCEPT_TIMEOUT);
    }

    @GetMapping(path = "/{id}", produces = "application/json")
    public ResponseEntity<Map<String, Object>> get(@PathVariable("id") String id) {
        limits.optionalId(id, "id");
        Map<Object, Object> stored = statuses.find(id);
        if (stored.isEmpty()) {
            return ApiError.of(404, "not_found", "no message with that id (unknown or expired)");
        }
        Map<String, Object> answer = new LinkedHashMap<>();
        answer.put("id", id);
        answer.put("status", stored.get("status"));
        answer.put("chatId", stored.get("chatId"));
        if ("replied".equals(stored.get("status"))) {
            Map<String, Object> reply = new LinkedHashMap<>();
            reply.put("id", stored.get("replyId"));
            reply.put("text", stored.get("text"));
            reply.put("createdAt", stored.get("repliedAt"));
            if (stored.get("error") != null) {
                reply.put("error", stored.get("error"));
            }
            answer.put("reply", reply);
        }
        return ResponseEntity.ok(answer);
    }

    private static String text(JsonNode body, String field) {
        JsonNode node = body.get(field);
        if (node == null || node.isNull()) {
            return null;
        }
        if (!node.isTextual()) {
            throw new InputLimits.Rejected(400, "invalid_" + field, field + " must be a string");
        }
        return node.asText();
    }
}
