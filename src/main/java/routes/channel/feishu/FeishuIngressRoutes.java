package routes.channel.feishu;

import org.apache.camel.Exchange;
import org.apache.camel.builder.RouteBuilder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;
import routes.channel.Ingress;
import routes.envelope.Envelope;

/**
 * {@code POST /webhooks/feishu}: Feishu's event subscription (request URL) on the gateway's HTTP port.
 *
 * <p>The request is verified over its raw bytes, decrypted when encrypted, and mapped by {@link FeishuWebhook}.
 * A message is answered 200 only once it is on Kafka; a platform retry of the same event keeps its event id, so
 * the pipeline answers it once. Bad input gets a 4xx JSON error, never a 5xx; only a failure to accept (Kafka
 * unreachable) answers 503, which Feishu retries.
 */
@Component
@ConditionalOnFeishu
public class FeishuIngressRoutes extends RouteBuilder {

    private static final Logger LOG = LoggerFactory.getLogger(FeishuIngressRoutes.class);
    private static final String PUBLISH = FeishuWebhookProcessor.PUBLISH;

    private final FeishuWebhook webhook;
    private final Ingress ingress;

    public FeishuIngressRoutes(FeishuWebhook webhook, Ingress ingress) {
        this.webhook = webhook;
        this.ingress = ingress;
    }

    @Override
    public void configure() {
        from("platform-http:" + FeishuConstants.WEBHOOK_PATH + "?httpMethodRestrict=POST")
                .routeId("feishu-ingress")
                .routeConfigurationId(FeishuWebhookErrors.CONFIGURATION)
                .process(this::classify)
                .filter(exchangeProperty(PUBLISH))
                    .to("direct:publish")
                .end()
                .process(FeishuWebhookProcessor::respond);
    }

    private void classify(Exchange exchange) {
        var in = exchange.getMessage();
        FeishuWebhook.Request request = new FeishuWebhook.Request(in.getBody(byte[].class),
                in.getHeader(FeishuConstants.TIMESTAMP, String.class),
                in.getHeader(FeishuConstants.NONCE, String.class),
                in.getHeader(FeishuConstants.SIGNATURE, String.class));
        // nothing from the request travels further as a header: the body becomes the envelope
        in.removeHeaders("*");
        FeishuWebhook.Outcome outcome = webhook.handle(request);
        exchange.setProperty(FeishuConstants.OUTCOME, outcome);
        if (outcome instanceof FeishuWebhook.Accept accept) {
            Envelope envelope = ingress.prepare(accept.message());
            LOG.debug("Feishu event {} accepted for chat {}", envelope.id(), envelope.chatId());
            in.setBody(envelope);
            exchange.setProperty(PUBLISH, true);
        } else if (outcome instanceof FeishuWebhook.Reject reject) {
            LOG.info("Feishu webhook refused: {} {}", reject.status(), reject.code());
        } else if (outcome instanceof FeishuWebhook.Ignore ignore) {
            LOG.debug("Feishu event acknowledged and not answered: {}", ignore.reason());
        }
    }
}
