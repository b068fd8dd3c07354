package routes.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import routes.envelope.ChatType;
import routes.envelope.Envelope;
import routes.envelope.EnvelopeCodec;
import routes.envelope.Priority;
import routes.envelope.Turn;
import routes.support.CaravanIntegrationTest;
import routes.support.FakeOpenAiServer;
import routes.support.KafkaTestSupport;
import routes.support.TestInfra;

/**
 * Providers that fail, slow down and recover: retries with backoff and Retry-After, fallback along the chain, the
 * circuit breaker opening and half-opening, round robin and the concurrency cap. Real HTTP fakes, real routes.
 */
class ProviderResilienceTest extends CaravanIntegrationTest {

    private static final FakeOpenAiServer PRIMARY = TestInfra.PRIMARY;
    private static final FakeOpenAiServer BACKUP = TestInfra.BACKUP;

    private static final KafkaTestSupport kafka = TestInfra.kafka();

    @Autowired
    private ModelGateway gateway;

    @Autowired
    private CircuitBreakers breakers;

    @BeforeEach
    void resetProviders() {
        PRIMARY.reset();
        BACKUP.reset();
        PRIMARY.clear();
        BACKUP.clear();
        for (String name : List.of("primary", "backup", "rr-a", "rr-b", "narrow")) {
            breakers.of(name).reset();
        }
    }

    private ModelReply ask(String profile, String text) throws Exception {
        return gateway.chat(profile, List.of(Turn.user(text, null)), delta -> { }).get(30, TimeUnit.SECONDS);
    }

    private static long requestsFor(FakeOpenAiServer server, String text) {
        return server.requests().stream().filter(r -> text.equals(lastUserText(r))).count();
    }

    @Test
    void aPassingFailureIsRetriedOnTheSameProvider() throws Exception {
        PRIMARY.failNext(2, 503, FakeOpenAiServer.openAiError("overloaded", "server_error", null));
        ModelReply reply = ask("resilient", "retry me");
        assertThat(reply.provider()).isEqualTo("primary");
        assertThat(requestsFor(PRIMARY, "retry me")).isEqualTo(3);
        assertThat(requestsFor(BACKUP, "retry me")).isZero();
    }

    @Test
    void a429IsRetriedAfterWhatRetryAfterAsked() throws Exception {
        PRIMARY.failNext429(1, Duration.ofSeconds(1));
        long started = System.nanoTime();
        ModelReply reply = ask("resilient", "slow down");
        assertThat(reply.provider()).isEqualTo("primary");
        assertThat(Duration.ofNanos(System.nanoTime() - started)).isGreaterThanOrEqualTo(Duration.ofMillis(950));
        assertThat(requestsFor(PRIMARY, "slow down")).isEqualTo(2);
    }

    @Test
    void aRetryAfterLongerThanAllowedFallsBackAtOnce() throws Exception {
        PRIMARY.failNext429(1, Duration.ofSeconds(60));
        ModelReply reply = ask("resilient", "busy for a minute");
        assertThat(reply.provider()).isEqualTo("backup");
        assertThat(requestsFor(PRIMARY, "busy for a minute")).isEqualTo(1);
    }

    @Test
    void aStreamCutShortThatNobodySawIsRetried() throws Exception {
        PRIMARY.truncateStreamNext(1);
        ModelReply reply = gateway.chat("resilient", List.of(Turn.user("cut me short", null)), null)
                .get(30, TimeUnit.SECONDS);
        assertThat(reply.text()).isEqualTo("echo: cut me short");
        assertThat(requestsFor(PRIMARY, "cut me short")).isEqualTo(2);
    }

    @Test
    void aStreamCutShortAfterFragmentsWereShownIsNotReplaced() {
        PRIMARY.truncateStreamNext(1);
        List<String> shown = new java.util.concurrent.CopyOnWriteArrayList<>();
        assertThatThrownBy(() -> gateway.chat("resilient", List.of(Turn.user("shown then cut", null)), shown::add)
                .get(30, TimeUnit.SECONDS)).hasCauseInstanceOf(ModelException.class);
        assertThat(shown).isNotEmpty();
        assertThat(requestsFor(PRIMARY, "shown then cut")).isEqualTo(1);
        assertThat(requestsFor(BACKUP, "shown then cut")).isZero();
    }

