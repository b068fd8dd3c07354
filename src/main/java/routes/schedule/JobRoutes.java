package routes.schedule;

import java.time.Instant;
import java.util.Date;
import org.apache.camel.Exchange;
import org.apache.camel.builder.RouteBuilder;
import org.springframework.stereotype.Component;
import routes.envelope.ChatType;
import routes.envelope.Envelope;
import routes.envelope.Priority;

/**
 * {@code direct:schedule-message}: what a scheduled job in YAML sends to have the assistant act on a prompt for a
 * conversation, e.g. a daily summary. The job's route fires on one leader ({@code master:} + quartz cron); this
 * route turns the firing into an accepted message on Kafka whose id is fixed by the job and the trigger time, so a
 * trigger that fires twice (leader change) is answered once, and a restart loses nothing once it is on Kafka.
 *
 * <p>The job sets the body to the prompt and the header {@code CaravanJobTarget} to {@code channel:chatId}.
 */
@Component
public class JobRoutes extends RouteBuilder {

    /** Header: where the answer goes, {@code channel:chatId}. */
    public static final String TARGET = "CaravanJobTarget";

    @Override
    public void configure() {
        from("direct:schedule-message").routeId("schedule-message")
                .process(JobRoutes::toEnvelope)
                .to("direct:publish");
    }

    static void toEnvelope(Exchange exchange) {
        String target = exchange.getMessage().getHeader(TARGET, String.class);
        if (target == null || !target.contains(":")) {
            throw new IllegalArgumentException("a scheduled job must set the header " + TARGET
                    + " to channel:chatId");
        }
        String channel = target.substring(0, target.indexOf(':'));
        String chatId = target.substring(target.indexOf(':') + 1);
        Date fired = exchange.getMessage().getHeader("scheduledFireTime", Date.class);
        Instant at = fired != null ? fired.toInstant() : Instant.ofEpochMilli(exchange.getClock().getCreated());
        String job = exchange.getFromRouteId();
        exchange.getMessage().setBody(Envelope.builder()
                .id("job:" + job + ":" + at.toEpochMilli())
                .traceId(routes.envelope.Ids.newTraceId())
                .channel(channel)
                .chatId(chatId)
                .chatType(ChatType.DIRECT)
                .senderId("job:" + job)
                .text(exchange.getMessage().getBody(String.class))
                .priority(Priority.BATCH)
                .receivedAt(at)
                .meta("job", job)
                .build());
        exchange.getMessage().removeHeaders("Caravan*");
    }
}
