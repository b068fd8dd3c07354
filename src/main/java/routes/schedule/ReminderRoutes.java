package routes.schedule;

import java.time.Instant;
import java.util.List;
import org.apache.camel.Exchange;
import org.apache.camel.builder.RouteBuilder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.core.NestedExceptionUtils;
import org.springframework.stereotype.Component;
import routes.envelope.Envelope;
import routes.infra.InfrastructureFailures;
import routes.infra.InstanceIdentity;
import routes.infra.KafkaProperties;
import routes.pipeline.KafkaPublishRoute;

/**
 * Fires due reminders: one leader in the cluster (Camel {@code master:} with the cluster service) looks for due
 * reminders, claims each atomically in Redis (so even two leaders during a hand-over publish it once), publishes it
 * as a reply on its channel's outbound topic (from there the egress delivers it like any reply, once by its fixed
 * id), and then forgets it. A claim whose instance died before publishing goes back after a lease. A reminder that
 * fell due while Caravan was down is still waiting, and fires as soon as a leader runs.
 */
@Component
public class ReminderRoutes extends RouteBuilder {

    private static final Logger LOG = LoggerFactory.getLogger(ReminderRoutes.class);

    /** Metadata key of a fired reminder: the id of the instance that fired it. */
    public static final String FIRED_BY = "firedBy";

    private final Reminders reminders;
    private final KafkaProperties kafka;
    private final ScheduleProperties properties;
    private final InstanceIdentity identity;

    public ReminderRoutes(Reminders reminders, KafkaProperties kafka, ScheduleProperties properties,
            InstanceIdentity identity) {
        this.reminders = reminders;
        this.kafka = kafka;
        this.properties = properties;
        this.identity = identity;
    }

    @Override
    public void configure() {
        from("master:caravan-reminders:timer:caravan-reminders?delay=500&period="
                + properties.getPollInterval().toMillis())
                .routeId("reminders-fire")
                // Redis or Kafka away: nothing is lost (a due reminder stays due, a claimed one goes back after its
                // lease), so one line per round says so and the next round tries again; anything else is a fault
                // and keeps Camel's error log
                .onException(Exception.class).onWhen(InfrastructureFailures::involved).handled(true)
                    .process(ReminderRoutes::infrastructureAway)
                .end()
                .process(exchange -> {
                    Instant now = Instant.now();
                    reminders.recover(now);
                    exchange.getMessage().setBody(reminders.due(now, 100));
                })
                .split(body()).stopOnException()
                    .filter(exchange -> reminders.claim(exchange.getMessage().getBody(String.class), Instant.now()))
                        .setProperty("CaravanReminderRaw", body())
                        .process(exchange -> {
                            String raw = exchange.getMessage().getBody(String.class);
                            Envelope reminder = reminders.open(raw);
                            if (reminder == null) {
                                reminders.dropIfNeverSealed(raw);
                            }
                            // which instance led when it fired: what an operator asks after a hand-over
                            exchange.getMessage().setBody(reminder == null ? null
                                    : reminder.toBuilder().meta(FIRED_BY, identity.id()).build());
                        })
                        // an encrypted entry that cannot be read (its key is not configured here) is left claimed:
                        // it goes back after the lease, and fires once an instance with the right keys leads
                        .filter(body().isNotNull())
                            .process(exchange -> exchange.getMessage().setHeader(KafkaPublishRoute.TOPIC, kafka
                                    .getTopics().outbound(exchange.getMessage().getBody(Envelope.class).channel())))
                            .to("direct:publish")
                            .process(exchange -> reminders.fired(
                                    exchange.getProperty("CaravanReminderRaw", String.class)))
                        .end()
                    .end()
                .end();
    }

    private static void infrastructureAway(Exchange exchange) {
        Throwable caught = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Throwable.class);
        String cause = caught == null ? "unknown"
                : NestedExceptionUtils.getMostSpecificCause(caught).getClass().getSimpleName();
        LOG.warn("reminders not checked this round, Redis or Kafka is not answering ({}); the next round tries again",
                cause);
    }

    /** Reminders due now (for tests and operators). */
    public List<String> dueNow() {
        return reminders.due(Instant.now(), 1000);
    }
}