    @Test
    void aRefusedRequestIsNotRetriedButFallsBack() throws Exception {
        PRIMARY.failNext(1, 400, FakeOpenAiServer.openAiError("bad request", "invalid_request_error", null));
        ModelReply reply = ask("resilient", "refused");
        assertThat(reply.provider()).isEqualTo("backup");
        assertThat(requestsFor(PRIMARY, "refused")).isEqualTo(1);
    }

    @Test
    void whenEveryProviderFailsTheReplyIsClear() {
        PRIMARY.failAlways(500);
        BACKUP.failAlways(502);
        assertThatThrownBy(() -> ask("resilient", "nobody home"))
                .isInstanceOf(ExecutionException.class)
                .cause().isInstanceOf(ModelException.class)
                .hasMessageContaining("could not answer right now");
    }

    @Test
    void theCircuitOpensAfterFiveFailuresAndHalfOpensAfterItsWait() throws Exception {
        PRIMARY.failAlways(500);
        CircuitBreaker circuit = breakers.of("primary");
        // three tries per call: the fifth failure comes in the second call
        assertThat(ask("resilient", "open 1").provider()).isEqualTo("backup");
        assertThat(circuit.getState()).isEqualTo(CircuitBreaker.State.CLOSED);
        assertThat(ask("resilient", "open 2").provider()).isEqualTo("backup");
        assertThat(circuit.getState()).isEqualTo(CircuitBreaker.State.OPEN);
        assertThat(PRIMARY.requestCount()).isEqualTo(5);

        // open: the provider is not called at all, the fallback answers at once
        assertThat(ask("resilient", "while open").provider()).isEqualTo("backup");
        assertThat(requestsFor(PRIMARY, "while open")).isZero();

        PRIMARY.recover();
        Awaitility.await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(100))
                .until(() -> circuit.tryAcquirePermission() && releaseTrial(circuit));
        ModelReply trial = ask("resilient", "trial call");
        assertThat(trial.provider()).isEqualTo("primary");
        assertThat(circuit.getState()).isEqualTo(CircuitBreaker.State.CLOSED);
    }

    /** Gives back a trial permit taken by a probe, so the next real call is the trial. */
    private static boolean releaseTrial(CircuitBreaker circuit) {
        circuit.releasePermission();
        return true;
    }

    @Test
    void equivalentProvidersTakeTurns() throws Exception {
        for (int i = 0; i < 4; i++) {
            ask("balanced", "turn " + i);
        }
        assertThat(PRIMARY.requests()).hasSize(2);
        assertThat(BACKUP.requests()).hasSize(2);
    }

    @Test
    void aProviderNeverHasMoreCallsInFlightThanItsCap() throws Exception {
        PRIMARY.delay(Duration.ofMillis(300));
        List<CompletableFuture<ModelReply>> calls = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            calls.add(gateway.chat("narrow", List.of(Turn.user("narrow " + i, null)), delta -> { }));
        }
        CompletableFuture.allOf(calls.toArray(CompletableFuture[]::new)).get(30, TimeUnit.SECONDS);
        assertThat(PRIMARY.requests()).hasSize(6);
        assertThat(PRIMARY.maxInFlight()).isEqualTo(2);
    }

    @Test
    void aFailingPrimaryStillGivesExactlyOneReplyThroughThePipeline() {
        PRIMARY.failAlways(500);
        String chat = uniqueChat("resilient");
        Envelope m = Envelope.builder().id(chat + "-1").traceId("t-" + chat).channel("rest").chatId(chat)
                .chatType(ChatType.DIRECT).senderId("tester").text("fall back please").priority(Priority.REALTIME)
                .receivedAt(Instant.now()).meta("profile", "resilient").build();
        kafka.send("caravan.inbound", m.kafkaKey(), EnvelopeCodec.encode(m));
        List<Envelope> replies = kafka.readUntil("caravan.outbound.rest", r -> ("rest:" + chat).equals(r.key()),
                        list -> !list.isEmpty(), Duration.ofSeconds(30))
                .stream().map(r -> EnvelopeCodec.decode(r.value())).toList();
        assertThat(replies).hasSize(1);
        assertThat(replies.get(0).meta("provider")).isEqualTo("backup");
        assertThat(replies.get(0).meta("error")).isNull();
        assertThat(replies.get(0).text()).doesNotContainIgnoringCase("fail");
        // nothing more arrives for the chat
        assertThat(kafka.readUntil("caravan.outbound.rest", r -> ("rest:" + chat).equals(r.key()),
                list -> list.size() > 1, Duration.ofSeconds(2))).hasSize(1);
    }
}
