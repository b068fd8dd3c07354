package routes.tools.builtin;

import java.util.List;
import org.apache.camel.Exchange;
import org.apache.camel.builder.RouteBuilder;
import org.springframework.stereotype.Component;

/**
 * One route per built-in tool that is on: {@code direct:tool-<name>}, route id {@code tool-<name>}. The body is the
 * tool input as JSON and becomes the result text; failures become result text too
 * ({@code routeConfiguration("builtin-tools")}), so the model loop never sees an exception from a built-in tool.
 */
@Component
public class BuiltInToolRoutes extends RouteBuilder {

    private final List<BuiltInTool> tools;

    public BuiltInToolRoutes(List<BuiltInTool> tools) {
        this.tools = tools;
    }

    @Override
    public void configure() {
        for (BuiltInTool tool : tools) {
            var definition = tool.definition();
            from(definition.getEndpoint())
                    .routeId("tool-" + definition.getName())
                    .routeConfigurationId(BuiltInToolErrors.CONFIGURATION)
                    .process(exchange -> run(tool, exchange));
        }
    }

    private static void run(BuiltInTool tool, Exchange exchange) {
        var message = exchange.getMessage();
        message.setBody(tool.run(ToolInput.parse(message.getBody(String.class))));
    }
}
