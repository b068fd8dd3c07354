package routes.channel.whatsapp;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.apache.camel.Exchange;
import org.apache.camel.LoggingLevel;
import org.apache.camel.builder.RouteBuilder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;
import routes.channel.Ingress;

/**
 * Ingress of the Cloud API webhook, {@code /webhooks/whatsapp}.
 *
 * <p>GET is Meta's subscription check. POST carries batches of messages and status updates: the signature is
 * checked over the exact bytes, each person's service window is moved on, and the text messages are published
 * one after the other in timestamp order; Meta gets its 200 only once all of them are on Kafka. A redelivered
 * batch maps to the same envelope ids (WhatsApp's message ids), so it gets no second reply.
 */
@Component
@ConditionalOnWhatsApp
public class WhatsAppIngressRoutes extends RouteBuilder {

    private static final Logger LOG = LoggerFactory.getLogger(WhatsAppIngressRoutes.class);

    private final WhatsAppProperties properties;
    private final Ingress ingress;
    private final ServiceWindow window;

    public WhatsAppIngressRoutes(WhatsAppProperties properties, Ingress ingress, ServiceWindow window) {
        this.properties = properties;
        this.ingress = ingress;
        this.window = window;
    }

    @Override
    public void configure() {
        from("platform-http:" + WhatsAppConstants.WEBHOOK_PATH + "?httpMethodRestrict=GET,POST")
                .routeId("whatsapp-ingress")
                .routeConfigurationId("whatsapp-webhook")
                .choice()
                    .when(header(Exchange.HTTP_METHOD).isEqualTo("GET"))
                        .process(this::verifySubscription)
                    .otherwise()
                        .process(this::verifyAndRead)
                        .to("direct:whatsapp-publish")
                .end();

        // one after the other: each message is on Kafka before the next is sent, and the first failure stops the
        // batch so Meta gets an error and redelivers all of it (the ids already published are deduped)
        from("direct:whatsapp-publish").routeId("whatsapp-publish")
                .split(exchangeProperty(WhatsAppConstants.MESSAGES)).stopOnException()
                    .process(this::toEnvelope)
                    .to("direct:publish")
                    .log(LoggingLevel.DEBUG, LOG, "accepted WhatsApp message ${body.id} (trace ${body.traceId})")
                .end()
                .process(WhatsAppIngressRoutes::acknowledge);
    }

    void verifySubscription(Exchange exchange) {
        var in = exchange.getMessage();
        String challenge = WhatsAppWebhook.verifySubscription(properties.getVerifyToken(),
                in.getHeader("hub.mode", String.class), in.getHeader("hub.verify_token", String.class),
                in.getHeader("hub.challenge", String.class));
        in.removeHeaders("*");
        in.setHeader(Exchange.HTTP_RESPONSE_CODE, 200);
        in.setHeader(Exchange.CONTENT_TYPE, "text/plain; charset=utf-8");
        in.setBody(challenge);
        LOG.info("answered Meta's WhatsApp webhook subscription check");
    }

    /** Signature over the raw bytes, then the messages; inbound headers are dropped here. */
    void verifyAndRead(Exchange exchange) {
        var in = exchange.getMessage();
        String contentType = in.getHeader(Exchange.CONTENT_TYPE, String.class);
        String signature = in.getHeader("X-Hub-Signature-256", String.class);
        byte[] body = in.getBody(byte[].class);
        // nothing the caller sent may steer a Camel component further on
        in.removeHeaders("*");
        in.setBody(null);
        if (contentType == null || !contentType.toLowerCase(Locale.ROOT).startsWith("application/json")) {
            throw new WhatsAppWebhookException(415, "unsupported_media_type",
                    "WhatsApp webhooks are accepted as application/json only");
        }
        WhatsAppWebhook.verifySignature(properties.getAppSecret(), signature, body == null ? new byte[0] : body);
        WhatsAppWebhook.Batch batch = WhatsAppWebhook.read(body);
        if (batch.skipped() > 0) {
            LOG.warn("{} WhatsApp message(s) without id, sender or timestamp were left out", batch.skipped());
        }
        Instant now = Instant.now();
        List<WhatsAppWebhook.Inbound> answerable = new ArrayList<>();
        for (WhatsAppWebhook.Inbound message : batch.messages()) {
            // every message a person sends opens the window, answerable or not
            window.inbound(number(message), message.from(), WhatsAppWebhook.sentAt(message, now));
            if (message.answerable()) {
                answerable.add(message);
            } else {
                LOG.debug("WhatsApp message {} of type {} has no text to answer", message.id(), message.type());
            }
        }
        exchange.setProperty(WhatsAppConstants.MESSAGES, answerable);
    }

    /** One split message of the batch, as the envelope to publish. */
    void toEnvelope(Exchange exchange) {
        WhatsAppWebhook.Inbound message = exchange.getMessage().getBody(WhatsAppWebhook.Inbound.class);
        exchange.getMessage().setBody(ingress.prepare(message.toEnvelope().account(number(message))));
    }

    /** The business number a message reached: as the payload says, else the configured one. */
    private String number(WhatsAppWebhook.Inbound message) {
        String number = message.phoneNumberId();
        return number == null || number.isBlank() ? properties.getPhoneNumberId() : number;
    }

    static void acknowledge(Exchange exchange) {
        var out = exchange.getMessage();
        out.removeHeaders("*");
        out.setHeader(Exchange.HTTP_RESPONSE_CODE, 200);
        out.setHeader(Exchange.CONTENT_TYPE, "text/plain; charset=utf-8");
        out.setBody("".getBytes(StandardCharsets.UTF_8));
    }
}
