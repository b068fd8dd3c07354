package routes.model;

import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import io.github.resilience4j.circuitbreaker.CircuitBreakerRegistry;
import io.github.resilience4j.micrometer.tagged.TaggedCircuitBreakerMetrics;
import io.micrometer.core.instrument.MeterRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/**
 * One Resilience4j circuit breaker per provider.
 *
 * <p>Used through its non-blocking API (ask for a permit, then report the outcome) so a call waiting on a provider
 * holds no thread; Camel's circuitBreaker EIP runs its guarded steps synchronously and would pin one thread per
 * model call in flight. Defaults: open after 5 consecutive failures, one trial call after 30 s. States and call
 * counts are exported as {@code resilience4j_circuitbreaker_*} metrics tagged with the provider name.
 */
@Component
public class CircuitBreakers {

    private static final Logger LOG = LoggerFactory.getLogger(CircuitBreakers.class);

    private final ModelProperties properties;
    private final CircuitBreakerRegistry registry = CircuitBreakerRegistry.ofDefaults();

    public CircuitBreakers(ModelProperties properties, MeterRegistry meters) {
        this.properties = properties;
        TaggedCircuitBreakerMetrics.ofCircuitBreakerRegistry(registry).bindTo(meters);
    }

    /** The circuit breaker of {@code providerName}. */
    public CircuitBreaker of(String providerName) {
        return registry.find(providerName).orElseGet(() -> create(providerName));
    }

    private synchronized CircuitBreaker create(String providerName) {
        return registry.find(providerName).orElseGet(() -> {
            ModelProperties.Provider provider = properties.getProviders().get(providerName);
            ModelProperties.CircuitBreaker settings = provider == null ? new ModelProperties.CircuitBreaker()
                    : provider.getCircuitBreaker();
            int threshold = Math.max(1, settings.getFailureThreshold());
            CircuitBreakerConfig config = CircuitBreakerConfig.custom()
                    // the last N calls all failed = N consecutive failures
                    .slidingWindowType(CircuitBreakerConfig.SlidingWindowType.COUNT_BASED)
                    .slidingWindowSize(threshold)
                    .minimumNumberOfCalls(threshold)
                    .failureRateThreshold(100)
                    .waitDurationInOpenState(settings.getOpenDuration())
                    .permittedNumberOfCallsInHalfOpenState(Math.max(1, settings.getHalfOpenCalls()))
                    .recordException(ProviderFailures::countsAgainstProvider)
                    .writableStackTraceEnabled(false)
                    .build();
            CircuitBreaker breaker = registry.circuitBreaker(providerName, config);
            breaker.getEventPublisher().onStateTransition(event -> LOG.warn("model provider {}: circuit {}",
                    providerName, event.getStateTransition()));
            return breaker;
        });
    }
}
