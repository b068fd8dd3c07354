package routes.channel.web;

import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.model.RouteDefinition;
import org.apache.camel.spi.IdempotentRepository;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.stereotype.Component;
import routes.channel.EgressSupport;
import routes.envelope.Envelope;
import routes.infra.InstanceBus;
import routes.pipeline.PipelineErrorHandling;

/**
 * Egress of the connection-bound channels: a reply on {@code caravan.outbound.<channel>} goes to the instance
 * holding the client's connection (in-process, or through that instance's Redis channel); REST replies are stored
 * for {@code GET /api/v1/messages/{id}}. A reply record seen twice is delivered once: WebSocket and REST replies
 * are marked delivered in Redis; an API reply is taken by its waiting request at most once.
 */
@Component
public class WebEgressRoutes extends RouteBuilder {

    private final EgressSupport egress;
    private final InstanceBus bus;
    private final MessageStatusStore statuses;
    private final IdempotentRepository deliveries;

    public WebEgressRoutes(EgressSupport egress, InstanceBus bus, MessageStatusStore statuses,
            @Qualifier("deliveryRepository") IdempotentRepository deliveries) {
        this.egress = egress;
        this.bus = bus;
        this.statuses = statuses;
        this.deliveries = deliveries;
    }

    @Override
    public void configure() {
        replies(WebChannels.WEBSOCKET)
                .idempotentConsumer(exchangeProperty(EgressSupport.DELIVERY_KEY)).idempotentRepository(deliveries)
                    .eager(false).skipDuplicate(true)
                    .process(exchange -> bus.reply(exchange.getMessage().getBody(Envelope.class)))
                .end();
        // an API reply completes its waiting request, which takes one reply and is then gone: a record seen twice
        // finds nobody waiting, so these replies need no delivery mark in Redis (two round trips per request)
        replies(WebChannels.OPENAI)
                .process(exchange -> bus.reply(exchange.getMessage().getBody(Envelope.class)));
        replies(WebChannels.REST)
                .idempotentConsumer(exchangeProperty(EgressSupport.DELIVERY_KEY)).idempotentRepository(deliveries)
                    .eager(false).skipDuplicate(true)
                    .process(exchange -> statuses.replied(exchange.getMessage().getBody(Envelope.class)))
                .end();
    }

    /** The egress route of {@code channel}: its reply records, decoded, with the pipeline's error handling. */
    private RouteDefinition replies(String channel) {
        return from(egress.consumerUri(channel))
                .routeId(channel + "-egress")
                .routeConfigurationId("pipeline")
                .process(PipelineErrorHandling::captureSource)
                .process(EgressSupport::decodeReply);
    }
}
