package routes.tools.builtin;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.util.unit.DataSize;

/**
 * The {@code run-command} tool ({@code caravan.tools.commands.*}): off unless {@code enabled}, and then only the
 * commands listed under {@code allowed} can run.
 */
@ConfigurationProperties("caravan.tools.commands")
public class CommandProperties {

    /** Whether the model may run the allowed commands at all. */
    private boolean enabled = false;

    /** Longest a command may run; it is then killed, with everything it started. */
    private Duration timeout = Duration.ofSeconds(10);

    /** Output (stdout and stderr together) kept and handed to the model; the rest is read and dropped. */
    private DataSize maxOutputBytes = DataSize.ofKilobytes(64);

    /** The commands the model may run, by the name it calls them with (letters, digits, '-', '_'). */
    private Map<String, AllowedCommand> allowed = new LinkedHashMap<>();

    public boolean isEnabled() { return enabled; }
    public void setEnabled(boolean enabled) { this.enabled = enabled; }
    public Duration getTimeout() { return timeout; }
    public void setTimeout(Duration timeout) { this.timeout = timeout; }
    public DataSize getMaxOutputBytes() { return maxOutputBytes; }
    public void setMaxOutputBytes(DataSize maxOutputBytes) { this.maxOutputBytes = maxOutputBytes; }
    public Map<String, AllowedCommand> getAllowed() { return allowed; }
    public void setAllowed(Map<String, AllowedCommand> allowed) {
        this.allowed = allowed == null ? new LinkedHashMap<>() : allowed;
    }

    /** One command the model may run. */
    public static class AllowedCommand {

        /** Absolute path of the program; run directly, never through a shell. */
        private String executable = "";

        /** Arguments always passed first, before the model's own. */
        private List<String> args = new ArrayList<>();

        /** What the command does, for the model; shown in the tool description. */
        private String description = "";

        public AllowedCommand() {
        }

        public AllowedCommand(String executable, List<String> args, String description) {
            setExecutable(executable);
            setArgs(args);
            setDescription(description);
        }

        public String getExecutable() { return executable; }
        public void setExecutable(String executable) { this.executable = executable == null ? "" : executable.trim(); }
        public List<String> getArgs() { return args; }
        public void setArgs(List<String> args) { this.args = args == null ? new ArrayList<>() : args; }
        public String getDescription() { return description; }
        public void setDescription(String description) {
            this.description = description == null ? "" : description.trim();
        }
    }
}
