package routes.tools.builtin;

import org.apache.camel.Exchange;
import org.apache.camel.builder.RouteConfigurationBuilder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/**
 * Error handling of the built-in tool routes ({@code routeConfiguration("builtin-tools")}): an input the tool cannot
 * read, or a failure the tool did not expect, becomes a short result text for the model instead of an exception.
 */
@Component
public class BuiltInToolErrors extends RouteConfigurationBuilder {

    static final String CONFIGURATION = "builtin-tools";

    private static final Logger LOG = LoggerFactory.getLogger(BuiltInToolErrors.class);

    @Override
    public void configuration() {
        routeConfiguration(CONFIGURATION)
                .onException(ToolInput.InvalidToolInputException.class)
                    .handled(true)
                    .process(exchange -> exchange.getMessage().setBody("error: " + caught(exchange).getMessage()))
                .end()
                .onException(Exception.class)
                    .handled(true)
                    .process(BuiltInToolErrors::unexpected)
                .end();
    }

    private static void unexpected(Exchange exchange) {
        Exception failure = caught(exchange);
        LOG.warn("built-in tool {} failed", exchange.getFromRouteId(), failure);
        exchange.getMessage().setBody("error: the tool failed (" + failure.getClass().getSimpleName() + ")");
    }

    private static Exception caught(Exchange exchange) {
        return exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Exception.class);
    }
}
