package routes.ops;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.context.TestPropertySource;
import routes.support.CaravanIntegrationTest;
import routes.support.KafkaTestSupport;
import routes.support.TestInfra;

/**
 * With {@code caravan.audit.jdbc.url} set the sink stores the audit topic's events as rows of {@code audit_log} in a
 * real PostgreSQL (embedded, from a jar). Its own context and its own consumer group: the shared context's file sink
 * consumes {@code caravan-audit} meanwhile and must not take this test's events.
 */
@TestPropertySource(properties = {
    "caravan.audit.group-id=caravan-audit-db-test",
    "caravan.audit.max-redeliveries=1",
    "caravan.audit.redelivery-delay=50ms",
    "caravan.audit.jdbc.connection-timeout=500ms"
})
@DirtiesContext(classMode = DirtiesContext.ClassMode.AFTER_CLASS)
class AuditDatabaseTest extends CaravanIntegrationTest {

    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final KafkaTestSupport kafka = TestInfra.kafka();
    private static final java.nio.file.Path DATA = TestInfra.STORAGE.resolve("audit-postgres");
    private static EmbeddedPostgres postgres;
    private static int port;

    @Autowired
    private AuditLog audit;

    @Autowired
    private MeterRegistry meters;

    @Autowired
    private Admin kafkaAdmin;

    @DynamicPropertySource
    static void database(DynamicPropertyRegistry registry) {
        if (postgres == null) {
            startPostgres();
        }
        registry.add("caravan.audit.jdbc.url", () -> "jdbc:postgresql://localhost:" + port + "/postgres");
        registry.add("caravan.audit.jdbc.username", () -> "postgres");
    }

