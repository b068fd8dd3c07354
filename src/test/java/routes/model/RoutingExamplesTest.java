package routes.model;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.apache.camel.CamelContext;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.support.PluginHelper;
import org.apache.camel.support.ResourceHelper;
import org.junit.jupiter.api.Test;

/** The routing rules as shipped and as README's worked examples show them do what they say. */
class RoutingExamplesTest {

    /** The YAML block that follows {@code marker} in README.md. */
    private static String readmeBlock(String marker) throws Exception {
        String readme = Files.readString(Path.of("README.md"), StandardCharsets.UTF_8);
        int at = readme.indexOf(marker);
        int start = readme.indexOf("```yaml\n", at) + "```yaml\n".length();
        return readme.substring(start, readme.indexOf("```", start));
    }

    private static String profileFor(String yaml, String text, Map<String, Object> headers) throws Exception {
        try (CamelContext camel = new DefaultCamelContext()) {
            PluginHelper.getRoutesLoader(camel).loadRoutes(ResourceHelper.fromString("rules.yaml", yaml));
            camel.start();
            ProducerTemplate producer = camel.createProducerTemplate();
            return producer.request("direct:model-routing", e -> {
                e.getMessage().setBody(text);
                e.getMessage().setHeaders(new java.util.HashMap<>(headers));
            }).getMessage().getHeader(RoutingHeaders.PROFILE, String.class);
        }
    }

    @Test
    void theShippedRules() throws Exception {
        String shipped = Files.readString(Path.of("src/main/resources/routes/model-routing.yaml"));
        assertThat(profileFor(shipped, "x", Map.of("CaravanIntent", "coding"))).isEqualTo("coding");
        assertThat(profileFor(shipped, "/code x", Map.of("CaravanCommand", "/code", "CaravanIntent", "none")))
                .isEqualTo("coding");
        assertThat(profileFor(shipped, "hello", Map.of("CaravanIntent", "none"))).isEqualTo("general");
    }

    @Test
    void workedExampleOne() throws Exception {
        String yaml = readmeBlock("Worked example 1");
        assertThat(profileFor(yaml, "hi", Map.of("CaravanChannel", "slack", "CaravanChatId", "C0SUPPORT")))
                .isEqualTo("support");
        assertThat(profileFor(yaml, "Wie spät ist es, bitte?", Map.of("CaravanChannel", "telegram",
                "CaravanChatId", "1"))).isEqualTo("german");
        assertThat(profileFor(yaml, "What time is it?", Map.of("CaravanChannel", "telegram", "CaravanChatId", "1")))
                .isEqualTo("general");
    }

    @Test
    void workedExampleTwo() throws Exception {
        String yaml = readmeBlock("Worked example 2");
        assertThat(profileFor(yaml, "x", Map.of("CaravanSender", "42", "CaravanIntent", "coding")))
                .isEqualTo("canary");
        assertThat(profileFor(yaml, "y".repeat(500), Map.of("CaravanSender", "7", "CaravanIntent", "coding")))
                .isEqualTo("coding-large");
        assertThat(profileFor(yaml, "short", Map.of("CaravanSender", "7", "CaravanIntent", "coding")))
                .isEqualTo("coding");
        assertThat(profileFor(yaml, "short", Map.of("CaravanSender", "7", "CaravanIntent", "none"))).isNull();
    }
}
