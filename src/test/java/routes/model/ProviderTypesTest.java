package routes.model;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.IThrowableProxy;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import routes.envelope.ChatType;
import routes.envelope.Envelope;
import routes.envelope.EnvelopeCodec;
import routes.envelope.Priority;
import routes.envelope.Turn;
import routes.support.CapturedLogs;
import routes.support.CaravanIntegrationTest;
import routes.support.FakeAnthropicServer;
import routes.support.FakeModelServer;
import routes.support.FakeOllamaServer;
import routes.support.KafkaTestSupport;
import routes.support.TestInfra;

/**
 * The provider types other than OpenAI-compatible: the Anthropic Messages API and Ollama's native API, each
 * streaming through Caravan's non-blocking HTTP client against a real fake server, and a chain falling back from
 * one to the other.
 */
class ProviderTypesTest extends CaravanIntegrationTest {

    private static final FakeAnthropicServer ANTHROPIC = TestInfra.ANTHROPIC;
    private static final FakeOllamaServer OLLAMA = TestInfra.OLLAMA;

    private static final KafkaTestSupport kafka = TestInfra.kafka();

    private CapturedLogs logs;

    @Autowired
    private ModelGateway gateway;

    @Autowired
    private CircuitBreakers breakers;

    @BeforeEach
    void resetProviders() {
        ANTHROPIC.reset();
        OLLAMA.reset();
        breakers.of("claude").reset();
        breakers.of("llama").reset();
        logs = CapturedLogs.start();
    }

    @AfterEach
    void detachLogs() {
        logs.close();
    }

    /** A reply and the deltas that streamed before it. */
    private record Streamed(ModelReply reply, List<String> deltas) {
    }

    private Streamed ask(String profile, String text) throws Exception {
        List<String> deltas = new CopyOnWriteArrayList<>();
        ModelReply reply = gateway.chat(profile, List.of(Turn.user(text, null)), deltas::add).get(30, TimeUnit.SECONDS);
        return new Streamed(reply, deltas);
    }

    @Test
    void anthropicStreamsAReplyWithItsUsage() throws Exception {
        Streamed answer = ask("claude", "hello from caravan");

        assertThat(answer.reply().provider()).isEqualTo("claude");
        assertThat(answer.reply().model()).isEqualTo("claude-fake");
        assertThat(answer.reply().text()).isEqualTo("echo: hello from caravan");
        assertThat(answer.deltas()).hasSizeGreaterThan(1);
        assertThat(String.join("", answer.deltas())).isEqualTo(answer.reply().text());
        // words: "You are Claude here." + "hello from caravan"; "echo: hello from caravan"
        assertThat(answer.reply().inputTokens()).isEqualTo(7);
        assertThat(answer.reply().outputTokens()).isEqualTo(4);
    }

    @Test
    void anthropicGetsTheSystemPromptAndGenerationSettingsInItsOwnFields() throws Exception {
        ask("claude", "what are your settings");

        var request = ANTHROPIC.requests().get(0);
        assertThat(request.path()).isEqualTo("/v1/messages");
        var body = request.body();
        assertThat(body.path("model").asText()).isEqualTo("claude-fake");
        assertThat(body.path("stream").asBoolean()).isTrue();
        assertThat(FakeModelServer.text(body.path("system"))).isEqualTo("You are Claude here.");
        assertThat(body.path("temperature").asDouble()).isEqualTo(0.3);
        assertThat(body.path("max_tokens").asInt()).isEqualTo(256);
        // the system prompt is not a message in the Messages API
        assertThat(body.path("messages")).hasSize(1);
        assertThat(body.path("messages").get(0).path("role").asText()).isEqualTo("user");
        assertThat(FakeModelServer.lastUserText(body)).isEqualTo("what are your settings");
    }

    @Test
    void anthropicGetsItsKeyAndVersionHeadersAndTheKeyIsNeverLogged() throws Exception {
        ask("claude", "key check");
        ANTHROPIC.failAlways(401);
        ask("claude-then-llama", "key refused");

        var request = ANTHROPIC.requests().get(0);
        assertThat(request.header("x-api-key")).isEqualTo(TestInfra.ANTHROPIC_KEY);
        assertThat(request.header("anthropic-version")).isEqualTo(FakeAnthropicServer.VERSION);
        assertThat(request.header("Authorization")).isNull();
        // the refusal was logged (a fallback) without the key
        List<ILoggingEvent> logged = logs.events();
        assertThat(logged).anySatisfy(e -> assertThat(e.getFormattedMessage()).contains("provider=claude"));
        assertThat(logged).noneSatisfy(e -> assertThat(everything(e)).contains(TestInfra.ANTHROPIC_KEY));
    }

