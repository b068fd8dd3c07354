package routes.ops;

import org.apache.camel.CamelContext;
import org.springframework.boot.actuate.health.Health;
import org.springframework.boot.actuate.health.HealthIndicator;
import org.springframework.stereotype.Component;

/**
 * {@code routes} in /actuator/health: UP while Camel's routes run, OUT_OF_SERVICE (HTTP 503) before they have
 * started and once they stop.
 *
 * <p>The HTTP server opens before Camel starts its routes, and in that moment every interface answers 503
 * "starting". Camel's own indicator counts a starting context as UNKNOWN, which leaves the whole health UP; this one
 * keeps a load balancer or a start-up script from sending traffic to an instance that cannot accept it yet.
 */
@Component("routes")
public class RoutesHealthIndicator implements HealthIndicator {

    private final CamelContext camel;

    public RoutesHealthIndicator(CamelContext camel) {
        this.camel = camel;
    }

    @Override
    public Health health() {
        Health.Builder builder = camel.isStarted() ? Health.up() : Health.outOfService();
        return builder.withDetail("camel", camel.getStatus().name()).withDetail("routes", camel.getRoutesSize())
                .build();
    }
}
