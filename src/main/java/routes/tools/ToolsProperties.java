package routes.tools;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.springframework.boot.context.properties.ConfigurationProperties;

/** Tools the model may call ({@code caravan.tools.*}). */
@ConfigurationProperties("caravan.tools")
public class ToolsProperties {

    /** Model calls one message may take while the model asks for tools; then it must answer. */
    private int maxSteps = 5;

    /** Longest a tool may run. */
    private Duration timeout = Duration.ofSeconds(30);

    /** Longest tool result handed to the model, in characters; the rest is cut. */
    private int maxResultChars = 8000;

    /**
     * Where a tool may be used, by tool name: patterns {@code channel:chatId} ({@code *} matches anything, e.g.
     * {@code telegram:*}, {@code websocket:support-*}) or roles ({@code role:operators}, see {@code caravan.roles}).
     * A tool without side effects is allowed everywhere unless listed here or denied; a tool with side effects only
     * where listed.
     */
    private Map<String, List<String>> allow = new LinkedHashMap<>();

    /** Where a tool may not be used, by tool name, same patterns; wins over allow. */
    private Map<String, List<String>> deny = new LinkedHashMap<>();

    public int getMaxSteps() { return maxSteps; }
    public void setMaxSteps(int maxSteps) { this.maxSteps = maxSteps; }
    public Duration getTimeout() { return timeout; }
    public void setTimeout(Duration timeout) { this.timeout = timeout; }
    public int getMaxResultChars() { return maxResultChars; }
    public void setMaxResultChars(int maxResultChars) { this.maxResultChars = maxResultChars; }
    public Map<String, List<String>> getAllow() { return allow; }
    public void setAllow(Map<String, List<String>> allow) { this.allow = allow; }
    public Map<String, List<String>> getDeny() { return deny; }
    public void setDeny(Map<String, List<String>> deny) { this.deny = deny; }
}