    private static String everything(ILoggingEvent event) {
        StringBuilder text = new StringBuilder(event.getFormattedMessage());
        for (IThrowableProxy t = event.getThrowableProxy(); t != null; t = t.getCause()) {
            text.append('\n').append(t.getMessage());
        }
        return text.toString();
    }

    @Test
    void anthropic429IsRetriedAfterWhatRetryAfterAsked() throws Exception {
        ANTHROPIC.failNext429(1, Duration.ofSeconds(1));
        long started = System.nanoTime();

        Streamed answer = ask("claude", "rate limited");

        assertThat(answer.reply().provider()).isEqualTo("claude");
        assertThat(answer.reply().text()).isEqualTo("echo: rate limited");
        assertThat(Duration.ofNanos(System.nanoTime() - started)).isGreaterThanOrEqualTo(Duration.ofMillis(950));
        assertThat(ANTHROPIC.requestsFor("rate limited")).isEqualTo(2);
    }

    @Test
    void ollamaStreamsAReplyWithItsUsage() throws Exception {
        Streamed answer = ask("llama", "hello native ollama");

        assertThat(answer.reply().provider()).isEqualTo("llama");
        assertThat(answer.reply().text()).isEqualTo("echo: hello native ollama");
        assertThat(answer.deltas()).hasSizeGreaterThan(1);
        assertThat(String.join("", answer.deltas())).isEqualTo(answer.reply().text());
        // words: "You are a llama." + "hello native ollama"; "echo: hello native ollama"
        assertThat(answer.reply().inputTokens()).isEqualTo(7);
        assertThat(answer.reply().outputTokens()).isEqualTo(4);
    }

    @Test
    void ollamaGetsTheSystemPromptAndGenerationSettingsInItsOwnFields() throws Exception {
        ask("llama", "what are yours");

        var request = OLLAMA.requests().get(0);
        assertThat(request.path()).isEqualTo("/api/chat");
        var body = request.body();
        assertThat(body.path("model").asText()).isEqualTo("llama-fake");
        assertThat(body.path("stream").asBoolean()).isTrue();
        assertThat(body.path("messages").get(0).path("role").asText()).isEqualTo("system");
        assertThat(body.path("messages").get(0).path("content").asText()).isEqualTo("You are a llama.");
        assertThat(body.path("options").path("temperature").asDouble()).isEqualTo(0.6);
        assertThat(body.path("options").path("num_predict").asInt()).isEqualTo(128);
        assertThat(FakeModelServer.lastUserText(body)).isEqualTo("what are yours");
    }

    @Test
    void aFailingAnthropicFallsBackToOllama() throws Exception {
        ANTHROPIC.failAlways(529);

        Streamed answer = ask("claude-then-llama", "anyone there");

        assertThat(answer.reply().provider()).isEqualTo("llama");
        assertThat(answer.reply().text()).isEqualTo("echo: anyone there");
        assertThat(String.join("", answer.deltas())).isEqualTo(answer.reply().text());
        // retried on Anthropic first: an overloaded provider may recover
        assertThat(ANTHROPIC.requestsFor("anyone there")).isEqualTo(3);
        assertThat(OLLAMA.requestsFor("anyone there")).isEqualTo(1);
    }

    @Test
    void aFailingAnthropicStillGivesExactlyOneReplyThroughThePipeline() {
        ANTHROPIC.failAlways(500);
        String chat = uniqueChat("types");
        Envelope m = Envelope.builder().id(chat + "-1").traceId("t-" + chat).channel("rest").chatId(chat)
                .chatType(ChatType.DIRECT).senderId("tester").text("through the pipeline")
                .priority(Priority.REALTIME).receivedAt(Instant.now()).meta("profile", "claude-then-llama").build();
        kafka.send("caravan.inbound", m.kafkaKey(), EnvelopeCodec.encode(m));

        List<Envelope> replies = kafka.readUntil("caravan.outbound.rest", r -> ("rest:" + chat).equals(r.key()),
                        list -> !list.isEmpty(), Duration.ofSeconds(30))
                .stream().map(r -> EnvelopeCodec.decode(r.value())).toList();
        assertThat(replies).hasSize(1);
        assertThat(replies.get(0).meta("provider")).isEqualTo("llama");
        assertThat(replies.get(0).meta("error")).isNull();
        assertThat(replies.get(0).text()).isEqualTo("echo: through the pipeline");
        assertThat(kafka.readUntil("caravan.outbound.rest", r -> ("rest:" + chat).equals(r.key()),
                list -> list.size() > 1, Duration.ofSeconds(2))).hasSize(1);
    }
}
