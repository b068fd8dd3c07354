package routes.channel.whatsapp;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.camel.Exchange;
import org.apache.camel.builder.RouteConfigurationBuilder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/**
 * Error handling of the WhatsApp webhook route ({@code routeConfiguration("whatsapp-webhook")}): refused input gets
 * its 4xx and a JSON error body; anything else (Kafka not accepting) gets 503, so Meta delivers the batch again
 * and the messages already accepted are deduplicated downstream.
 */
@Component
@ConditionalOnWhatsApp
public class WhatsAppWebhookErrors extends RouteConfigurationBuilder {

    private static final Logger LOG = LoggerFactory.getLogger(WhatsAppWebhookErrors.class);
    private static final ObjectMapper JSON = new ObjectMapper();

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
        respond(exchange, e.status(), e.code(), e.getMessage());
    }

    static void unavailable(Exchange exchange) {
        Throwable e = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Throwable.class);
        LOG.error("could not accept a WhatsApp webhook call; Meta will deliver it again: {}",
                e == null ? "unknown" : e.toString());
        respond(exchange, 503, "unavailable", "the messages could not be accepted right now; retry later");
    }

    /** Answers with {@code {"error":{"message","type","code","param"}}}, the shape of every Caravan HTTP error. */
    static void respond(Exchange exchange, int status, String code, String message) {
        Map<String, Object> error = new LinkedHashMap<>();
        error.put("message", message);
        error.put("type", status == 401 || status == 403 ? "authentication_error"
                : status >= 500 ? "server_error" : "invalid_request_error");
        error.put("code", code);
        error.put("param", null);
        var out = exchange.getMessage();
        out.removeHeaders("*");
        out.setHeader(Exchange.HTTP_RESPONSE_CODE, status);
        out.setHeader(Exchange.CONTENT_TYPE, "application/json");
        try {
            out.setBody(JSON.writeValueAsString(Map.of("error", error)));
        } catch (JsonProcessingException e) {
            out.setBody("{\"error\":{\"message\":\"error\",\"type\":\"server_error\",\"code\":\"" + code + "\"}}");
        }
    }
}
