package routes.ops;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** Reading records of the audit topic into rows: today's events, older shapes, and records that are not events. */
class AuditRowTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    private static AuditRow parse(String json) {
        return AuditRow.parse(json.getBytes(StandardCharsets.UTF_8), 1_700_000_000_000L);
    }

    @Test
    void anEventOfAuditLogBecomesTheSameRow() throws Exception {
        AuditLog.Event event = AuditLog.Event.of("tool.call", "rest:u1", "10.0.0.7", "curl/8",
                AuditLog.payload("tool", "word-count", "traceId", null, "durationMs", 12L));
        AuditRow row = parse(event.toJson());

        assertThat(row.id()).isEqualTo(event.id());
        assertThat(row.eventType()).isEqualTo("tool.call");
        assertThat(row.userId()).isEqualTo("rest:u1");
        assertThat(row.ip()).isEqualTo("10.0.0.7");
        assertThat(row.userAgent()).isEqualTo("curl/8");
        assertThat(row.createdAt().toInstant()).isEqualTo(event.createdAt());
        assertThat(row.payload().path("tool").asText()).isEqualTo("word-count");
        assertThat(row.payload().get("traceId").isNull()).isTrue();

        JsonNode line = JSON.readTree(row.jsonLine());
        assertThat(line.path("id").asText()).isEqualTo(event.id().toString());
        assertThat(line.path("payload").path("durationMs").asLong()).isEqualTo(12);
        assertThat(line.path("created_at").asText()).isEqualTo(event.createdAt().toString());
        assertThat(row.jsonLine()).doesNotContain("\n");
        assertThat(row.columns()).containsEntry("id", event.id()).containsEntry("event_type", "tool.call")
                .containsKeys("user_id", "ip", "user_agent", "payload", "created_at");
    }

    @Test
    void aLongUserAgentIsCut() {
        AuditLog.Event event = AuditLog.Event.of("auth.token_refused", null, null, "x".repeat(1000), Map.of());
        assertThat(event.userAgent()).hasSize(300);
        assertThat(parse(event.toJson()).userId()).isNull();
    }

    @Test
    void anOlderToolCallRecordIsReadWithAStableId() {
        String old = "{\"type\":\"tool_call\",\"at\":\"2025-01-02T03:04:05Z\",\"messageId\":\"m1\","
                + "\"channel\":\"rest\",\"chatId\":\"c1\",\"user\":\"u1\",\"tool\":\"word-count\",\"outcome\":\"ok\"}";
        AuditRow row = parse(old);
        assertThat(row.eventType()).isEqualTo("tool_call");
        assertThat(row.userId()).isEqualTo("rest:u1");
        assertThat(row.createdAt().toInstant()).isEqualTo(Instant.parse("2025-01-02T03:04:05Z"));
        assertThat(row.payload().path("tool").asText()).isEqualTo("word-count");
        assertThat(row.payload().has("type")).isFalse();
        assertThat(row.id()).as("the same record read again gives the same id").isEqualTo(parse(old).id());
    }

    @Test
    void anOlderErasureRecordKeepsItsActorInThePayload() {
        AuditRow row = parse("{\"event_type\":\"data.erased\",\"user_id\":\"rest:u2\",\"actor\":\"admin:ops\","
                + "\"payload\":{\"histories\":2},\"at\":\"2025-01-02T03:04:05Z\"}");
        assertThat(row.payload().path("actor").asText()).isEqualTo("admin:ops");
        assertThat(row.payload().path("histories").asLong()).isEqualTo(2);
    }

    @Test
    void anEventWithoutTimeTakesTheRecordsTimestamp() {
        AuditRow row = parse("{\"id\":\"" + UUID.randomUUID() + "\",\"event_type\":\"x\"}");
        assertThat(row.createdAt().toInstant()).isEqualTo(Instant.ofEpochMilli(1_700_000_000_000L));
        assertThat(row.payload().isEmpty()).isTrue();
    }

    @Test
    void nulCharactersBecomeReplacementCharactersForPostgres() {
        AuditRow row = parse("{\"event_type\":\"tool.call\",\"user_id\":\"a\\u0000b\","
                + "\"payload\":{\"input\":\"x\\u0000y\",\"k\\u0000\":[\"\\u0000\"]}}");
        assertThat(row.userId()).isEqualTo("a\uFFFDb");
        assertThat(row.payload().path("input").asText()).isEqualTo("x\uFFFDy");
        assertThat(row.payload().path("k\uFFFD").get(0).asText()).isEqualTo("\uFFFD");
        assertThat(row.columns().get("payload").toString()).doesNotContain("\\u0000");
    }

    @Test
    void recordsThatAreNotAuditEventsAreRefusedWithTheReason() {
        assertThatThrownBy(() -> parse("not json")).isInstanceOf(AuditRow.InvalidAuditEventException.class)
                .hasMessageStartingWith("not JSON");
        assertThatThrownBy(() -> parse("[1,2]")).hasMessage("not a JSON object");
        assertThatThrownBy(() -> AuditRow.parse(null, 0)).hasMessage("not a JSON object");
        assertThatThrownBy(() -> parse("{\"id\":\"x\"}")).hasMessageContaining("event_type missing");
        assertThatThrownBy(() -> parse("{\"event_type\":\"x\",\"id\":\"not-a-uuid\"}"))
                .hasMessage("id is not a UUID");
        assertThatThrownBy(() -> parse("{\"event_type\":\"x\",\"created_at\":\"yesterday\"}"))
                .hasMessageContaining("created_at");
        assertThatThrownBy(() -> parse("{\"event_type\":\"x\",\"payload\":[1]}"))
                .hasMessage("payload is not a JSON object");
    }
}
