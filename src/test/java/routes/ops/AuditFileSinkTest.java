package routes.ops;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import javax.sql.DataSource;
import org.apache.camel.CamelContext;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.context.ApplicationContext;
import routes.support.CaravanIntegrationTest;
import routes.support.KafkaTestSupport;
import routes.support.TestInfra;

/** Without an audit database the sink writes the audit topic's events to a JSON-lines file. */
class AuditFileSinkTest extends CaravanIntegrationTest {

    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final KafkaTestSupport kafka = TestInfra.kafka();

    @Autowired
    private AuditLog audit;

    @Autowired
    private AuditSinkRoutes sink;

    @Autowired
    private ApplicationContext context;

    @Autowired
    private CamelContext camel;

    @Test
    void withoutADatabaseCaravanHasNoDataSourceAndStoresToTheFile() {
        assertThat(context.getBeanProvider(DataSource.class).getIfAvailable()).isNull();
        assertThat(context.getBeanProvider(AuditDatabase.AuditSchema.class).getIfAvailable()).isNull();
        assertThat(sink.sink()).isEqualTo("file");
        assertThat(sink.file()).isEqualTo(TestInfra.STORAGE.resolve("audit.jsonl").toAbsolutePath().normalize());
        assertThat(camel.getRoute("audit-sink")).isNotNull();
        assertThat(camel.getRoute("audit-file")).isNotNull();
        assertThat(camel.getRoute("audit-jdbc")).isNull();
    }

    @Test
    void anAuditEventLandsAsOneLineOfTheFile() throws Exception {
        String user = "rest:" + uniqueChat("audit-file");
        AuditLog.Event event = AuditLog.Event.of("tool.call", user, "127.0.0.1", "test-agent",
                AuditLog.payload("tool", "word-count", "input", "{\"text\":\"line\\nbreak\"}", "outcome", "ok"));
        audit.write(event).get();

        JsonNode line = await().atMost(WAIT).until(() -> lineOf(event.id()), Optional::isPresent).orElseThrow();
        assertThat(line.path("event_type").asText()).isEqualTo("tool.call");
        assertThat(line.path("user_id").asText()).isEqualTo(user);
        assertThat(line.path("ip").asText()).isEqualTo("127.0.0.1");
        assertThat(line.path("user_agent").asText()).isEqualTo("test-agent");
        assertThat(line.path("payload").path("tool").asText()).isEqualTo("word-count");
        assertThat(line.path("payload").path("input").asText()).isEqualTo("{\"text\":\"line\\nbreak\"}");
        assertThat(line.path("created_at").asText()).isEqualTo(event.createdAt().toString());
    }

    @Test
    void aRecordThatIsNotAnAuditEventGoesToTheDlqWithTheReason() {
        String key = uniqueChat("audit-poison");
        kafka.send("caravan.audit", key, "this is not an event".getBytes(StandardCharsets.UTF_8));

        var dead = kafka.readUntil("caravan.dlq", r -> key.equals(r.key()), l -> !l.isEmpty(), WAIT);
        assertThat(dead).isNotEmpty();
        assertThat(new String(dead.get(0).value(), StandardCharsets.UTF_8)).isEqualTo("this is not an event");
        DeadLetters.Entry entry = DeadLetters.entry(dead.get(0));
        assertThat(entry.reason()).contains("not JSON");
        assertThat(entry.route()).isEqualTo("audit-sink");
        assertThat(entry.sourceTopic()).isEqualTo("caravan.audit");
    }

    private Optional<JsonNode> lineOf(UUID id) throws Exception {
        if (!Files.exists(sink.file())) {
            return Optional.empty();
        }
        List<String> lines = Files.readAllLines(sink.file(), StandardCharsets.UTF_8);
        for (String line : lines) {
            if (line.contains(id.toString())) {
                return Optional.of(JSON.readTree(line));
            }
        }
        return Optional.empty();
    }
}
