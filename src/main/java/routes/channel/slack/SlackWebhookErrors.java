package routes.channel.slack;

import org.apache.camel.Exchange;
import org.apache.camel.builder.RouteConfigurationBuilder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;
import routes.channel.web.ApiError;

/**
 * Error handling of the Slack webhook route ({@code routeConfiguration("slack-webhook")}).
 *
 * <ul>
 *   <li>Refused input ({@link SlackWebhookException}): its 4xx status and a JSON error body. Malformed payloads
 *       also carry {@code X-Slack-No-Retry: 1}, since sending them again cannot help.</li>
 *   <li>Anything else (Kafka not accepting the message): 503, so Slack retries the event later; the retry carries
 *       the same message and is deduplicated downstream.</li>
 * </ul>
 */
@Component
@ConditionalOnSlack
public class SlackWebhookErrors extends RouteConfigurationBuilder {

    private static final Logger LOG = LoggerFactory.getLogger(SlackWebhookErrors.class);

    @Override
    public void configuration() {
        routeConfiguration("slack-webhook")
                .onException(SlackWebhookException.class)
                    .handled(true)
                    .process(SlackWebhookErrors::refuse)
                .end()
                .onException(Exception.class)
                    .handled(true)
                    .process(SlackWebhookErrors::unavailable)
                .end();
    }

    static void refuse(Exchange exchange) {
        SlackWebhookException e = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, SlackWebhookException.class);
        if (e.status() == 401) {
            LOG.warn("refused a Slack webhook call: {} ({})", e.code(), e.getMessage());
        } else {
            LOG.info("refused a Slack webhook call: {} {} ({})", e.status(), e.code(), e.getMessage());
        }
        ApiError.respond(exchange, e.status(), e.code(), e.getMessage());
        if (e.status() != 401) {
            exchange.getMessage().setHeader("X-Slack-No-Retry", "1");
        }
    }

    static void unavailable(Exchange exchange) {
        Throwable e = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Throwable.class);
        LOG.error("could not accept a Slack event; Slack will retry it: {}", e == null ? "unknown" : e.toString());
        ApiError.respond(exchange, 503, "unavailable", "the event could not be accepted right now; retry later");
    }
}
