package routes.ops;

import com.fasterxml.jackson.databind.JsonNode;
import java.security.Principal;
import java.util.LinkedHashMap;
import java.util.Map;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;
import routes.channel.web.ApiError;
import routes.security.Pairings;

/**
 * Pairing requests of unknown platform senders, for admins (role admin, see SecurityConfig):
 * <ul>
 *   <li>{@code GET /admin/pairing}: pending requests and approved senders per channel</li>
 *   <li>{@code POST /admin/pairing} with {@code {"code":"ABCD-EFGH"}}: approve a request</li>
 *   <li>{@code DELETE /admin/pairing/{channel}/{senderId}}: take an approval back</li>
 * </ul>
 */
@RestController
@RequestMapping("/admin/pairing")
public class PairingController {

    private final Pairings pairings;
    private final AuditLog audit;

    public PairingController(Pairings pairings, AuditLog audit) {
        this.pairings = pairings;
        this.audit = audit;
    }

    @GetMapping(produces = "application/json")
    public Map<String, Object> list() {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("pending", pairings.pending().stream().map(r -> {
            Map<String, Object> entry = new LinkedHashMap<>();
            entry.put("code", Pairings.display(r.code()));
            entry.put("channel", r.channel());
            entry.put("senderId", r.senderId());
            entry.put("name", r.name());
            entry.put("requestedAt", r.requestedAt().toString());
            entry.put("expiresAt", r.expiresAt().toString());
            return entry;
        }).toList());
        body.put("approved", pairings.approvedSenders());
        return body;
    }

    @PostMapping(consumes = "application/json", produces = "application/json")
    public ResponseEntity<?> approve(@RequestBody JsonNode body, Principal principal,
            jakarta.servlet.http.HttpServletRequest request) {
        JsonNode code = body == null ? null : body.get("code");
        if (code == null || !code.isTextual() || code.asText().isBlank() || code.asText().length() > 32) {
            return ApiError.of(400, "missing_code", "Give the pairing code to approve in \"code\".");
        }
        return pairings.approve(code.asText()).<ResponseEntity<?>>map(r -> {
            audit.record("pairing.approved", r.channel() + ":" + r.senderId(), request, Map.of("by", actor(principal), "channel", r.channel()));
            Map<String, Object> answer = new LinkedHashMap<>();
            answer.put("approved", true);
            answer.put("channel", r.channel());
            answer.put("senderId", r.senderId());
            return ResponseEntity.ok(answer);
        }).orElseGet(() -> ApiError.of(404, "unknown_code", "No pending request has that code (wrong, already "
                + "approved, or expired)."));
    }

    @DeleteMapping(path = "/{channel}/{senderId}", produces = "application/json")
    public ResponseEntity<?> revoke(@PathVariable("channel") String channel, @PathVariable("senderId") String senderId,
            Principal principal,
            jakarta.servlet.http.HttpServletRequest request) {
        if (!pairings.revoke(channel, senderId)) {
            return ApiError.of(404, "not_approved", "That sender was not approved on that channel.");
        }
        audit.record("pairing.revoked", channel + ":" + senderId, request, Map.of("by", actor(principal), "channel", channel));
        return ResponseEntity.ok(Map.of("revoked", true, "channel", channel, "senderId", senderId));
    }

    private static String actor(Principal principal) {
        return principal == null ? "unknown" : principal.getName();
    }
}
