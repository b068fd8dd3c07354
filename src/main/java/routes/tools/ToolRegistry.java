package routes.tools;

import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.regex.Pattern;
import org.apache.camel.CamelContext;
import org.springframework.stereotype.Component;
import routes.security.Patterns;
import routes.security.Roles;

/**
 * The tools there are, and where each may be used.
 *
 * <p>Tools are {@link ToolDefinition} beans: the built-in ones from Java, and those an integrator declares in YAML
 * next to the tool's route (Camel's {@code - beans:} in a routes file). Looked up on every use, so a tool added by a
 * reloaded routes file is there at once.
 */
@Component
public class ToolRegistry {

    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_-]{1,64}");

    private final CamelContext camel;
    private final ToolsProperties properties;
    private final Roles roles;

    public ToolRegistry(CamelContext camel, ToolsProperties properties, Roles roles) {
        this.camel = camel;
        this.properties = properties;
        this.roles = roles;
    }

    /** Every tool, by name (a name declared twice: the first in name order of the beans wins). */
    public List<ToolDefinition> all() {
        Map<String, ToolDefinition> byName = new TreeMap<>();
        camel.getRegistry().findByType(ToolDefinition.class).stream()
                .filter(t -> t.getName() != null && NAME.matcher(t.getName()).matches())
                .sorted(Comparator.comparing(ToolDefinition::getName))
                .forEach(t -> byName.putIfAbsent(t.getName(), t));
        return List.copyOf(byName.values());
    }

    public Optional<ToolDefinition> get(String name) {
        return all().stream().filter(t -> t.getName().equals(name)).findFirst();
    }

    /** The tools a conversation may use (for a sender, when roles matter). */
    public List<ToolDefinition> allowed(routes.envelope.Envelope message) {
        return all().stream().filter(t -> isAllowed(t, message)).toList();
    }

    /**
     * Whether {@code tool} may run for {@code senderId} in the conversation: not denied there, and allowed when it
     * has an allowlist or side effects (tools with side effects are denied by default). List entries are
     * {@code channel:chatId} patterns or {@code role:<name>} (the sender holds the role, see {@code caravan.roles}).
     */
    public boolean isAllowed(ToolDefinition tool, routes.envelope.Envelope message) {
        if (matches(properties.getDeny().get(tool.getName()), message)) {
            return false;
        }
        List<String> allow = properties.getAllow().get(tool.getName());
        if (allow != null && !allow.isEmpty()) {
            return matches(allow, message);
        }
        return !tool.isSideEffects();
    }

    private boolean matches(List<String> entries, routes.envelope.Envelope message) {
        if (entries == null) {
            return false;
        }
        for (String entry : entries) {
            if (entry.startsWith("role:") ? roles.holds(entry.substring(5), message)
                    : Patterns.matches(entry, message.channel() + ":" + message.chatId())) {
                return true;
            }
        }
        return false;
    }
}
