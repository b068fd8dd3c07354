package routes.pipeline;

import org.apache.camel.Exchange;
import org.apache.camel.builder.RouteConfigurationBuilder;
import org.apache.camel.component.kafka.KafkaConstants;
import org.springframework.stereotype.Component;
import routes.envelope.EnvelopeException;
import routes.infra.InfrastructureFailures;
import routes.infra.kafka.OrderedKafkaConstants;

/**
 * Error handling of the routes that consume Kafka ({@code routeConfiguration("pipeline")}).
 *
 * <ul>
 *   <li>A record that is not an envelope is poison: straight to the DLQ with the reason.</li>
 *   <li>Redis or Kafka being unreachable is not the message's fault: after a few tries the record is left
 *       unfinished, so its offset is not committed and the consumer tries it again later. Nothing is lost.</li>
 *   <li>Anything else fails the message: bounded redelivery with backoff, then the DLQ with the reason.</li>
 * </ul>
 */
@Component
public class PipelineErrorHandling extends RouteConfigurationBuilder {

    private final PipelineProperties properties;

    public PipelineErrorHandling(PipelineProperties properties) {
        this.properties = properties;
    }

    @Override
    public void configuration() {
        routeConfiguration("pipeline")
                .onException(EnvelopeException.class)
                    .handled(true)
                    .to("direct:dlq")
                .end()
                // Redis or Kafka failing, however deep in the cause chain (see InfrastructureFailures); the consumer
                // logs the record it will take again in one warning line, so no error and stack here
                .onException(Exception.class)
                    .onWhen(InfrastructureFailures::involved)
                    .maximumRedeliveries(properties.getMaxRedeliveries())
                    .redeliveryDelay(properties.getRedeliveryDelay().toMillis())
                    .useExponentialBackOff()
                    .logExhausted(false)
                    .handled(false)
                .end()
                .onException(Exception.class)
                    .maximumRedeliveries(properties.getMaxRedeliveries())
                    .redeliveryDelay(properties.getRedeliveryDelay().toMillis())
                    .useExponentialBackOff()
                    .handled(true)
                    .to("direct:dlq")
                .end();
    }

    /** Keeps the record's bytes and origin, so the DLQ gets them whatever later steps did to the message. */
    public static void captureSource(Exchange exchange) {
        var in = exchange.getMessage();
        capture(exchange, in.getHeader(OrderedKafkaConstants.KEY, String.class),
                in.getHeader(OrderedKafkaConstants.TOPIC, String.class),
                in.getHeader(OrderedKafkaConstants.PARTITION) + "@" + in.getHeader(OrderedKafkaConstants.OFFSET));
    }

    /** {@link #captureSource} for a route that consumes with the plain camel-kafka component. */
    public static void captureKafkaSource(Exchange exchange) {
        var in = exchange.getMessage();
        capture(exchange, in.getHeader(KafkaConstants.KEY, String.class),
                in.getHeader(KafkaConstants.TOPIC, String.class),
                in.getHeader(KafkaConstants.PARTITION) + "@" + in.getHeader(KafkaConstants.OFFSET));
    }

    private static void capture(Exchange exchange, String key, String topic, String position) {
        exchange.setProperty(PipelineConstants.RAW, exchange.getMessage().getBody(byte[].class));
        exchange.setProperty(SOURCE_KEY, key);
        exchange.setProperty(SOURCE_TOPIC, topic);
        exchange.setProperty(SOURCE_POSITION, position);
    }

    /** Turns the failed exchange into the DLQ record: the original bytes, with the reason and origin as headers. */
    static void toDeadLetter(Exchange exchange) {
        Throwable cause = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Throwable.class);
        String reason = cause == null ? "unknown" : cause.getClass().getSimpleName() + ": " + cause.getMessage();
        if (reason.length() > 1000) {
            reason = reason.substring(0, 1000);
        }
        var out = exchange.getMessage();
        out.removeHeaders("*");
        String key = exchange.getProperty(SOURCE_KEY, String.class);
        if (key != null) {
            out.setHeader(KafkaConstants.KEY, key);
        }
        out.setHeader("caravan-dlq-reason", reason);
        out.setHeader("caravan-dlq-source-topic", String.valueOf(exchange.getProperty(SOURCE_TOPIC)));
        out.setHeader("caravan-dlq-source-position", String.valueOf(exchange.getProperty(SOURCE_POSITION)));
        out.setHeader("caravan-dlq-route", String.valueOf(exchange.getFromRouteId()));
        out.setHeader("caravan-dlq-at", java.time.Instant.now().toString());
        Object raw = exchange.getProperty(PipelineConstants.RAW);
        out.setBody(raw != null ? raw : new byte[0]);
        exchange.setProperty(PipelineConstants.DLQ_REASON, reason);
    }

    private static final String SOURCE_KEY = "CaravanSourceKey";
    private static final String SOURCE_TOPIC = "CaravanSourceTopic";
    private static final String SOURCE_POSITION = "CaravanSourcePosition";
}
