package routes.channel;

import java.util.Locale;
import org.apache.camel.Exchange;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import routes.envelope.Envelope;
import routes.envelope.Priority;
import routes.model.RoutingHeaders;

/**
 * Around the integrator's priority rules ({@code direct:priority-rules}, YAML in the routes directory): every
 * accepted message is described in the routing headers, the rules may set {@link RoutingHeaders#PRIORITY}, and the
 * message goes to the inbound topic of that priority. Without rules, a message keeps its channel's priority.
 */
public final class PriorityRules {

    /** The endpoint of the rules; absent rules change nothing. */
    public static final String RULES = "direct:priority-rules?block=false&failIfNoConsumers=false";

    private static final String ENVELOPE = "CaravanPriorityEnvelope";
    private static final Logger LOG = LoggerFactory.getLogger(PriorityRules.class);

    private PriorityRules() {
    }

    /** Before the rules: the envelope in the body is kept aside and described in headers. */
    public static void describe(Exchange exchange) {
        Envelope envelope = exchange.getMessage().getBody(Envelope.class);
        exchange.setProperty(ENVELOPE, envelope);
        RoutingHeaders.describe(envelope, exchange.getMessage());
    }

    /** After the rules: the envelope back in the body, with the priority they chose. */
    public static void apply(Exchange exchange) {
        Envelope envelope = exchange.getProperty(ENVELOPE, Envelope.class);
        exchange.removeProperty(ENVELOPE);
        String chosen = exchange.getMessage().getHeader(RoutingHeaders.PRIORITY, String.class);
        RoutingHeaders.removeAll(exchange.getMessage());
        Priority priority = envelope.priority();
        if (chosen != null && !chosen.isBlank()) {
            try {
                priority = Priority.valueOf(chosen.trim().toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                LOG.warn("a priority rule chose '{}', which is not urgent, realtime, batch or low; keeping {}",
                        chosen, priority.json());
            }
        }
        exchange.getMessage().setBody(priority == envelope.priority() ? envelope
                : envelope.toBuilder().priority(priority).build());
    }
}
