package routes.tools.builtin;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import org.apache.camel.CamelContext;
import org.apache.camel.impl.DefaultCamelContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.ApplicationContext;
import routes.tools.ToolDefinition;

/** Which built-in tools are on for which settings, and what their routes do with results and failures. */
class BuiltInToolsTest {

    @EnableConfigurationProperties({WebFetchProperties.class, FileSearchProperties.class, CommandProperties.class})
    static class Properties {
    }

    private final ApplicationContextRunner runner = new ApplicationContextRunner()
            .withUserConfiguration(BuiltInTools.class, Properties.class);

    private static List<String> toolNames(ApplicationContext context) {
        return context.getBeansOfType(ToolDefinition.class).values().stream().map(ToolDefinition::getName).sorted()
                .toList();
    }

    @Test
    void byDefaultOnlyCurrentTimeAndWebFetchAreOn() {
        runner.run(context -> {
            assertThat(toolNames(context)).containsExactly("current-time", "web-fetch");
            assertThat(context.getBeansOfType(BuiltInTool.class)).hasSize(2);
        });
    }

    @Test
    void fileSearchIsOnWhenItsFolderIsSet(@TempDir Path folder) {
        runner.withPropertyValues("caravan.tools.files.root=" + folder)
                .run(context -> assertThat(toolNames(context)).contains("file-search"));
        runner.withPropertyValues("caravan.tools.files.root= ")
                .run(context -> assertThat(toolNames(context)).doesNotContain("file-search"));
    }

    @Test
    void runCommandIsOnOnlyWhenEnabled() {
        runner.withPropertyValues("caravan.tools.commands.allowed.echo.executable=/bin/echo")
                .run(context -> assertThat(toolNames(context)).doesNotContain("run-command"));
        runner.withPropertyValues("caravan.tools.commands.enabled=true",
                        "caravan.tools.commands.allowed.greet.executable=/bin/echo",
                        "caravan.tools.commands.allowed.greet.args[0]=hello",
                        "caravan.tools.commands.allowed.greet.description=says hello")
                .run(context -> {
                    var definition = context.getBean("runCommandToolDefinition", ToolDefinition.class);
                    assertThat(definition.isSideEffects()).isTrue();
                    assertThat(definition.getDescription()).endsWith("- greet: says hello");
                    assertThat(context.getBean(RunCommandTool.class)
                            .run(ToolInput.parse("{\"command\":\"greet\",\"args\":[\"world\"]}")))
                            .isEqualTo("exit code 0\nhello world\n");
                });
    }

    @Test
    void webFetchCanBeSwitchedOffAndItsAllowlistIsChecked() {
        runner.withPropertyValues("caravan.tools.web-fetch.enabled=false")
                .run(context -> assertThat(toolNames(context)).containsExactly("current-time"));
        runner.withPropertyValues("caravan.tools.web-fetch.allowed-hosts=wiki.corp")
                .run(context -> assertThat(context).hasFailed());
    }

    @Test
    void everySchemaIsAJsonObjectSchema(@TempDir Path folder) {
        var json = new ObjectMapper();
        runner.withPropertyValues("caravan.tools.files.root=" + folder, "caravan.tools.commands.enabled=true")
                .run(context -> {
                    assertThat(toolNames(context)).hasSize(4);
                    for (var definition : context.getBeansOfType(ToolDefinition.class).values()) {
                        var schema = json.readTree(definition.getInputSchema());
                        assertThat(schema.get("type").asText()).isEqualTo("object");
                        assertThat(schema.get("additionalProperties").asBoolean()).isFalse();
                        assertThat(definition.getEndpoint()).isEqualTo("direct:tool-" + definition.getName());
                        assertThat(definition.isSideEffects()).isEqualTo(definition.getName().equals("run-command"));
                    }
                });
    }

    /** A tool with a bug, to show what the model gets then. */
    private static final class BrokenTool implements BuiltInTool {
        @Override
        public ToolDefinition definition() {
            return new ToolDefinition("broken", "fails", "{\"type\":\"object\",\"properties\":{}}", null, false, false);
        }

        @Override
        public String run(ToolInput input) {
            throw new IllegalStateException("internal detail the model need not see");
        }
    }

    @Test
    void eachToolHasARouteAndFailuresBecomeResultText() throws Exception {
        var clock = Clock.fixed(Instant.parse("2024-03-01T12:00:00Z"), ZoneOffset.UTC);
        try (CamelContext camel = new DefaultCamelContext()) {
            camel.addRoutes(new BuiltInToolErrors());
            camel.addRoutes(new BuiltInToolRoutes(List.of(new CurrentTimeTool(clock), new BrokenTool())));
            camel.start();
            var template = camel.createProducerTemplate();

            assertThat(camel.getRoute("tool-current-time").getEndpoint().getEndpointUri())
                    .isEqualTo("direct://tool-current-time");
            assertThat(template.requestBody("direct:tool-current-time", "{\"timeZone\":\"Asia/Tokyo\"}", String.class))
                    .startsWith("date-time: 2024-03-01T21:00:00+09:00\nweekday: Friday");
            assertThat(template.requestBody("direct:tool-current-time", "{\"timeZone\":\"Nowhere/Land\"}",
                    String.class)).startsWith("error: unknown time zone \"Nowhere/Land\"");
            assertThat(template.requestBody("direct:tool-current-time", "{not json", String.class))
                    .isEqualTo("error: the input is not valid JSON");
            assertThat(template.requestBody("direct:tool-current-time", "{\"timeZone\":7}", String.class))
                    .isEqualTo("error: \"timeZone\" must be a string");
            assertThat(template.requestBody("direct:tool-broken", "{}", String.class))
                    .isEqualTo("error: the tool failed (IllegalStateException)");
        }
    }
}
