package routes.ops;

import com.fasterxml.jackson.databind.JsonNode;
import jakarta.servlet.http.HttpServletRequest;
import java.security.Principal;
import java.util.LinkedHashMap;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import routes.channel.web.ApiError;
import routes.model.ModelGateway;
import routes.model.ProfileOverrides;

/**
 * The admin API for model profiles: which profile answers, for everyone or for one conversation, switched without
 * a restart. Guarded by {@code caravan.admin.token} (Bearer), or open to loopback callers only when no token is set.
 * Every switch is audited ({@code model.switched}).
 *
 * <ul>
 *   <li>{@code GET /api/v1/admin/profile[?channel=&chatId=]}: the default, the global switch, the conversation's
 *       switch, the known profiles</li>
 *   <li>{@code PUT /api/v1/admin/profile} with {@code {"profile":"coding"}} (everyone) or
 *       {@code {"profile":"coding","channel":"telegram","chatId":"42"}} (one conversation)</li>
 *   <li>{@code DELETE /api/v1/admin/profile[?channel=&chatId=]}: back to the routing rules</li>
 * </ul>
 */
@RestController
@RequestMapping({"/admin", "/api/v1/admin"})
public class AdminController {

    private static final Logger LOG = LoggerFactory.getLogger(AdminController.class);

    private final AdminProperties properties;
    private final ModelGateway models;
    private final ProfileOverrides overrides;
    private final AuditLog audit;

    public AdminController(AdminProperties properties, ModelGateway models, ProfileOverrides overrides,
            AuditLog audit) {
        this.properties = properties;
        this.models = models;
        this.overrides = overrides;
        this.audit = audit;
    }

    @GetMapping("/profile")
    public ResponseEntity<?> profile(HttpServletRequest request,
            @RequestParam(name = "channel", required = false) String channel,
            @RequestParam(name = "chatId", required = false) String chatId) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("default", models.defaultProfile());
        body.put("global", overrides.global());
        if (channel != null && chatId != null) {
            body.put("chat", overrides.forChat(channel, chatId));
        }
        body.put("profiles", models.profileNames());
        return ResponseEntity.ok(body);
    }

    @PutMapping("/profile")
    public ResponseEntity<?> switchProfile(HttpServletRequest request, @RequestBody JsonNode body) {
        String profile = text(body, "profile");
        String channel = text(body, "channel");
        String chatId = text(body, "chatId");
        if (profile == null) {
            return ApiError.of(400, "missing_profile", "Give the profile to switch to in \"profile\".");
        }
        if (!models.hasProfile(profile)) {
            return ApiError.of(404, "unknown_profile", "There is no profile called '" + profile + "'. Profiles: "
                    + models.profileNames() + ".");
        }
        if ((channel == null) != (chatId == null)) {
            return ApiError.of(400, "missing_chat", "Give both \"channel\" and \"chatId\" to switch one "
                    + "conversation, or neither to switch everyone.");
        }
        if (channel == null) {
            overrides.setGlobal(profile);
            LOG.info("admin: every conversation now uses profile {}", profile);
        } else {
            overrides.setForChat(channel, chatId, profile);
            LOG.info("admin: conversation {}:{} now uses profile {}", channel, chatId, profile);
        }
        audited(request, profile, channel, chatId);
        return profile(request, channel, chatId);
    }

    @DeleteMapping("/profile")
    public ResponseEntity<?> clearProfile(HttpServletRequest request,
            @RequestParam(name = "channel", required = false) String channel,
            @RequestParam(name = "chatId", required = false) String chatId) {
        if (channel != null && chatId != null) {
            overrides.setForChat(channel, chatId, null);
            audited(request, null, channel, chatId);
        } else {
            overrides.setGlobal(null);
            audited(request, null, null, null);
        }
        return profile(request, channel, chatId);
    }

    /** {@code model.switched}: the profile ({@code auto} = the routing rules), for everyone or one chat, by whom. */
    private void audited(HttpServletRequest request, String profile, String channel, String chatId) {
        Principal principal = request.getUserPrincipal();
        String caller = principal == null ? null : principal.getName();
        audit.record("model.switched", caller, request,
                AuditLog.payload("profile", profile == null ? "auto" : profile,
                        "scope", channel == null ? "global" : "chat",
                        "chat", channel == null ? null : channel + ":" + chatId,
                        "by", caller == null ? "admin" : "admin:" + caller));
    }

    private static String text(JsonNode body, String field) {
        JsonNode node = body == null ? null : body.get(field);
        return node == null || node.isNull() || node.asText().isBlank() ? null : node.asText();
    }
}
