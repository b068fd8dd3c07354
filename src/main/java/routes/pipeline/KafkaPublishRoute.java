package routes.pipeline;

import org.apache.camel.Exchange;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.component.kafka.KafkaConstants;
import org.springframework.stereotype.Component;
import routes.channel.PriorityRules;
import routes.envelope.Envelope;
import routes.envelope.EnvelopeCodec;
import routes.infra.InstanceBus;
import routes.infra.KafkaProperties;
import routes.ops.logging.MessageMdc;

/**
 * {@code direct:publish}: writes the {@link Envelope} in the body to Kafka and completes once the broker has it
 * (acks=all, idempotent producer).
 *
 * <p>The topic comes from header {@link #TOPIC}, set by Caravan code from configuration, never from message data;
 * the key is the envelope's {@code channel:chatId}. One producer serves every topic.
 */
@Component
public class KafkaPublishRoute extends RouteBuilder {

    /** Topic to publish to. */
    public static final String TOPIC = "CaravanPublishTopic";

    private final KafkaProperties kafka;
    private final routes.ops.PipelineMetrics metrics;
    private final InstanceBus bus;

    public KafkaPublishRoute(KafkaProperties kafka, routes.ops.PipelineMetrics metrics, InstanceBus bus) {
        this.kafka = kafka;
        this.metrics = metrics;
        this.bus = bus;
    }

    @Override
    public void configure() {
        from("direct:publish").routeId("kafka-publish")
                // a failed send belongs to the caller's error handling (a webhook answers 503, the pipeline retries);
                // an error handler here would log the failure as exhausted and keep the caller's from seeing it
                .errorHandler(noErrorHandler())
                // an accepted message names itself in the logs; a reply keeps the name of the message it answers
                .process(KafkaPublishRoute::attachLogKeys)
                // an accepted message (no topic given): the integrator's priority rules choose its inbound topic
                .filter(header(TOPIC).isNull())
                    .process(PriorityRules::describe)
                    .to(PriorityRules.RULES)
                    .process(PriorityRules::apply)
                .end()
                .process(this::prepare)
                .to("kafka:{{caravan.kafka.topics.inbound}}")
                .process(this::published)
                .setBody(exchangeProperty("CaravanPublished"));
    }

    /**
     * An accepted message is counted; a reply, now durable, goes straight to a request of this instance that waits
     * for it, instead of after its egress route has read it back from Kafka (a second delivery finds nobody waiting).
     */
    private void published(Exchange exchange) {
        Envelope envelope = exchange.getProperty("CaravanPublished", Envelope.class);
        if (Boolean.TRUE.equals(exchange.getProperty("CaravanAccepted"))) {
            metrics.received(envelope);
        } else if (envelope.isReply()) {
            bus.offerPublishedReply(envelope);
        }
    }

    private static void attachLogKeys(Exchange exchange) {
        if (exchange.getProperty(MessageMdc.PROPERTY) == null
                && exchange.getMessage().getBody() instanceof Envelope envelope) {
            MessageMdc.attach(exchange, envelope);
        }
    }

    private void prepare(Exchange exchange) {
        Envelope envelope = exchange.getMessage().getBody(Envelope.class);
        String topic = exchange.getMessage().getHeader(TOPIC, String.class);
        exchange.setProperty("CaravanPublished", envelope);
        exchange.setProperty("CaravanAccepted", topic == null);
        exchange.getMessage().removeHeaders("*");
        exchange.getMessage().setHeader(KafkaConstants.KEY, envelope.kafkaKey());
        exchange.getMessage().setHeader(KafkaConstants.OVERRIDE_TOPIC,
                topic != null ? topic : kafka.getTopics().inbound(envelope.priority()));
        exchange.getMessage().setBody(EnvelopeCodec.encode(envelope));
    }
}
