package routes.channel.web;

import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.spi.IdempotentRepository;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.stereotype.Component;
import routes.envelope.Envelope;
import routes.envelope.EnvelopeCodec;
import routes.infra.InstanceBus;
import routes.infra.InstanceIdentity;
import routes.infra.KafkaProperties;
import routes.pipeline.PipelineErrorHandling;
import routes.pipeline.PipelineRoutes;

/**
 * Egress of the connection-bound channels: a reply on {@code caravan.outbound.<channel>} goes to the instance
 * holding the client's connection (in-process, or through that instance's Redis channel); REST replies are stored
 * for {@code GET /api/v1/messages/{id}}.
 */
@Component
public class WebEgressRoutes extends RouteBuilder {

    /** Consumer group of the egress routes, shared by every instance. */
    static final String GROUP = "caravan-egress";

    private final KafkaProperties kafka;
    private final InstanceIdentity identity;
    private final InstanceBus bus;
    private final MessageStatusStore statuses;
    private final IdempotentRepository deliveries;

    public WebEgressRoutes(KafkaProperties kafka, InstanceIdentity identity, InstanceBus bus,
            MessageStatusStore statuses, @Qualifier("deliveryRepository") IdempotentRepository deliveries) {
        this.kafka = kafka;
        this.identity = identity;
        this.bus = bus;
        this.statuses = statuses;
        this.deliveries = deliveries;
    }

    @Override
    public void configure() {
        for (String channel : new String[] {WebChannels.WEBSOCKET, WebChannels.OPENAI}) {
            from(PipelineRoutes.consumerUri(kafka, kafka.getTopics().outbound(channel), GROUP, identity))
                    .routeId(channel + "-egress")
                    .routeConfigurationId("pipeline")
                    .process(PipelineErrorHandling::captureSource)
                    .process(WebEgressRoutes::decode)
                    .idempotentConsumer(exchangeProperty(DELIVERY_KEY)).idempotentRepository(deliveries)
                        .eager(false).skipDuplicate(true)
                        .process(exchange -> bus.reply(exchange.getMessage().getBody(Envelope.class)))
                    .end();
        }
        from(PipelineRoutes.consumerUri(kafka, kafka.getTopics().outbound(WebChannels.REST), GROUP, identity))
                .routeId("rest-egress")
                .routeConfigurationId("pipeline")
                .process(PipelineErrorHandling::captureSource)
                .process(WebEgressRoutes::decode)
                .idempotentConsumer(exchangeProperty(DELIVERY_KEY)).idempotentRepository(deliveries)
                    .eager(false).skipDuplicate(true)
                    .process(exchange -> statuses.replied(exchange.getMessage().getBody(Envelope.class)))
                .end();
    }

    /**
     * Decodes the reply and names it for delivery dedupe: a reply published twice (its message was redelivered
     * after a crash between publishing and remembering it) has the same deterministic id, and is delivered once.
     */
    private static void decode(org.apache.camel.Exchange exchange) {
        Envelope reply = EnvelopeCodec.decode(exchange.getProperty(routes.pipeline.PipelineConstants.RAW,
                byte[].class));
        if (!reply.isReply()) {
            throw new routes.envelope.EnvelopeException("an outbound record is not a reply (no inReplyTo)");
        }
        exchange.setProperty(DELIVERY_KEY, reply.dedupeKey());
        exchange.getMessage().setBody(reply);
    }

    private static final String DELIVERY_KEY = "CaravanDeliveryKey";
}
