package routes.infra.kafka;

import org.apache.camel.Endpoint;
import org.apache.camel.Exchange;
import org.apache.camel.tracing.SpanAdapter;
import org.apache.camel.tracing.decorators.AbstractMessagingSpanDecorator;

/**
 * How Camel tracing sees an {@code ordered-kafka} consumer: a messaging consumer span named after the topic, child
 * of the producer span whose W3C trace context came in the record's headers.
 */
public class OrderedKafkaSpanDecorator extends AbstractMessagingSpanDecorator {

    @Override
    public String getComponent() {
        return "ordered-kafka";
    }

    @Override
    public String getComponentClassName() {
        return OrderedKafkaComponent.class.getName();
    }

    @Override
    protected String getDestination(Exchange exchange, Endpoint endpoint) {
        String topic = exchange.getIn().getHeader(OrderedKafkaConstants.TOPIC, String.class);
        return topic != null ? topic : stripSchemeAndOptions(endpoint);
    }

    @Override
    public void pre(SpanAdapter span, Exchange exchange, Endpoint endpoint) {
        super.pre(span, exchange, endpoint);
        Object partition = exchange.getIn().getHeader(OrderedKafkaConstants.PARTITION);
        if (partition != null) {
            span.setTag("kafka.partition", String.valueOf(partition));
        }
        Object offset = exchange.getIn().getHeader(OrderedKafkaConstants.OFFSET);
        if (offset != null) {
            span.setTag("kafka.offset", String.valueOf(offset));
        }
    }
}
