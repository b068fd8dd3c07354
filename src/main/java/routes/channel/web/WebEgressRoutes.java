package routes.channel.web;

import org.apache.camel.builder.RouteBuilder;
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

    public WebEgressRoutes(KafkaProperties kafka, InstanceIdentity identity, InstanceBus bus,
            MessageStatusStore statuses) {
        this.kafka = kafka;
        this.identity = identity;
        this.bus = bus;
        this.statuses = statuses;
    }

    @Override
    public void configure() {
        for (String channel : new String[] {WebChannels.WEBSOCKET, WebChannels.OPENAI}) {
            from(PipelineRoutes.consumerUri(kafka, kafka.getTopics().outbound(channel), GROUP, identity))
                    .routeId(channel + "-egress")
                    .routeConfigurationId("pipeline")
                    .process(PipelineErrorHandling::captureSource)
                    .process(exchange -> bus.reply(decode(exchange.getMessage().getBody(byte[].class))));
        }
        from(PipelineRoutes.consumerUri(kafka, kafka.getTopics().outbound(WebChannels.REST), GROUP, identity))
                .routeId("rest-egress")
                .routeConfigurationId("pipeline")
                .process(PipelineErrorHandling::captureSource)
                .process(exchange -> statuses.replied(decode(exchange.getMessage().getBody(byte[].class))));
    }

    private static Envelope decode(byte[] raw) {
        Envelope reply = EnvelopeCodec.decode(raw);
        if (!reply.isReply()) {
            throw new routes.envelope.EnvelopeException("an outbound record is not a reply (no inReplyTo)");
        }
        return reply;
    }
}
