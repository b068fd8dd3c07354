package routes.ops.logging;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.OutputStreamAppender;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.Header;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.logging.LogLevel;
import org.springframework.boot.logging.LoggingSystem;
import org.springframework.boot.logging.logback.StructuredLogEncoder;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.core.env.ConfigurableEnvironment;
import routes.envelope.Envelope;
import routes.envelope.EnvelopeCodec;
import routes.support.CaravanIntegrationTest;
import routes.support.KafkaTestSupport;
import routes.support.TestInfra;

/**
 * Everything written to the logs during a whole conversation, in the text layout on the console and in the JSON
 * layout: no configured secret, no message text, no e-mail address or phone number from the message; and the JSON
 * lines of the pipeline name the message and the trace it belongs to.
 */
@ExtendWith(OutputCaptureExtension.class)
class LogRedactionTest extends CaravanIntegrationTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final KafkaTestSupport kafka = TestInfra.kafka();
    private static final String TELEGRAM_TOKEN = "7254913385:AAF3kQx_Wm2-9tRzYpLvNcHdJe8uBs4gTqE";
    private static final String SLACK_TOKEN = "xoxb-2841-5521-Kd8fQ2mZx7Lp";

    @Autowired
    LoggingSystem loggingSystem;

    @Autowired
    ConfigurableEnvironment environment;

    @Test
    void aConversationLeavesNoSecretNoTextAndNoPersonalDataInTheLogs(CapturedOutput console) throws Exception {
        List<String> secrets = List.of(
                environment.getProperty("caravan.models.providers.openai.api-key"),
                environment.getProperty("caravan.models.providers.claude.api-key"),
                environment.getProperty("caravan.mcp.clients.self.token"),
                TELEGRAM_TOKEN, SLACK_TOKEN);
        assertThat(secrets).doesNotContainNull().allMatch(s -> s.length() >= LogRedactor.MIN_SECRET_LENGTH);

        ByteArrayOutputStream jsonLines = new ByteArrayOutputStream();
        OutputStreamAppender<ILoggingEvent> json = jsonAppender(jsonLines);
        ch.qos.logback.classic.Logger root = (ch.qos.logback.classic.Logger) LoggerFactory.getLogger(
                Logger.ROOT_LOGGER_NAME);
        root.addAppender(json);
        // the redaction reaches appenders whatever set them up: here one added after start-up
        LogRedaction.install(environment);
        assertThat(json.getEncoder()).isInstanceOf(RedactingEncoder.class);
        // the content lines, which would show the text if anything did
        loggingSystem.setLogLevel(ContentLog.LOGGER, LogLevel.DEBUG);

        String chat = uniqueChat("logs");
        String marker = "violet-" + UUID.randomUUID().toString().substring(0, 8);
        String text = "my plan " + marker + ": mail jane.doe@example.org or call +44 20 7946 0958";
        String id;
        try {
            HttpResponse<String> posted = postJson("/api/v1/messages",
                    JSON.writeValueAsString(JSON.createObjectNode().put("chatId", chat).put("senderId", "u-logs")
                            .put("text", text)));
            assertThat(posted.statusCode()).isEqualTo(202);
            id = JSON.readTree(posted.body()).path("id").asText();
            JsonNode replied = await().atMost(Duration.ofSeconds(30)).until(
                    () -> JSON.readTree(get("/api/v1/messages/" + id).body()),
                    n -> "replied".equals(n.path("status").asText()));
            assertThat(replied.path("reply").path("text").asText()).isEqualTo("echo: " + text);
            await().atMost(Duration.ofSeconds(10))
                    .until(() -> jsonLines.toString(StandardCharsets.UTF_8).contains(id + ":reply"));

            // what a careless log statement would write
            LoggerFactory.getLogger("routes.leak").warn("GET https://api.telegram.org/bot{}/getMe failed; keys {}",
                    TELEGRAM_TOKEN, String.join(" ", secrets));
        } finally {
            loggingSystem.setLogLevel(ContentLog.LOGGER, null);
            root.detachAppender(json);
            json.stop();
        }

        String written = console.getAll() + jsonLines.toString(StandardCharsets.UTF_8);
        assertThat(written).contains("[secret]").contains("GET https://api.telegram.org/bot[secret]/getMe");
        for (String secret : secrets) {
            assertThat(written).doesNotContain(secret);
        }
        assertThat(written).doesNotContain(marker, "jane.doe@example.org", "7946 0958", "my plan");

        // the pipeline's JSON lines name the message, its conversation, the route and the trace
        List<JsonNode> lines = new ArrayList<>();
        for (String line : jsonLines.toString(StandardCharsets.UTF_8).split("\n")) {
            lines.add(JSON.readTree(line));
        }
        JsonNode inbound = lines.stream()
                .filter(n -> n.path("message").asText().startsWith("message " + id + " ")).findFirst().orElseThrow();
        assertThat(inbound.path("message").asText()).endsWith(text.length() + " characters");
        assertThat(inbound.path("channel").asText()).isEqualTo("rest");
        assertThat(inbound.path("chatId").asText()).isEqualTo(chat);
        assertThat(inbound.path("messageId").asText()).isEqualTo(id);
        assertThat(inbound.path("route").asText()).isEqualTo("pipeline");
        String traceId = inbound.path("traceId").asText();
        assertThat(traceId).matches("[0-9a-f]{32}");
        JsonNode reply = lines.stream()
                .filter(n -> n.path("message").asText().startsWith("reply " + id + ":reply")).findFirst().orElseThrow();
        assertThat(reply.path("route").asText()).isEqualTo("pipeline-reply-publish");
        assertThat(reply.path("traceId").asText()).isEqualTo(traceId);

        // one trace from the HTTP request through Kafka to the reply: the message carries the request's trace id,
        // and the records on both topics carry that trace in their W3C trace context
        ConsumerRecord<String, byte[]> accepted = kafka.readUntil("caravan.inbound",
                r -> ("rest:" + chat).equals(r.key()), found -> !found.isEmpty(), Duration.ofSeconds(10)).get(0);
        assertThat(EnvelopeCodec.decode(accepted.value()).traceId()).isEqualTo(traceId);
        assertThat(traceparent(accepted)).startsWith("00-" + traceId + "-");
        ConsumerRecord<String, byte[]> answered = kafka.readUntil("caravan.outbound.rest",
                r -> ("rest:" + chat).equals(r.key()), found -> !found.isEmpty(), Duration.ofSeconds(10)).get(0);
        Envelope answer = EnvelopeCodec.decode(answered.value());
        assertThat(answer.traceId()).isEqualTo(traceId);
        assertThat(traceparent(answered)).startsWith("00-" + traceId + "-");
    }

    private static String traceparent(ConsumerRecord<String, byte[]> record) {
        Header header = record.headers().lastHeader("traceparent");
        assertThat(header).as("traceparent header of a record on " + record.topic()).isNotNull();
        return new String(header.value(), StandardCharsets.UTF_8);
    }

    /** An appender writing Spring Boot's logstash JSON lines into {@code out}. */
    private static OutputStreamAppender<ILoggingEvent> jsonAppender(ByteArrayOutputStream out) {
        LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
        StructuredLogEncoder encoder = new StructuredLogEncoder();
        encoder.setContext(context);
        encoder.setFormat("logstash");
        encoder.start();
        OutputStreamAppender<ILoggingEvent> appender = new OutputStreamAppender<>();
        appender.setContext(context);
        appender.setName("json-test");
        appender.setEncoder(encoder);
        appender.setOutputStream(out);
        appender.start();
        return appender;
    }
}
