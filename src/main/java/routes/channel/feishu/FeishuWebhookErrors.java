package routes.channel.feishu;

import org.apache.camel.LoggingLevel;
import org.apache.camel.builder.RouteConfigurationBuilder;
import org.springframework.stereotype.Component;
import routes.channel.web.ApiError;

/**
 * Error handling of the Feishu webhook ({@code routeConfiguration("feishu-webhook")}): input problems are answered
 * by the route itself; what reaches here is a failure to accept the message (Kafka or Redis unreachable), answered
 * 503 so Feishu delivers the event again later.
 */
@Component
@ConditionalOnFeishu
public class FeishuWebhookErrors extends RouteConfigurationBuilder {

    /** The route configuration id the webhook route opts into. */
    public static final String CONFIGURATION = "feishu-webhook";

    @Override
    public void configuration() {
        routeConfiguration(CONFIGURATION)
                .onException(Exception.class)
                    .handled(true)
                    .log(LoggingLevel.WARN, "routes.channel.feishu",
                            "Feishu event not accepted, answered 503: ${exception.class.simpleName}")
                    .process(exchange -> ApiError.respond(exchange, 503, "unavailable",
                            "the event could not be accepted right now; it will be accepted when retried"))
                .end();
    }
}
