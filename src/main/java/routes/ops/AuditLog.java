package routes.ops;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.util.Map;
import java.util.UUID;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.support.DefaultExchange;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;
import routes.infra.AsyncProducers;
import routes.tools.AuditRoute;

/**
 * Writes security and admin events (sign-in failures, pairing, tool calls, model switches, erasures) to the audit
 * topic, without waiting. One event is one JSON object shaped like a row of the audit table:
 * {@code {"id","event_type","user_id","ip","user_agent","payload":{…},"created_at"}}.
 */
@Component
public class AuditLog {

    private static final Logger LOG = LoggerFactory.getLogger(AuditLog.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final CamelContext camel;
    private final AsyncProducers producers;

    public AuditLog(CamelContext camel, AsyncProducers producers) {
        this.camel = camel;
        this.producers = producers;
    }

    /** An event about {@code userId} (e.g. {@code telegram:42}, a token's name, or null), from an HTTP caller. */
    public void record(String eventType, String userId, String ip, String userAgent, Map<String, ?> payload) {
        ObjectNode event = JSON.createObjectNode();
        event.put("id", UUID.randomUUID().toString());
        event.put("event_type", eventType);
        event.put("user_id", userId);
        event.put("ip", ip);
        event.put("user_agent", userAgent == null ? null
                : userAgent.length() > 300 ? userAgent.substring(0, 300) : userAgent);
        event.set("payload", JSON.valueToTree(payload == null ? Map.of() : payload));
        event.put("created_at", Instant.now().toString());
        if (!camel.isStarted()) {
            LOG.warn("audit event {} not written: Caravan is not running", eventType);
            return;
        }
        Exchange exchange = new DefaultExchange(camel);
        exchange.getMessage().setBody(event.toString());
        exchange.getMessage().setHeader(AuditRoute.KEY, userId == null ? eventType : userId);
        producers.of(AuditRoute.ENDPOINT).processAsync(exchange).whenComplete((done, error) -> {
            Throwable failure = error != null ? error : done.getException();
            if (failure != null) {
                LOG.error("could not write audit event {}: {}", eventType, failure.getMessage());
            }
        });
    }

    /** An event about {@code userId} with no HTTP caller (a chat command, a pipeline step). */
    public void record(String eventType, String userId, Map<String, ?> payload) {
        record(eventType, userId, null, null, payload);
    }
}
