package routes.security;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * Who holds which role ({@code caravan.roles.<role>}): a list of {@code channel:senderId} patterns ({@code *}
 * matches anything), e.g. {@code operators: ["telegram:12345", "slack:U0ADMIN"]}. Tool permissions name roles as
 * {@code role:<name>}.
 */
@ConfigurationProperties("caravan")
public class Roles {

    private Map<String, List<String>> roles = new LinkedHashMap<>();

    public Map<String, List<String>> getRoles() { return roles; }
    public void setRoles(Map<String, List<String>> roles) { this.roles = roles; }

    /** Whether the sender {@code senderId} of {@code channel} holds {@code role}. */
    public boolean holds(String role, String channel, String senderId) {
        List<String> members = roles.get(role);
        return senderId != null && members != null && Patterns.matchesAny(members, channel + ":" + senderId);
    }
}
