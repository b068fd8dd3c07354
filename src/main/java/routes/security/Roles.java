package routes.security;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.springframework.boot.context.properties.ConfigurationProperties;
import routes.envelope.Envelope;

/**
 * Who holds which role on the chat platforms ({@code caravan.roles.<role>}): a list of {@code channel:senderId}
 * patterns ({@code *} matches anything), e.g. {@code admin: ["telegram:12345", "slack:U0ADMIN"]}. Caravan's own
 * roles include each other ({@code admin} ⊇ {@code dev} ⊇ {@code user}); other role names are plain groups. A web
 * message also holds the role its caller authenticated with. Tool permissions name roles as {@code role:<name>}.
 */
@ConfigurationProperties("caravan")
public class Roles {

    private Map<String, List<String>> roles = new LinkedHashMap<>();

    public Map<String, List<String>> getRoles() { return roles; }
    public void setRoles(Map<String, List<String>> roles) { this.roles = roles; }

    /** Whether the sender {@code senderId} of {@code channel} holds {@code role} by configuration. */
    public boolean holds(String role, String channel, String senderId) {
        if (senderId == null) {
            return false;
        }
        String who = channel + ":" + senderId;
        if (Patterns.matchesAny(roles.get(role), who)) {
            return true;
        }
        // a higher built-in role grants the lower ones
        Role needed = Role.parse(role).orElse(null);
        if (needed == null) {
            return false;
        }
        for (Role higher : Role.values()) {
            if (higher != needed && higher.includes(needed) && Patterns.matchesAny(roles.get(higher.id()), who)) {
                return true;
            }
        }
        return false;
    }

    /** Whether the sender of {@code message} holds {@code role}: by configuration, or by its web sign-in. */
    public boolean holds(String role, Envelope message) {
        if (holds(role, message.channel(), message.senderId())) {
            return true;
        }
        Role signedIn = Role.parse(message.meta(WebIdentity.META_ROLE)).orElse(null);
        Role needed = Role.parse(role).orElse(null);
        return signedIn != null && needed != null && signedIn.includes(needed);
    }
}
