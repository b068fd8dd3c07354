package routes.tools.builtin;

import java.time.Clock;
import org.springframework.boot.autoconfigure.condition.ConditionalOnExpression;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import routes.tools.ToolDefinition;

/**
 * The built-in tools and their definitions. A tool that is off ({@code caravan.tools.files.root} unset,
 * {@code caravan.tools.commands.enabled} false, {@code caravan.tools.web-fetch.enabled} false) has neither a
 * definition bean nor a route.
 */
@Configuration(proxyBeanMethods = false)
public class BuiltInTools {

    @Bean
    CurrentTimeTool currentTimeTool() {
        return new CurrentTimeTool(Clock.systemDefaultZone());
    }

    @Bean
    ToolDefinition currentTimeToolDefinition(CurrentTimeTool tool) {
        return tool.definition();
    }

    @Configuration(proxyBeanMethods = false)
    @ConditionalOnProperty(name = "caravan.tools.web-fetch.enabled", havingValue = "true", matchIfMissing = true)
    static class WebFetch {

        @Bean
        WebFetchTool webFetchTool(WebFetchProperties properties) {
            return new WebFetchTool(AddressGuard.system(properties.getAllowedHosts()), properties);
        }

        @Bean
        ToolDefinition webFetchToolDefinition(WebFetchTool tool) {
            return tool.definition();
        }
    }

    @Configuration(proxyBeanMethods = false)
    @ConditionalOnExpression("!'${caravan.tools.files.root:}'.isBlank()")
    static class FileSearch {

        @Bean
        FileSearchTool fileSearchTool(FileSearchProperties properties) {
            return new FileSearchTool(properties);
        }

        @Bean
        ToolDefinition fileSearchToolDefinition(FileSearchTool tool) {
            return tool.definition();
        }
    }

    @Configuration(proxyBeanMethods = false)
    @ConditionalOnProperty(name = "caravan.tools.commands.enabled", havingValue = "true")
    static class RunCommand {

        @Bean
        RunCommandTool runCommandTool(CommandProperties properties) {
            return new RunCommandTool(properties);
        }

        @Bean
        ToolDefinition runCommandToolDefinition(RunCommandTool tool) {
            return tool.definition();
        }
    }
}
