package routes.channel;

import org.apache.camel.Exchange;
import org.apache.camel.builder.RouteConfigurationBuilder;
import org.springframework.stereotype.Component;
import routes.envelope.EnvelopeException;
import routes.infra.InfrastructureFailures;

/**
 * Error handling of the egress routes that call platform APIs ({@code routeConfiguration("egress")}).
 *
 * <ul>
 *   <li>The platform asked to slow down (429) or failed on its side: retried with exponential backoff, waiting at
 *       least what its Retry-After said; after {@code caravan.channels.max-delivery-attempts} the reply goes to the
 *       DLQ with the reason.</li>
 *   <li>The platform refused the reply for good (other 4xx): straight to the DLQ.</li>
 *   <li>Redis or Kafka unreachable: the record stays unfinished and is tried again later.</li>
 * </ul>
 */
@Component
public class EgressErrorHandling extends RouteConfigurationBuilder {

    private final ChannelsProperties properties;

    public EgressErrorHandling(ChannelsProperties properties) {
        this.properties = properties;
    }

    @Override
    public void configuration() {
        routeConfiguration("egress")
                .onException(EnvelopeException.class)
                    .handled(true)
                    .to("direct:dlq")
                .end()
                // Redis or Kafka failing, however deep in the cause chain (see InfrastructureFailures)
                .onException(Exception.class)
                    .onWhen(InfrastructureFailures::involved)
                    .maximumRedeliveries(3)
                    .redeliveryDelay(500)
                    .useExponentialBackOff()
                    .handled(false)
                .end()
                .onException(PlatformException.class)
                    .onWhen(exchange -> exchange.getProperty(Exchange.EXCEPTION_CAUGHT, PlatformException.class)
                            .retriable())
                    .maximumRedeliveries(properties.getMaxDeliveryAttempts() - 1)
                    .redeliveryDelay(properties.getRetryDelay().toMillis())
                    .maximumRedeliveryDelay(properties.getMaxRetryDelay().toMillis())
                    .useExponentialBackOff()
                    .handled(true)
                    .to("direct:dlq")
                .end()
                .onException(Exception.class)
                    .handled(true)
                    .to("direct:dlq")
                .end();
    }

    /**
     * Fails the current step with {@code failure}, telling the redelivery to wait what the platform asked for.
     * Call it instead of throwing directly, from the processor that called the platform.
     */
    public static PlatformException fail(Exchange exchange, PlatformException failure) {
        if (failure.retryAfter() != null) {
            long asked = failure.retryAfter().toMillis();
            exchange.getMessage().setHeader(Exchange.REDELIVERY_DELAY, asked);
        }
        return failure;
    }
}
