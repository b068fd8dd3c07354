package routes.tools.builtin;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import routes.tools.ToolDefinition;

/**
 * {@code run-command}: runs one of the commands the operator allowed, with the model's arguments appended to the
 * command's fixed ones. The program is started directly from its absolute path with the arguments as a list, never
 * through a shell, so {@code ;}, {@code |}, {@code $(…)} and globs reach it as plain text. It gets no standard input
 * and an environment of only {@code PATH} and {@code LANG} (the gateway's own holds API keys). A command running past
 * the timeout is killed together with the processes it started; output past the cap is read and dropped.
 */
public class RunCommandTool implements BuiltInTool {

    static final String NAME = "run-command";

    private static final Logger LOG = LoggerFactory.getLogger(RunCommandTool.class);
    private static final int MAX_ARGS = 32;
    private static final Map<String, String> ENVIRONMENT = Map.of("PATH", "/usr/local/bin:/usr/bin:/bin",
            "LANG", "C.UTF-8");

    private final CommandProperties properties;

    /** @throws IllegalArgumentException when an allowed command is misconfigured */
    public RunCommandTool(CommandProperties properties) {
        this.properties = properties;
        properties.getAllowed().forEach((name, command) -> {
            if (!name.matches("[A-Za-z0-9_-]+")) {
                throw new IllegalArgumentException("caravan.tools.commands.allowed." + name
                        + ": a command name has only letters, digits, '-' and '_'");
            }
            if (!Path.of(command.getExecutable()).isAbsolute()) {
                throw new IllegalArgumentException("caravan.tools.commands.allowed." + name
                        + ".executable must be an absolute path, not '" + command.getExecutable() + "'");
            }
            if (!Files.isExecutable(Path.of(command.getExecutable()))) {
                LOG.warn("run-command: {} is not an executable file; the command {} will fail",
                        command.getExecutable(), name);
            }
        });
        if (properties.getAllowed().isEmpty()) {
            LOG.warn("run-command is enabled but caravan.tools.commands.allowed lists no command");
        }
    }

    @Override
    public ToolDefinition definition() {
        var description = new StringBuilder("Run one of the commands the operator allowed, with extra arguments, "
                + "and return its exit code and output. The arguments are passed literally, not through a shell. "
                + "Commands:");
        properties.getAllowed().forEach((name, command) -> description.append("\n- ").append(name)
                .append(command.getDescription().isEmpty() ? "" : ": " + command.getDescription()));
        return new ToolDefinition(NAME, description.toString(), schema(), null, true, false);
    }

    private String schema() {
        var json = new ObjectMapper();
        ObjectNode schema = json.createObjectNode().put("type", "object");
        ObjectNode fields = schema.putObject("properties");
        ObjectNode command = fields.putObject("command").put("type", "string")
                .put("description", "Name of the allowed command to run");
        ArrayNode names = command.putArray("enum");
        properties.getAllowed().keySet().forEach(names::add);
        fields.putObject("args").put("type", "array").put("maxItems", MAX_ARGS)
                .put("description", "Arguments appended to the command's fixed ones, each passed as it is")
                .putObject("items").put("type", "string");
        schema.putArray("required").add("command");
        schema.put("additionalProperties", false);
        return schema.toString();
    }

    @Override
    public String run(ToolInput input) {
        String name = input.text("command").strip();
        var command = properties.getAllowed().get(name);
        if (command == null) {
            var names = properties.getAllowed().keySet();
            return "refused: \"" + name + "\" is not an allowed command; allowed: "
                    + (names.isEmpty() ? "none" : String.join(", ", names));
        }
        List<String> args = input.texts("args");
        if (args.size() > MAX_ARGS) {
            return "refused: more than " + MAX_ARGS + " arguments";
        }
        if (args.stream().anyMatch(arg -> arg.indexOf('\0') >= 0)) {
            return "refused: an argument contains a NUL character";
        }
        List<String> line = new ArrayList<>();
        line.add(command.getExecutable());
        line.addAll(command.getArgs());
        line.addAll(args);
        // the arguments are the model's words: only at DEBUG (the audit record keeps the tool input)
        LOG.info("run-command {} with {} argument(s)", name, args.size());
        LOG.debug("run-command {}: {}", name, line);
        return execute(line);
    }

    private String execute(List<String> line) {
        var builder = new ProcessBuilder(line).redirectErrorStream(true);
        builder.environment().clear();
        builder.environment().putAll(ENVIRONMENT);
        Process process;
        try {
            process = builder.start();
        } catch (IOException e) {
            return "failed: the command could not be started";
        }
        long timeout = properties.getTimeout().toMillis();
        var output = new CappedOutput(process.getInputStream(), properties.getMaxOutputBytes().toBytes());
        var reader = new Thread(output, "run-command-output");
        reader.setDaemon(true);
        try {
            process.getOutputStream().close();
            reader.start();
            boolean finished = process.waitFor(timeout, TimeUnit.MILLISECONDS);
            if (!finished) {
                kill(process);
            }
            // the pipe closes when the process and everything it started are gone; do not wait forever on a straggler
            reader.join(2000);
            String text = output.text();
            if (!finished) {
                return "failed: the command did not finish within " + timeout + " ms and was killed"
                        + (text.isEmpty() ? "" : "\noutput so far:\n" + text);
            }
            return "exit code " + process.exitValue() + (text.isEmpty() ? "" : "\n" + text);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            kill(process);
            return "failed: interrupted";
        } catch (IOException e) {
            kill(process);
            return "failed: " + e.getMessage();
        } finally {
            closeQuietly(process.getInputStream());
        }
    }

    private static void kill(Process process) {
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly();
    }

    private static void closeQuietly(InputStream in) {
        try {
            in.close();
        } catch (IOException ignored) {
            // nothing more to read
        }
    }

    /** Reads a process's output to its end, keeping the first {@code cap} bytes. */
    private static final class CappedOutput implements Runnable {

        private final InputStream in;
        private final long cap;
        private final ByteArrayOutputStream kept = new ByteArrayOutputStream();
        private long total;

        CappedOutput(InputStream in, long cap) {
            this.in = in;
            this.cap = cap;
        }

        @Override
        public void run() {
            byte[] buffer = new byte[8192];
            try {
                for (int n; (n = in.read(buffer)) > 0; ) {
                    synchronized (this) {
                        int room = (int) Math.max(0, Math.min(n, cap - kept.size()));
                        kept.write(buffer, 0, room);
                        total += n;
                    }
                }
            } catch (IOException ignored) {
                // the stream was closed under us: what was read is kept
            }
        }

        synchronized String text() {
            String text = kept.toString(StandardCharsets.UTF_8);
            return total > kept.size() ? text + "\n[output cut: " + total + " bytes in all]" : text;
        }
    }
}
