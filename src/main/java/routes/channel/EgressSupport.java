package routes.channel;

import org.apache.camel.Exchange;
import org.springframework.stereotype.Component;
import routes.envelope.Envelope;
import routes.envelope.EnvelopeCodec;
import routes.envelope.EnvelopeException;
import routes.infra.InstanceIdentity;
import routes.infra.KafkaProperties;
import routes.ops.logging.MessageMdc;
import routes.pipeline.PipelineConstants;
import routes.pipeline.PipelineRoutes;

/**
 * What every channel's egress route shares: where replies are consumed from, how a reply record is decoded, and
 * the key under which a delivered reply is remembered so a record seen twice is delivered once.
 *
 * <p>An egress route reads:
 * <pre>
 * from(egress.consumerUri("telegram")).routeId("telegram-egress").routeConfigurationId("egress")
 *     .process(PipelineErrorHandling::captureSource)
 *     .process(EgressSupport::decodeReply)
 *     .idempotentConsumer(exchangeProperty(EgressSupport.DELIVERY_KEY)).idempotentRepository(deliveries)
 *         .eager(false).skipDuplicate(true)
 *         ... deliver ...
 *     .end();
 * </pre>
 */
@Component
public class EgressSupport {

    /** Consumer group of every egress route, shared by all instances. */
    public static final String GROUP = "caravan-egress";
    /** Exchange property: the delivery dedupe key of the reply. */
    public static final String DELIVERY_KEY = "CaravanDeliveryKey";

    private final KafkaProperties kafka;
    private final InstanceIdentity identity;

    public EgressSupport(KafkaProperties kafka, InstanceIdentity identity) {
        this.kafka = kafka;
        this.identity = identity;
    }

    /** The ordered consumer of a channel's reply topic. */
    public String consumerUri(String channel) {
        return PipelineRoutes.consumerUri(kafka, kafka.getTopics().outbound(channel), GROUP, identity);
    }

    /** Decodes the reply record into the body and names it for delivery dedupe. */
    public static void decodeReply(Exchange exchange) {
        Envelope reply = EnvelopeCodec.decode(exchange.getProperty(PipelineConstants.RAW, byte[].class));
        if (!reply.isReply()) {
            throw new EnvelopeException("an outbound record is not a reply (no inReplyTo)");
        }
        MessageMdc.attach(exchange, reply);
        exchange.setProperty(DELIVERY_KEY, reply.dedupeKey());
        exchange.getMessage().setBody(reply);
    }
}
