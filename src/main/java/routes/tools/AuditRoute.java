package routes.tools;

import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.component.kafka.KafkaConstants;
import org.springframework.stereotype.Component;

/**
 * {@code direct:audit}: writes the JSON audit event in the body to the audit topic, keyed by its user id. Events are
 * made by {@link routes.ops.AuditLog} only, so the topic holds one shape.
 */
@Component
public class AuditRoute extends RouteBuilder {

    public static final String ENDPOINT = "direct:audit";
    /** Header: the record key (the event's user id, else its type). */
    public static final String KEY = "CaravanAuditKey";

    @Override
    public void configure() {
        from(ENDPOINT).routeId("audit-publish")
                .process(exchange -> {
                    String key = exchange.getMessage().getHeader(KEY, String.class);
                    exchange.getMessage().removeHeaders("*");
                    exchange.getMessage().setHeader(KafkaConstants.KEY, key);
                    exchange.getMessage().setBody(exchange.getMessage().getBody(String.class)
                            .getBytes(java.nio.charset.StandardCharsets.UTF_8));
                })
                .to("kafka:{{caravan.kafka.topics.audit}}");
    }
}
