package routes.ops;

import jakarta.servlet.http.HttpServletRequest;
import java.security.Principal;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RestController;
import routes.channel.web.ApiError;
import routes.security.Erasure;

/**
 * {@code DELETE /admin/users/{channel}/{senderId}}: erases what Caravan keeps about one sender ({@link Erasure}) and
 * answers {@code 200} with the counts of what was removed. Access to {@code /admin/**} is the web security's
 * concern, not this controller's.
 */
@RestController
public class ErasureController {

    private static final Logger LOG = LoggerFactory.getLogger(ErasureController.class);
    private static final Pattern CHANNEL = Pattern.compile("[A-Za-z0-9_-]{1,64}");
    private static final int MAX_ID_LENGTH = 200;

    private final Erasure erasure;

    public ErasureController(Erasure erasure) {
        this.erasure = erasure;
    }

    @DeleteMapping(path = "/admin/users/{channel}/{senderId}", produces = "application/json")
    public ResponseEntity<?> erase(HttpServletRequest request, @PathVariable("channel") String channel,
            @PathVariable("senderId") String senderId) {
        if (!CHANNEL.matcher(channel).matches()) {
            return ApiError.of(400, "invalid_channel", "channel must be 1 to 64 letters, digits, '_' or '-'");
        }
        if (senderId.isBlank() || senderId.length() > MAX_ID_LENGTH
                || senderId.chars().anyMatch(Character::isISOControl)) {
            return ApiError.of(400, "invalid_senderId",
                    "senderId must be 1 to " + MAX_ID_LENGTH + " characters without control characters");
        }
        Principal principal = request.getUserPrincipal();
        String actor = principal != null ? "admin:" + principal.getName() : "admin";
        Erasure.Result result;
        try {
            result = erasure.erase(channel, senderId, actor, List.of());
        } catch (AuditLog.NotWrittenException e) {
            LOG.error("an erasure ran but its audit event could not be written: {}", e.getMessage());
            return ApiError.of(503, "audit_unavailable", "the data was erased, but the audit event could not be "
                    + "written; repeat the request once Kafka is back so the erasure is on record");
        }
        Map<String, Object> body = new java.util.LinkedHashMap<>();
        body.put("userId", channel + ":" + senderId);
        body.put("erased", result.counts());
        return ResponseEntity.ok(body);
    }
}
