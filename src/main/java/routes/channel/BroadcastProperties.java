package routes.channel;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * Broadcast groups ({@code caravan.broadcast.groups.<name>}): each a list of member chats written
 * {@code channel:chatId}, e.g. {@code telegram:-100123}, {@code slack:C0123}.
 */
@ConfigurationProperties("caravan.broadcast")
public class BroadcastProperties {

    /** Member chats by group name. */
    private Map<String, List<String>> groups = new LinkedHashMap<>();

    public Map<String, List<String>> getGroups() { return groups; }
    public void setGroups(Map<String, List<String>> groups) { this.groups = groups; }
}
