package routes.ops;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import jakarta.annotation.PreDestroy;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.support.DefaultExchange;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;
import routes.infra.AsyncProducers;
import routes.tools.AuditRoute;

/**
 * Writes security and admin events (sign-in failures, pairing, tool calls, model switches, erasures) to the audit
 * topic, keyed by the user id. One event is one JSON object shaped like a row of the audit table:
 * {@code {"id","event_type","user_id","ip","user_agent","payload":{…},"created_at"}}. Every producer of audit events
 * goes through this class, so the topic holds one shape only; {@link AuditSinkRoutes} stores the events.
 */
@Component
public class AuditLog {

    private static final Logger LOG = LoggerFactory.getLogger(AuditLog.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int MAX_USER_AGENT = 300;

    /**
     * One audit event.
     *
     * @param id        unique id; a redelivered event keeps it, so the table holds it once
     * @param eventType what happened, e.g. {@code tool.call}, {@code data.erased}
     * @param userId    whom it is about ({@code channel:senderId}, a caller's name), or null
     * @param ip        the HTTP caller's address, or null
     * @param userAgent the HTTP caller's User-Agent (cut at 300 characters), or null
     * @param payload   the event's own fields
     * @param createdAt when it happened
     */
    public record Event(UUID id, String eventType, String userId, String ip, String userAgent,
            Map<String, ?> payload, Instant createdAt) {

        public Event {
            if (id == null || createdAt == null) {
                throw new IllegalArgumentException("an audit event needs an id and a time");
            }
            if (eventType == null || eventType.isBlank()) {
                throw new IllegalArgumentException("an audit event needs a type");
            }
            if (userAgent != null && userAgent.length() > MAX_USER_AGENT) {
                userAgent = userAgent.substring(0, MAX_USER_AGENT);
            }
            payload = payload == null ? Map.of() : payload;
        }

        /** A new event happening now, with a fresh id. */
        public static Event of(String eventType, String userId, String ip, String userAgent, Map<String, ?> payload) {
            return new Event(UUID.randomUUID(), eventType, userId, ip, userAgent, payload,
                    Instant.now().truncatedTo(ChronoUnit.MICROS));
        }

        /** The event as written to the topic. */
        public String toJson() {
            ObjectNode event = JSON.createObjectNode();
            event.put("id", id.toString());
            event.put("event_type", eventType);
            event.put("user_id", userId);
            event.put("ip", ip);
            event.put("user_agent", userAgent);
            event.set("payload", JSON.valueToTree(payload));
            event.put("created_at", createdAt.toString());
            return event.toString();
        }
    }

    /** An audit event that could not be written to the topic. */
    public static class NotWrittenException extends RuntimeException {

        public NotWrittenException(String eventType, Throwable cause) {
            super("the audit event " + eventType + " could not be written"
                    + (cause == null ? "" : ": " + cause.getMessage()), cause);
        }
    }

    private final CamelContext camel;
    private final AsyncProducers producers;
    private volatile ProducerTemplate template;

    public AuditLog(CamelContext camel, AsyncProducers producers) {
        this.camel = camel;
        this.producers = producers;
    }

    /** An event about {@code userId} (e.g. {@code telegram:42}, a token's name, or null), from an HTTP caller. */
    public void record(String eventType, String userId, String ip, String userAgent, Map<String, ?> payload) {
        Event event = Event.of(eventType, userId, ip, userAgent, payload);
        write(event).whenComplete((done, error) -> {
            if (error != null) {
                LOG.error("{}", (error instanceof CompletionException ? error.getCause() : error).getMessage());
            }
        });
    }

    /** An event about {@code userId} caused by an HTTP request: its address and user agent go with it. */
    public void record(String eventType, String userId, jakarta.servlet.http.HttpServletRequest request,
            Map<String, ?> payload) {
        record(eventType, userId, request.getRemoteAddr(), request.getHeader("User-Agent"), payload);
    }

    /** An event about {@code userId} with no HTTP caller (a chat command, a pipeline step). */
    public void record(String eventType, String userId, Map<String, ?> payload) {
        record(eventType, userId, null, null, payload);
    }

    /**
     * Writes {@code event} without waiting; the future completes once the event is on the topic, or fails with
     * {@link NotWrittenException} (the cause tells why).
     */
    public CompletableFuture<Void> write(Event event) {
        if (!camel.isStarted()) {
            return CompletableFuture.failedFuture(notRunning(event));
        }
        return producers.of(AuditRoute.ENDPOINT).processAsync(exchange(event)).handle((done, error) -> {
            Throwable failure = error != null ? error : done.getException();
            if (failure != null) {
                throw new NotWrittenException(event.eventType(), failure);
            }
            return null;
        });
    }

    /**
     * Writes {@code event} and waits until it is on the topic, for actions that must not go unrecorded. Safe to call
     * from inside a route: a synchronous send, not a wait on {@link #write}'s future (the route's thread would be
     * waiting for work queued behind itself).
     *
     * @throws NotWrittenException when it could not be written
     */
    public void writeAndWait(Event event) {
        if (!camel.isStarted()) {
            throw notRunning(event);
        }
        Exchange sent = template().send(AuditRoute.ENDPOINT, exchange(event));
        if (sent.getException() != null) {
            throw new NotWrittenException(event.eventType(), sent.getException());
        }
    }

    private Exchange exchange(Event event) {
        Exchange exchange = new DefaultExchange(camel);
        exchange.getMessage().setBody(event.toJson());
        exchange.getMessage().setHeader(AuditRoute.KEY, event.userId() == null ? event.eventType() : event.userId());
        return exchange;
    }

    private ProducerTemplate template() {
        ProducerTemplate t = template;
        if (t == null) {
            synchronized (this) {
                if (template == null) {
                    template = camel.createProducerTemplate();
                }
                t = template;
            }
        }
        return t;
    }

    @PreDestroy
    void stop() {
        if (template != null) {
            template.stop();
        }
    }

    private static NotWrittenException notRunning(Event event) {
        return new NotWrittenException(event.eventType(), new IllegalStateException("Caravan is not running"));
    }

    /** A payload map that keeps null values and the order given ({@code Map.of} allows neither). */
    public static Map<String, Object> payload(Object... keysAndValues) {
        Map<String, Object> payload = new LinkedHashMap<>();
        for (int i = 0; i + 1 < keysAndValues.length; i += 2) {
            payload.put(String.valueOf(keysAndValues[i]), keysAndValues[i + 1]);
        }
        return payload;
    }
}
