package routes.ops;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

/**
 * One audit event as a row of {@code audit_log}, read from a record of the audit topic ({@link #parse}).
 *
 * @param id        the event's id (the table's primary key)
 * @param eventType what happened
 * @param userId    whom it is about, or null
 * @param ip        the HTTP caller's address, or null
 * @param userAgent the HTTP caller's User-Agent, or null
 * @param payload   the event's own fields, a JSON object
 * @param createdAt when it happened
 */
public record AuditRow(UUID id, String eventType, String userId, String ip, String userAgent, ObjectNode payload,
        OffsetDateTime createdAt) {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Set<String> COLUMNS = Set.of("id", "event_type", "user_id", "ip", "user_agent", "payload",
            "created_at");
    /** The type and time of events written before every producer went through {@link AuditLog}. */
    private static final Set<String> LEGACY_COLUMNS = Set.of("type", "at");
    private static final int MAX_EVENT_TYPE = 200;

    /** A record of the audit topic that is not an audit event; it goes to the DLQ with this reason. */
    public static class InvalidAuditEventException extends IllegalArgumentException {

        public InvalidAuditEventException(String reason) {
            super(reason);
        }
    }

    /**
     * Reads one record of the audit topic. Events written before every producer used {@link AuditLog} (a
     * {@code type}, an {@code at}, fields beside the payload) are read too: their id is derived from the record's
     * bytes, so a redelivered one still gives one row.
     *
     * @param value     the record's value
     * @param timestamp the record's timestamp, for an event that carries no time
     * @throws InvalidAuditEventException when the record is not an audit event
     */
    public static AuditRow parse(byte[] value, long timestamp) {
        JsonNode tree;
        try {
            tree = value == null ? null : JSON.readTree(value);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new InvalidAuditEventException("not JSON: " + e.getOriginalMessage());
        } catch (java.io.IOException e) {
            throw new InvalidAuditEventException("not JSON: " + e.getMessage());
        }
        if (tree == null || !tree.isObject()) {
            throw new InvalidAuditEventException("not a JSON object");
        }
        ObjectNode event = (ObjectNode) withoutNul(tree);
        String eventType = text(event, "event_type", text(event, "type", null));
        if (eventType == null || eventType.isBlank() || eventType.length() > MAX_EVENT_TYPE) {
            throw new InvalidAuditEventException("event_type missing or longer than " + MAX_EVENT_TYPE);
        }
        UUID id;
        String givenId = text(event, "id", null);
        try {
            id = givenId != null ? UUID.fromString(givenId) : UUID.nameUUIDFromBytes(value);
        } catch (IllegalArgumentException e) {
            throw new InvalidAuditEventException("id is not a UUID");
        }
        String userId = text(event, "user_id", null);
        if (userId == null && event.hasNonNull("user")) {
            userId = event.hasNonNull("channel") ? text(event, "channel", "") + ":" + text(event, "user", "")
                    : text(event, "user", null);
        }
        OffsetDateTime createdAt;
        String at = text(event, "created_at", text(event, "at", null));
        try {
            createdAt = (at != null ? Instant.parse(at) : Instant.ofEpochMilli(timestamp)).atOffset(ZoneOffset.UTC);
        } catch (DateTimeParseException e) {
            throw new InvalidAuditEventException("created_at is not an ISO-8601 instant");
        }
        JsonNode given = event.get("payload");
        ObjectNode payload;
        if (given != null && !given.isNull()) {
            if (!given.isObject()) {
                throw new InvalidAuditEventException("payload is not a JSON object");
            }
            payload = (ObjectNode) given;
        } else {
            payload = JSON.createObjectNode();
        }
        // a legacy event's own fields sit beside the columns: they belong in the payload
        List<String> extra = new ArrayList<>();
        event.fieldNames().forEachRemaining(name -> {
            if (!COLUMNS.contains(name) && !LEGACY_COLUMNS.contains(name)) {
                extra.add(name);
            }
        });
        extra.forEach(name -> payload.set(name, event.get(name)));
        return new AuditRow(id, eventType, userId, text(event, "ip", null), text(event, "user_agent", null), payload,
                createdAt);
    }

    /** The named parameters of the insert ({@code :#id}, {@code :#event_type}, …). */
    public Map<String, Object> columns() {
        Map<String, Object> columns = new LinkedHashMap<>();
        columns.put("id", id);
        columns.put("event_type", eventType);
        columns.put("user_id", userId);
        columns.put("ip", ip);
        columns.put("user_agent", userAgent);
        columns.put("payload", payload.toString());
        columns.put("created_at", createdAt);
        return columns;
    }

    /** The event as one line of the JSON-lines file, shaped like the row. */
    public String jsonLine() {
        ObjectNode line = JSON.createObjectNode();
        line.put("id", id.toString());
        line.put("event_type", eventType);
        line.put("user_id", userId);
        line.put("ip", ip);
        line.put("user_agent", userAgent);
        line.set("payload", payload);
        line.put("created_at", createdAt.toInstant().toString());
        return line.toString();
    }

    private static String text(JsonNode event, String field, String otherwise) {
        JsonNode node = event.get(field);
        return node == null || node.isNull() ? otherwise : node.isValueNode() ? node.asText() : node.toString();
    }

    /** PostgreSQL keeps no NUL character in text or jsonb: each becomes U+FFFD, in names and values alike. */
    private static JsonNode withoutNul(JsonNode node) {
        if (node.isTextual()) {
            String text = node.textValue();
            return text.indexOf('\0') < 0 ? node : TextNode.valueOf(text.replace('\0', '\uFFFD'));
        }
        if (node.isObject()) {
            ObjectNode copy = JSON.createObjectNode();
            node.fields().forEachRemaining(f -> copy.set(f.getKey().replace('\0', '\uFFFD'),
                    withoutNul(f.getValue())));
            return copy;
        }
        if (node.isArray()) {
            ArrayNode copy = JSON.createArrayNode();
            node.forEach(element -> copy.add(withoutNul(element)));
            return copy;
        }
        return node;
    }

    @Override
    public String toString() {
        return "AuditRow[id=" + id + ", eventType=" + eventType + "]";
    }
}
