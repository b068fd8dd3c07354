package routes.tools.builtin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.springframework.util.unit.DataSize;

class RunCommandToolTest {

    private final CommandProperties properties = new CommandProperties();

    private String run(String json) {
        return new RunCommandTool(properties).run(ToolInput.parse(json));
    }

    private void allow(String name, String executable, String... fixedArgs) {
        properties.getAllowed().put(name, new CommandProperties.AllowedCommand(executable, List.of(fixedArgs), ""));
    }

    @Test
    void aCommandNotAllowedIsRefused() {
        allow("echo", "/bin/echo");
        assertThat(run("{\"command\":\"rm\",\"args\":[\"-rf\",\"/\"]}"))
                .isEqualTo("refused: \"rm\" is not an allowed command; allowed: echo");
        assertThat(run("{\"command\":\"/bin/echo\"}")).startsWith("refused:");
    }

    @Test
    void argumentsArePassedLiterallyNotThroughAShell() {
        allow("echo", "/bin/echo");
        assertThat(run("{\"command\":\"echo\",\"args\":[\"hello\",\"; rm -rf /\",\"$(id)\",\"*\",\"|\",\"`id`\"]}"))
                .isEqualTo("exit code 0\nhello ; rm -rf / $(id) * | `id`\n");
    }

    @Test
    void fixedArgumentsComeFirst() {
        allow("greet", "/bin/echo", "-n", "hi");
        assertThat(run("{\"command\":\"greet\",\"args\":[\"there\"]}")).isEqualTo("exit code 0\nhi there");
    }

    @Test
    void theExitCodeAndErrorOutputAreReported() {
        allow("ls", "/bin/ls");
        assertThat(run("{\"command\":\"ls\",\"args\":[\"/no/such/path\"]}"))
                .startsWith("exit code 2\n").contains("No such file or directory");
    }

    @Test
    void theGatewaysEnvironmentIsNotPassedOn() {
        allow("env", "/usr/bin/env");
        assertThat(run("{\"command\":\"env\"}").lines().skip(1).sorted().toList())
                .containsExactly("LANG=C.UTF-8", "PATH=/usr/local/bin:/usr/bin:/bin");
    }

    @Test
    void aCommandPastTheTimeoutIsKilled() {
        allow("sleep", "/bin/sleep");
        properties.setTimeout(Duration.ofMillis(300));
        long started = System.nanoTime();

        assertThat(run("{\"command\":\"sleep\",\"args\":[\"30\"]}"))
                .isEqualTo("failed: the command did not finish within 300 ms and was killed");

        assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(10));
        await().atMost(Duration.ofSeconds(5)).until(() -> ProcessHandle.current().children()
                .noneMatch(child -> child.info().command().orElse("").endsWith("sleep")));
    }

    @Test
    void outputPastTheCapIsDropped() {
        allow("seq", "/usr/bin/seq");
        properties.setMaxOutputBytes(DataSize.ofBytes(20));
        String result = run("{\"command\":\"seq\",\"args\":[\"1\",\"100000\"]}");
        assertThat(result).startsWith("exit code 0\n1\n2\n3\n").endsWith("[output cut: 588895 bytes in all]");
        assertThat(result.length()).isLessThan(100);
    }

    @Test
    void anExecutableMustBeAnAbsolutePath() {
        allow("echo", "echo");
        assertThatThrownBy(() -> new RunCommandTool(properties)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("absolute path");
    }

    @Test
    void theDefinitionNamesTheCommandsAndHasSideEffects() {
        properties.getAllowed().put("uptime", new CommandProperties.AllowedCommand("/usr/bin/uptime", List.of(),
                "how long the server has been up"));
        var definition = new RunCommandTool(properties).definition();
        assertThat(definition.isSideEffects()).isTrue();
        assertThat(definition.getDescription()).endsWith("\n- uptime: how long the server has been up");
        assertThat(definition.getInputSchema()).isEqualTo("{\"type\":\"object\",\"properties\":{"
                + "\"command\":{\"type\":\"string\",\"description\":\"Name of the allowed command to run\","
                + "\"enum\":[\"uptime\"]},\"args\":{\"type\":\"array\",\"maxItems\":32,\"description\":"
                + "\"Arguments appended to the command's fixed ones, each passed as it is\",\"items\":{\"type\":"
                + "\"string\"}}},\"required\":[\"command\"],\"additionalProperties\":false}");
    }
}