    /** Starts PostgreSQL on its data directory, on the port of its first start (so a restart keeps the URL). */
    private static synchronized void startPostgres() {
        try {
            postgres = EmbeddedPostgres.builder().setDataDirectory(DATA).setCleanDataDirectory(false)
                    .setPort(port).start();
            port = postgres.getPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @AfterAll
    static void stopPostgres() throws IOException {
        postgres.close();
    }

    @Test
    void theMigrationCreatedTheAuditTable() throws Exception {
        Map<String, String> columns = new LinkedHashMap<>();
        try (Connection c = connect(); ResultSet r = c.createStatement().executeQuery(
                "SELECT column_name, data_type FROM information_schema.columns WHERE table_name = 'audit_log' "
                        + "ORDER BY ordinal_position")) {
            while (r.next()) {
                columns.put(r.getString(1), r.getString(2));
            }
        }
        assertThat(columns).containsExactly(Map.entry("id", "uuid"), Map.entry("event_type", "text"),
                Map.entry("user_id", "text"), Map.entry("ip", "text"), Map.entry("user_agent", "text"),
                Map.entry("payload", "jsonb"), Map.entry("created_at", "timestamp with time zone"));
        assertThat(query("SELECT count(*) FROM " + AuditDatabase.HISTORY_TABLE
                + " WHERE version = '1' AND success")).isEqualTo("1");
    }

    @Test
    void anAuditEventLandsAsARowWithAQueryablePayload() throws Exception {
        String user = "rest:" + uniqueChat("audit-db");
        AuditLog.Event event = AuditLog.Event.of("tool.call", user, "10.1.2.3", "test-agent",
                AuditLog.payload("tool", "word-count", "input", "{\"text\":\"a b\"}", "outcome", "ok",
                        "durationMs", 7L));
        audit.write(event).get(30, TimeUnit.SECONDS);

        awaitRow(event.id());
        assertThat(query("SELECT event_type || '|' || user_id || '|' || ip || '|' || user_agent FROM audit_log "
                + "WHERE id = '" + event.id() + "'")).isEqualTo("tool.call|" + user + "|10.1.2.3|test-agent");
        assertThat(query("SELECT payload->>'tool' FROM audit_log WHERE id = '" + event.id() + "'"))
                .isEqualTo("word-count");
        assertThat(query("SELECT (payload->>'durationMs')::int FROM audit_log WHERE id = '" + event.id() + "'"))
                .isEqualTo("7");
        assertThat(query("SELECT count(*) FROM audit_log WHERE user_id = '" + user
                + "' AND payload->>'tool' = 'word-count'")).isEqualTo("1");
        assertThat(query("SELECT created_at = '" + event.createdAt() + "'::timestamptz FROM audit_log WHERE id = '"
                + event.id() + "'")).isEqualTo("t");
    }

    @Test
    void aRedeliveredEventGivesOneRowAndIsCommittedAfterItIsStored() throws Exception {
        String user = "rest:" + uniqueChat("audit-dup");
        double duplicates = count("duplicate");
        AuditLog.Event event = AuditLog.Event.of("model.switched", user, null, null,
                AuditLog.payload("profile", "coder", "scope", "chat"));
        audit.write(event).get(30, TimeUnit.SECONDS);
        audit.write(event).get(30, TimeUnit.SECONDS);
        // same user id, same partition: once the marker is stored, both copies before it were handled
        AuditLog.Event marker = AuditLog.Event.of("model.switched", user, null, null, Map.of("profile", "auto"));
        audit.write(marker).get(30, TimeUnit.SECONDS);

        awaitRow(marker.id());
        assertThat(query("SELECT count(*) FROM audit_log WHERE id = '" + event.id() + "'")).isEqualTo("1");
        assertThat(count("duplicate")).isGreaterThanOrEqualTo(duplicates + 1);

        var record = kafka.readUntil("caravan.audit", r -> new String(r.value(), StandardCharsets.UTF_8)
                .contains(marker.id().toString()), l -> !l.isEmpty(), WAIT).get(0);
        TopicPartition partition = new TopicPartition(record.topic(), record.partition());
        await().atMost(WAIT).until(() -> {
            var committed = kafkaAdmin.listConsumerGroupOffsets("caravan-audit-db-test")
                    .partitionsToOffsetAndMetadata().get(10, TimeUnit.SECONDS).get(partition);
            return committed != null && committed.offset() > record.offset();
        });
    }

    @Test
    void whileTheDatabaseIsAwayEventsWaitOnKafkaAndAreStoredOnceItIsBack() throws Exception {
        String user = "rest:" + uniqueChat("audit-away");
        double unavailable = count("unavailable");
        double deadLettered = count("dead_lettered");
        postgres.close();
        try {
            AuditLog.Event event = AuditLog.Event.of("pairing.approved", user, null, null, Map.of("by", "ops"));
            audit.write(event).get(30, TimeUnit.SECONDS);
            await().atMost(WAIT).until(() -> count("unavailable") > unavailable);
            assertThat(count("dead_lettered")).as("not the event's fault: no DLQ").isEqualTo(deadLettered);
        } finally {
            startPostgres();
        }
        await().atMost(WAIT).pollInterval(Duration.ofMillis(200)).until(() ->
                "1".equals(query("SELECT count(*) FROM audit_log WHERE user_id = '" + user + "'")));
        assertThat(count("dead_lettered")).isEqualTo(deadLettered);
    }

    private void awaitRow(UUID id) {
        await().atMost(WAIT).pollInterval(Duration.ofMillis(200))
                .until(() -> "1".equals(query("SELECT count(*) FROM audit_log WHERE id = '" + id + "'")));
    }

    private double count(String outcome) {
        Counter counter = meters.find("caravan.audit.events").tag("sink", "jdbc").tag("outcome", outcome).counter();
        return counter == null ? 0 : counter.count();
    }

    private static Connection connect() throws SQLException {
        return DriverManager.getConnection("jdbc:postgresql://localhost:" + port + "/postgres", "postgres", "");
    }

    /** The first column of the first row, as text. */
    private static String query(String sql) throws SQLException {
        try (Connection c = connect(); PreparedStatement s = c.prepareStatement(sql); ResultSet r = s.executeQuery()) {
            return r.next() ? r.getString(1) : null;
        }
    }
}
