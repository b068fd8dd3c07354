package routes.infra;

import org.apache.camel.Exchange;
import org.springframework.dao.DataAccessException;

/**
 * Tells a failure of Caravan's own infrastructure (Redis, Kafka) from a failure of the message: the first is
 * worth waiting out and trying again, the second belongs in the DLQ.
 *
 * <p>Camel picks an {@code onException} clause by the innermost cause first, and a Redis failure usually arrives
 * as a Spring {@link DataAccessException} around a Lettuce exception around an {@code IOException}: a clause for
 * {@code DataAccessException} alone would lose to a catch-all matching the innermost cause. Route configurations
 * therefore test the whole chain with {@link #involved(Exchange)}.
 */
public final class InfrastructureFailures {

    private InfrastructureFailures() {
    }

    /** Whether the exception the exchange caught was caused, at any depth, by Redis or Kafka. */
    public static boolean involved(Exchange exchange) {
        Throwable caught = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Throwable.class);
        return involved(caught != null ? caught : exchange.getException());
    }

    /** Whether {@code failure} was caused, at any depth, by Redis or Kafka. */
    public static boolean involved(Throwable failure) {
        int depth = 0;
        for (Throwable t = failure; t != null && depth < 32; t = t.getCause(), depth++) {
            if (t instanceof DataAccessException || t instanceof io.lettuce.core.RedisException
                    || t instanceof org.apache.kafka.common.KafkaException) {
                return true;
            }
        }
        return false;
    }
}
