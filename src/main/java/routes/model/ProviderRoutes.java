package routes.model;

import java.time.Duration;
import org.apache.camel.Exchange;
import org.apache.camel.builder.RouteBuilder;
import org.springframework.stereotype.Component;

/**
 * The provider route: every model call passes here, one exchange per call of one provider.
 *
 * <ul>
 *   <li>Camel's throttle caps the calls in flight per provider ({@code max-concurrent}); calls over the cap wait
 *       their turn instead of failing.</li>
 *   <li>{@link ProviderInvoker} asks the provider's circuit breaker and calls it, streaming.</li>
 *   <li>A failure that may pass (429, 5xx, timeout, lost connection) is retried by the route's error handler,
 *       asynchronously (no thread sleeps), up to {@code retry.max-attempts} calls, waiting exponential backoff or
 *       the provider's Retry-After. Nothing is retried once tokens went out, nor past an open circuit. What is left
 *       fails the exchange, and the gateway falls back to the next link of the chain.</li>
 * </ul>
 */
@Component
public class ProviderRoutes extends RouteBuilder {

    /** The provider route's endpoint. */
    public static final String ENDPOINT = "direct:model-provider";
    /** Header: the provider's name (the throttle's key). */
    public static final String PROVIDER = "CaravanProvider";
    /** Header: the provider's cap of calls in flight. */
    public static final String MAX_CONCURRENT = "CaravanProviderMaxConcurrent";

    private final ProviderInvoker invoker;

    public ProviderRoutes(ProviderInvoker invoker) {
        this.invoker = invoker;
    }

    @Override
    public void configure() {
        from(ENDPOINT).routeId("model-provider")
                .onException(Exception.class)
                    .retryWhile(ProviderRoutes::shouldRetry)
                    .redeliveryDelay(0)
                    .asyncDelayedRedelivery()
                    .logRetryAttempted(false)
                    .logExhausted(false)
                    .handled(false)
                .end()
                .throttle(header(MAX_CONCURRENT)).concurrentRequestsMode()
                    .correlationExpression(header(PROVIDER))
                    .asyncDelayed()
                .process(invoker);
    }

    /** Whether the failed call is tried again on the same provider. */
    static boolean shouldRetry(Exchange exchange) {
        Throwable error = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Throwable.class);
        ProviderCall call = exchange.getMessage().getBody(ProviderCall.class);
        if (error == null || call == null || call.streamed().get() || !ProviderFailures.retryable(error)) {
            return false;
        }
        // the error handler has counted this failure already: the counter is the number of failed calls so far
        int failed = exchange.getMessage().getHeader(Exchange.REDELIVERY_COUNTER, 0, Integer.class);
        if (failed >= call.provider().getRetry().getMaxAttempts()) {
            return false;
        }
        Duration asked = ProviderFailures.retryAfter(error);
        return asked == null || asked.compareTo(call.provider().getRetry().getMaxRetryAfter()) <= 0;
    }
}
