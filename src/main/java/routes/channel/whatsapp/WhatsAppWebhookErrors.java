package routes.channel.whatsapp;

import org.apache.camel.Exchange;
import org.apache.camel.builder.RouteConfigurationBuilder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;
import routes.channel.web.ApiError;

/**
 * Error handling of the WhatsApp webhook route ({@code routeConfiguration("whatsapp-webhook")}): refused input gets
 * its 4xx and a JSON error body; anything else (Kafka not accepting) gets 503, so Meta delivers the batch again
 * and the messages already accepted are deduplicated downstream.
 */
@Component
@ConditionalOnWhatsApp
public class WhatsAppWebhookErrors extends RouteConfigurationBuilder {

    private static final Logger LOG = LoggerFactory.getLogger(WhatsAppWebhookErrors.class);

    @Override
    public void configuration() {
        routeConfiguration("whatsapp-webhook")
                .onException(WhatsAppWebhookException.class)
                    .handled(true)
                    .process(WhatsAppWebhookErrors::refuse)
                .end()
                .onException(Exception.class)
                    .handled(true)
                    .process(WhatsAppWebhookErrors::unavailable)
                .end();
    }

    static void refuse(Exchange exchange) {
        WhatsAppWebhookException e = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, WhatsAppWebhookException.class);
        if (e.status() == 401 || e.status() == 403) {
            LOG.warn("refused a WhatsApp webhook call: {} ({})", e.code(), e.getMessage());
        } else {
            LOG.info("refused a WhatsApp webhook call: {} {} ({})", e.status(), e.code(), e.getMessage());
        }
        ApiError.respond(exchange, e.status(), e.code(), e.getMessage());
    }

    static void unavailable(Exchange exchange) {
        Throwable e = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Throwable.class);
        LOG.error("could not accept a WhatsApp webhook call; Meta will deliver it again: {}",
                e == null ? "unknown" : e.toString());
        ApiError.respond(exchange, 503, "unavailable", "the messages could not be accepted right now; retry later");
    }
}
