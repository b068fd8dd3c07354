package routes.ops;

import io.micrometer.core.instrument.MeterRegistry;
import java.sql.SQLNonTransientConnectionException;
import java.sql.SQLRecoverableException;
import java.sql.SQLTransientException;
import org.apache.camel.Exchange;
import org.apache.camel.builder.RouteConfigurationBuilder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.core.NestedExceptionUtils;
import org.springframework.dao.DataAccessResourceFailureException;
import org.springframework.dao.RecoverableDataAccessException;
import org.springframework.dao.TransientDataAccessException;
import org.springframework.stereotype.Component;

/**
 * Error handling of the audit sink ({@code routeConfiguration("audit-sink")}).
 *
 * <ul>
 *   <li>A record that is not an audit event: straight to the DLQ with the reason.</li>
 *   <li>The database unreachable (no connection, connection lost, timeouts): not the event's fault. After the
 *       retries the record stays uncommitted and the consumer reads it again, until the database is back; events
 *       wait on the topic meanwhile (outcome {@code unavailable}).</li>
 *   <li>Anything else (a row or line that cannot be written): retried with backoff, then the DLQ with the reason,
 *       from where {@code POST /admin/dlq/redrive} sends it back.</li>
 * </ul>
 */
@Component
public class AuditSinkErrorHandling extends RouteConfigurationBuilder {

    /** The route configuration's id. */
    public static final String CONFIGURATION = "audit-sink";

    private static final Logger LOG = LoggerFactory.getLogger(AuditSinkErrorHandling.class);

    private final AuditProperties properties;
    private final MeterRegistry meters;

    public AuditSinkErrorHandling(AuditProperties properties, MeterRegistry meters) {
        this.properties = properties;
        this.meters = meters;
    }

    @Override
    public void configuration() {
        routeConfiguration(CONFIGURATION)
                .onException(AuditRow.InvalidAuditEventException.class)
                    .handled(true)
                    .process(exchange -> AuditSinkRoutes.count(meters, exchange, "dead_lettered"))
                    .to("direct:dlq")
                .end()
                .onException(DataAccessResourceFailureException.class, TransientDataAccessException.class,
                        RecoverableDataAccessException.class, SQLTransientException.class,
                        SQLRecoverableException.class, SQLNonTransientConnectionException.class)
                    .maximumRedeliveries(properties.getMaxRedeliveries())
                    .redeliveryDelay(properties.getRedeliveryDelay().toMillis())
                    .useExponentialBackOff()
                    .handled(false)
                    // one line per try rather than a stack trace each time, for as long as the outage lasts
                    .logExhausted(false)
                    .process(exchange -> {
                        AuditSinkRoutes.count(meters, exchange, "unavailable");
                        Throwable cause = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Throwable.class);
                        LOG.warn("the audit database is unreachable; the event waits on Kafka and is tried again: {}",
                                cause == null ? "unknown"
                                        : NestedExceptionUtils.getMostSpecificCause(cause).getMessage());
                    })
                .end()
                .onException(Exception.class)
                    .maximumRedeliveries(properties.getMaxRedeliveries())
                    .redeliveryDelay(properties.getRedeliveryDelay().toMillis())
                    .useExponentialBackOff()
                    .handled(true)
                    .process(exchange -> AuditSinkRoutes.count(meters, exchange, "dead_lettered"))
                    .to("direct:dlq")
                .end();
    }
}
