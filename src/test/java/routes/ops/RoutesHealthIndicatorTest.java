package routes.ops;

import static org.assertj.core.api.Assertions.assertThat;

import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.impl.DefaultCamelContext;
import org.junit.jupiter.api.Test;
import org.springframework.boot.actuate.health.Health;
import org.springframework.boot.actuate.health.Status;

class RoutesHealthIndicatorTest {

    @Test
    void outOfServiceUntilTheRoutesRunAndAgainOnceTheyStop() throws Exception {
        try (DefaultCamelContext camel = new DefaultCamelContext()) {
            camel.addRoutes(new RouteBuilder() {
                @Override
                public void configure() {
                    from("direct:in").routeId("in").to("log:out");
                }
            });
            RoutesHealthIndicator indicator = new RoutesHealthIndicator(camel);

            Health before = indicator.health();
            assertThat(before.getStatus()).isEqualTo(Status.OUT_OF_SERVICE);

            camel.start();
            Health running = indicator.health();
            assertThat(running.getStatus()).isEqualTo(Status.UP);
            assertThat(running.getDetails()).containsEntry("camel", "Started").containsEntry("routes", 1);

            camel.stop();
            assertThat(indicator.health().getStatus()).isEqualTo(Status.OUT_OF_SERVICE);
        }
    }
}
