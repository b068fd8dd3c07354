package routes.pipeline;

import org.apache.camel.LoggingLevel;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.component.kafka.KafkaConstants;
import org.springframework.stereotype.Component;
import routes.infra.KafkaProperties;

/**
 * {@code direct:dlq}: writes a message that cannot be processed to {@code caravan.dlq} with the reason, the
 * original bytes and where it came from, so it can be inspected and re-driven.
 */
@Component
public class DeadLetterRoute extends RouteBuilder {

    private final KafkaProperties kafka;

    public DeadLetterRoute(KafkaProperties kafka) {
        this.kafka = kafka;
    }

    @Override
    public void configure() {
        from("direct:dlq").routeId("dead-letter")
                .process(PipelineErrorHandling::toDeadLetter)
                .setHeader(KafkaConstants.OVERRIDE_TOPIC, constant(kafka.getTopics().getDlq()))
                .to("kafka:{{caravan.kafka.topics.inbound}}")
                .log(LoggingLevel.WARN, "routes.pipeline.dlq",
                        "message dead-lettered from ${header.caravan-dlq-source-topic}: ${exchangeProperty."
                                + PipelineConstants.DLQ_REASON + "}");
    }
}
