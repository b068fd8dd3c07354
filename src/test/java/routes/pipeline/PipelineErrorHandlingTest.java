package routes.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import java.time.Duration;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.impl.DefaultCamelContext;
import org.junit.jupiter.api.Test;
import org.springframework.dao.DataAccessException;
import routes.support.CapturedLogs;
import routes.support.UnreachableRedis;

/**
 * The pipeline's error handling when Redis does not answer (a real client, nobody listening). The failure goes back
 * to the consumer (which takes the record again later) after the configured retries, and nothing is logged as an
 * error: an outage is not a fault of the message.
 */
class PipelineErrorHandlingTest {

    @Test
    void aRedisOutageIsRetriedAndHandedBackWithoutAnErrorLog() throws Exception {
        var properties = new PipelineProperties();
        properties.setMaxRedeliveries(2);
        properties.setRedeliveryDelay(Duration.ofMillis(10));

        try (var redis = new UnreachableRedis(); var logs = CapturedLogs.start();
                CamelContext camel = new DefaultCamelContext()) {
            var template = redis.template();
            camel.addRoutesConfigurations(new PipelineErrorHandling(properties));
            camel.addRoutes(new RouteBuilder() {
                @Override
                public void configure() {
                    from("direct:step").routeId("step").routeConfigurationId("pipeline")
                            .process(exchange -> exchange.getMessage().setBody(template.opsForValue().get("any")));
                }
            });
            camel.start();

            Exchange done = camel.createProducerTemplate().send("direct:step", exchange -> { });

            assertThat(done.getException()).isInstanceOf(DataAccessException.class);
            assertThat(done.getMessage().getHeader(Exchange.REDELIVERY_COUNTER, Integer.class)).isEqualTo(2);
            assertThat(logs.atLeast(Level.ERROR)).isEmpty();
        }
    }
}
