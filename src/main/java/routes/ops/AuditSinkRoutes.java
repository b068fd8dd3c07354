package routes.ops;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.nio.file.Path;
import org.apache.camel.Exchange;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.component.kafka.KafkaConstants;
import org.apache.camel.component.sql.SqlConstants;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.stereotype.Component;
import routes.pipeline.PipelineErrorHandling;

/**
 * The audit sink: consumes the audit topic in its own group ({@code caravan.audit.group-id}) and stores every event,
 * as a row of {@code audit_log} when the audit database is configured ({@link AuditDatabase}), else as a line of the
 * JSON-lines file {@code caravan.audit.file}.
 *
 * <ul>
 *   <li>{@code audit-sink}: reads a record, checks it is an audit event ({@link AuditRow#parse}), hands it on. The
 *       offset is committed only after the event is stored; a record that fails is read again (the consumer breaks
 *       on the first error and resumes from the last commit), so nothing is lost.</li>
 *   <li>{@code audit-jdbc}: an idempotent insert ({@code ON CONFLICT (id) DO NOTHING}): a redelivered event leaves
 *       one row.</li>
 *   <li>{@code audit-file}: appends one JSON line per event (camel-file, appended and synced to disk).</li>
 * </ul>
 *
 * <p>What fails is handled once, in {@link AuditSinkErrorHandling}. Metric: {@code caravan_audit_events_total{sink,
 * outcome}} with outcome {@code written}, {@code duplicate}, {@code dead_lettered} or {@code unavailable}.
 */
@Component
public class AuditSinkRoutes extends RouteBuilder {

    /** Exchange property: the {@link AuditRow} being stored. */
    static final String ROW = "CaravanAuditRow";
    /** Exchange property: the sink storing it, {@code jdbc} or {@code file} (the metric's tag). */
    static final String SINK = "CaravanAuditSink";

    private static final String CONSUMER = "kafka:{{caravan.kafka.topics.audit}}"
            + "?groupId={{caravan.audit.group-id}}"
            // a new group starts at the oldest event the topic still holds
            + "&autoOffsetReset=earliest"
            // commit what was stored, after it was stored; on a failure, resume from the record that failed
            + "&autoCommitEnable=false&allowManualCommit=true&breakOnFirstError=true"
            + "&kafkaManualCommitFactory=#class:"
            + "org.apache.camel.component.kafka.consumer.DefaultKafkaManualCommitFactory";

    private final boolean database;
    private final Path file;
    private final MeterRegistry meters;

    public AuditSinkRoutes(AuditProperties properties, ObjectProvider<AuditDatabase.AuditSchema> schema,
            MeterRegistry meters, @Value("${caravan.storage.path:./data}") String storage) {
        this.database = schema.getIfAvailable() != null;
        String configured = properties.getFile();
        this.file = (configured == null || configured.isBlank() ? Path.of(storage, "audit.jsonl")
                : Path.of(configured)).toAbsolutePath().normalize();
        this.meters = meters;
    }

    /** Where the events go: {@code jdbc} or {@code file}. */
    public String sink() {
        return database ? "jdbc" : "file";
    }

    /** The JSON-lines file (used while no database is configured). */
    public Path file() {
        return file;
    }

    @Override
    public void configure() {
        from(CONSUMER).routeId("audit-sink").routeConfigurationId(AuditSinkErrorHandling.CONFIGURATION)
                .process(PipelineErrorHandling::captureKafkaSource)
                .setProperty(SINK, constant(sink()))
                .process(AuditSinkRoutes::parse)
                .to(database ? "direct:audit-jdbc" : "direct:audit-file");

        if (database) {
            from("direct:audit-jdbc").routeId("audit-jdbc")
                    .errorHandler(noErrorHandler())
                    .process(exchange -> exchange.getMessage().setBody(row(exchange).columns()))
                    .to("sql:classpath:sql/audit-insert.sql?dataSource=#" + AuditDatabase.DATA_SOURCE)
                    .process(exchange -> count(meters, exchange, exchange.getMessage()
                            .getHeader(SqlConstants.SQL_UPDATE_COUNT, 0, Integer.class) > 0 ? "written" : "duplicate"));
        } else {
            from("direct:audit-file").routeId("audit-file")
                    .errorHandler(noErrorHandler())
                    .process(exchange -> exchange.getMessage().setBody(row(exchange).jsonLine()))
                    .to("file:" + file.getParent() + "?fileName=RAW(" + file.getFileName() + ")"
                            + "&fileExist=Append&appendChars=\\n&charset=utf-8")
                    .process(exchange -> count(meters, exchange, "written"));
        }
    }

    /** Reads the record into the row to store; the record's own headers are not passed on to a sink. */
    static void parse(Exchange exchange) {
        var in = exchange.getMessage();
        Long timestamp = in.getHeader(KafkaConstants.TIMESTAMP, Long.class);
        AuditRow row = AuditRow.parse(in.getBody(byte[].class), timestamp == null ? System.currentTimeMillis()
                : timestamp);
        exchange.setProperty(ROW, row);
        in.removeHeaders("*");
    }

    private static AuditRow row(Exchange exchange) {
        return exchange.getProperty(ROW, AuditRow.class);
    }

    /** Counts one event of {@code caravan_audit_events_total} for the exchange's sink. */
    static void count(MeterRegistry meters, Exchange exchange, String outcome) {
        Counter.builder("caravan.audit.events").description("audit events stored, by sink and outcome")
                .tag("sink", exchange.getProperty(SINK, "unknown", String.class)).tag("outcome", outcome)
                .register(meters).increment();
    }
}
