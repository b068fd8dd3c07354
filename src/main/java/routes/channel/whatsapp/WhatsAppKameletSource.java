package routes.channel.whatsapp;

import java.time.Instant;
import java.util.List;
import java.util.Locale;
import org.apache.camel.Exchange;
import org.apache.camel.Processor;
import routes.envelope.Envelope;
import routes.envelope.EnvelopeCodec;
import routes.envelope.Ids;
import routes.envelope.Priority;

/**
 * The step of {@code kamelets/whatsapp-source.kamelet.yaml}: answers Meta's subscription check (GET) and verifies
 * and reads webhook calls (POST).
 *
 * <p>After it, exchange property {@link #PUBLISH} tells the kamelet whether the body is a list of envelopes (JSON,
 * one per text message, oldest first) to hand on to {@code kamelet:sink} one by one; otherwise the HTTP answer
 * (challenge, acknowledgement or 4xx JSON error) is already in the message. Configured through the kamelet's
 * properties (setters).
 */
public class WhatsAppKameletSource implements Processor {

    /** Exchange property: true when the body is a list of envelopes to publish. */
    public static final String PUBLISH = "CaravanWhatsAppPublish";

    private String appSecret = "";
    private String verifyToken = "";

    /** App secret of the Meta app; never logged. */
    public void setAppSecret(String appSecret) {
        this.appSecret = appSecret == null ? "" : appSecret.trim();
    }

    /** Verify token of the webhook subscription; never logged. */
    public void setVerifyToken(String verifyToken) {
        this.verifyToken = verifyToken == null ? "" : verifyToken.trim();
    }

    @Override
    public void process(Exchange exchange) {
        var in = exchange.getMessage();
        exchange.setProperty(PUBLISH, false);
        try {
            if ("GET".equals(in.getHeader(Exchange.HTTP_METHOD, String.class))) {
                String challenge = WhatsAppWebhook.verifySubscription(verifyToken,
                        in.getHeader("hub.mode", String.class), in.getHeader("hub.verify_token", String.class),
                        in.getHeader("hub.challenge", String.class));
                in.removeHeaders("*");
                in.setHeader(Exchange.HTTP_RESPONSE_CODE, 200);
                in.setHeader(Exchange.CONTENT_TYPE, "text/plain; charset=utf-8");
                in.setBody(challenge);
                return;
            }
            String contentType = in.getHeader(Exchange.CONTENT_TYPE, String.class);
            String signature = in.getHeader("X-Hub-Signature-256", String.class);
            byte[] body = in.getBody(byte[].class);
            in.removeHeaders("*");
            in.setBody(null);
            if (contentType == null || !contentType.toLowerCase(Locale.ROOT).startsWith("application/json")) {
                throw new WhatsAppWebhookException(415, "unsupported_media_type",
                        "WhatsApp webhooks are accepted as application/json only");
            }
            WhatsAppWebhook.verifySignature(appSecret, signature, body == null ? new byte[0] : body);
            Instant now = Instant.now();
            List<byte[]> envelopes = WhatsAppWebhook.read(body).messages().stream()
                    .filter(WhatsAppWebhook.Inbound::answerable)
                    .map(message -> {
                        Envelope draft = message.toEnvelope().build();
                        return EnvelopeCodec.encode(draft.toBuilder()
                                .traceId(Ids.newTraceId())
                                .receivedAt(now)
                                .priority(Priority.REALTIME)
                                .build());
                    })
                    .toList();
            if (envelopes.isEmpty()) {
                WhatsAppIngressRoutes.acknowledge(exchange);
            } else {
                in.setBody(envelopes);
                exchange.setProperty(PUBLISH, true);
            }
        } catch (WhatsAppWebhookException e) {
            exchange.setProperty(Exchange.EXCEPTION_CAUGHT, e);
            WhatsAppWebhookErrors.refuse(exchange);
        }
    }
}
