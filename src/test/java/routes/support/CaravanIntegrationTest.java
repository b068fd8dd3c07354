package routes.support;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.UUID;
import org.apache.camel.test.spring.junit5.CamelSpringBootTest;
import org.junit.jupiter.api.BeforeEach;
import org.springframework.boot.test.autoconfigure.actuate.observability.AutoConfigureObservability;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import routes.CaravanApplication;

/**
 * Base of the tests that run the whole gateway: real embedded Kafka and Redis, a real HTTP server on a random
 * port, and the shared fake model. Every subclass uses the same configuration, so one application context serves
 * them all; tests keep apart by using their own chat ids.
 */
@CamelSpringBootTest
// Camel's test support switches JMX off; the gateway runs with it (Hawtio, route management)
@org.apache.camel.test.spring.junit5.DisableJmx(false)
@AutoConfigureObservability
@SpringBootTest(classes = CaravanApplication.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = {
            "caravan.models.providers.openai.api-key=test-key",
            "caravan.models.providers.openai.timeout=3s",
            // the shared fake model fails on purpose in many tests: one try each, and no circuit opening on them
            // (the resilience tests use providers of their own)
            "caravan.models.providers.openai.retry.max-attempts=1",
            "caravan.models.providers.openai.circuit-breaker.failure-threshold=1000000",
            "caravan.models.providers.unconfigured.base-url=https://api.openai.com/v1",
            "caravan.models.providers.unconfigured.api-key=",
            "caravan.models.profiles.noprovider.chain[0].provider=unconfigured",
            "caravan.models.profiles.noprovider.chain[0].model=gpt-4o-mini",
            "caravan.models.profiles.coder.chain[0].provider=openai",
            "caravan.models.profiles.coder.chain[0].model=fake-coder",
            "caravan.models.profiles.coder.system-prompt=You write code.",
            // resilience: a chain of two providers with quick retries and a short open circuit,
            // two equivalent providers in turn, and a provider that takes two calls at a time
            "caravan.models.providers.primary.api-key=k1",
            "caravan.models.providers.primary.timeout=2s",
            "caravan.models.providers.primary.retry.initial-backoff=50ms",
            "caravan.models.providers.primary.retry.max-retry-after=3s",
            "caravan.models.providers.primary.circuit-breaker.open-duration=2s",
            "caravan.models.providers.backup.api-key=k2",
            "caravan.models.providers.backup.retry.initial-backoff=50ms",
            "caravan.models.profiles.resilient.chain[0].provider=primary",
            "caravan.models.profiles.resilient.chain[0].model=m-primary",
            "caravan.models.profiles.resilient.chain[1].provider=backup",
            "caravan.models.profiles.resilient.chain[1].model=m-backup",
            "caravan.models.providers.rr-a.api-key=k3",
            "caravan.models.providers.rr-b.api-key=k4",
            "caravan.models.profiles.balanced.chain[0].providers=rr-a,rr-b",
            "caravan.models.profiles.balanced.chain[0].model=m-balanced",
            "caravan.models.providers.narrow.api-key=k5",
            "caravan.models.providers.narrow.max-concurrent=2",
            "caravan.models.profiles.narrow.chain[0].provider=narrow",
            "caravan.models.profiles.narrow.chain[0].model=m-narrow",
            // provider types: the Anthropic Messages API and Ollama's native API, each alone and as a chain
            "caravan.models.providers.claude.type=anthropic",
            "caravan.models.providers.claude.api-key=" + TestInfra.ANTHROPIC_KEY,
            "caravan.models.providers.claude.timeout=5s",
            "caravan.models.providers.claude.retry.initial-backoff=50ms",
            "caravan.models.providers.claude.retry.max-retry-after=3s",
            "caravan.models.providers.llama.type=ollama",
            "caravan.models.providers.llama.timeout=5s",
            "caravan.models.profiles.claude.chain[0].provider=claude",
            "caravan.models.profiles.claude.chain[0].model=claude-fake",
            "caravan.models.profiles.claude.system-prompt=You are Claude here.",
            "caravan.models.profiles.claude.temperature=0.3",
            "caravan.models.profiles.claude.max-tokens=256",
            "caravan.models.profiles.llama.chain[0].provider=llama",
            "caravan.models.profiles.llama.chain[0].model=llama-fake",
            "caravan.models.profiles.llama.system-prompt=You are a llama.",
            "caravan.models.profiles.llama.temperature=0.6",
            "caravan.models.profiles.llama.max-tokens=128",
            "caravan.models.profiles.claude-then-llama.chain[0].provider=claude",
            "caravan.models.profiles.claude-then-llama.chain[0].model=claude-fake",
            "caravan.models.profiles.claude-then-llama.chain[1].provider=llama",
            "caravan.models.profiles.claude-then-llama.chain[1].model=llama-fake",
            // tests send many messages as one sender; the limits tests switch limits on for themselves
            "caravan.limits.user-rate.permits=0",
            "caravan.limits.chat-rate.permits=0",
            "caravan.limits.channels.guarded-rate.user-rate.permits=2",
            "caravan.limits.channels.guarded-rate.user-rate.window=1m",
            "caravan.limits.channels.guarded-budget.daily-tokens-per-user=1",
            "caravan.models.profiles.cached.chain[0].provider=openai",
            "caravan.models.profiles.cached.chain[0].model=m-cached",
            "caravan.models.profiles.cached.cache=true",
            // Caravan uses the tools of an MCP server: its own /mcp endpoint, over real HTTP
            "caravan.mcp.clients.self.url=http://127.0.0.1:${local.server.port}/mcp",
            // a secret sent on every MCP call (the loopback server does not ask for it); the log tests look for it
            "caravan.mcp.clients.self.token=" + TestInfra.MCP_CLIENT_TOKEN,
            // roles: the tool permission tests let one sender use a tool with side effects
            "caravan.roles.operators[0]=rest:tool-admin",
            "caravan.tools.allow.wipe-disk[0]=role:operators",
            "caravan.http.reply-timeout=20s",
            // small socket send buffers (no growing to megabytes): a client that stops reading is felt after a few
            // kilobytes, so the tests of slow clients need no megabyte answers
            "server.undertow.options.socket.SEND_BUFFER=8192",
            "caravan.http.ping-interval=2s",
            // test contexts come and go in one JVM: a closed one must leave its groups at once, not after
            // the session timeout (which would rebalance in the middle of a later test)
            "caravan.kafka.consumer.static-membership=false",
            "caravan.broadcast.groups.ops[0]=websocket:bcast-ws",
            "caravan.broadcast.groups.ops[1]=rest:bcast-rest",
            "caravan.pipeline.redelivery-delay=50ms",
            // platform tests talk as any sender; the access tests use channels of their own with a policy
            "caravan.access.default-policy=open",
            "caravan.access.channels.paired.policy=pairing",
            "caravan.access.channels.paired.allowlist[0]=vip-*",
            "caravan.access.channels.listed.policy=allowlist",
            "caravan.access.channels.listed.allowlist[0]=vip-1",
            // small enough for the abuse tests to reach, large enough for every other test
            "caravan.limits.connections-per-ip=40",
            // data protection: WebSocket histories and kept replies live shorter than the others
            "caravan.session.retention.websocket=3d",
            // the content filter tests add words to the list and wait for the reload
            "caravan.content-filter.reload-interval=100ms",
            "caravan.content-filter.channels.cf-in-block.input-action=block",
            "caravan.content-filter.channels.cf-in-flag.input-action=flag",
            "caravan.content-filter.channels.cf-out-block.output-action=block",
            "caravan.content-filter.channels.cf-out-flag.output-action=flag"
        })
public abstract class CaravanIntegrationTest {

    /** The fake model server, shared by every test of the run. */
    protected static final FakeOpenAiServer MODEL = TestInfra.MODEL;

    /** The one HTTP client of a test class. */
    protected static final HttpClient HTTP = HttpClient.newBuilder()
            .connectTimeout(Duration.ofSeconds(5))
            .version(HttpClient.Version.HTTP_1_1)
            .build();

    @LocalServerPort
    protected int port;

    static {
        // read by the embedded-infrastructure post-processor, which runs before dynamic properties exist
        System.setProperty("caravan.storage.path", TestInfra.STORAGE.toString());
        System.setProperty("caravan.routes-dir", TestInfra.STORAGE.resolve("routes").toString());
        // also for the second instances some tests start: the word list lives with the test data
        System.setProperty("caravan.content-filter.words-file",
                TestInfra.STORAGE.resolve("config/sensitive-words.txt").toString());
    }

    @DynamicPropertySource
    static void infrastructure(DynamicPropertyRegistry registry) {
        registry.add("caravan.instance.id", () -> "test-" + UUID.randomUUID().toString().substring(0, 8));
        registry.add("caravan.models.providers.openai.base-url", MODEL::baseUrl);
        registry.add("caravan.models.providers.primary.base-url", TestInfra.PRIMARY::baseUrl);
        registry.add("caravan.models.providers.backup.base-url", TestInfra.BACKUP::baseUrl);
        registry.add("caravan.models.providers.rr-a.base-url", TestInfra.PRIMARY::baseUrl);
        registry.add("caravan.models.providers.rr-b.base-url", TestInfra.BACKUP::baseUrl);
        registry.add("caravan.models.providers.narrow.base-url", TestInfra.PRIMARY::baseUrl);
        registry.add("caravan.models.providers.claude.base-url", TestInfra.ANTHROPIC::baseUrl);
        registry.add("caravan.models.providers.llama.base-url", TestInfra.OLLAMA::baseUrl);
    }

    @org.springframework.beans.factory.annotation.Autowired
    private org.apache.kafka.clients.admin.Admin kafkaAdmin;

    @org.springframework.beans.factory.annotation.Autowired
    private routes.infra.InstanceIdentity identity;

    @BeforeEach
    void resetModel() {
        MODEL.reset();
    }

    /**
     * Waits until this instance's consumers have joined their groups and the groups are stable. Several test
     * contexts share one broker; while a group rebalances, a record in flight can be processed twice (correct
     * at-least-once behaviour, but it would blur what a test observes).
     */
    @BeforeEach
    void awaitConsumersSettled() {
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200))
                .until(() -> {
                    var groups = kafkaAdmin.describeConsumerGroups(
                            java.util.List.of("caravan-pipeline", "caravan-egress")).all()
                            .get(10, java.util.concurrent.TimeUnit.SECONDS);
                    return groups.values().stream().allMatch(g ->
                            g.state() == org.apache.kafka.common.ConsumerGroupState.STABLE
                                    && g.members().stream().anyMatch(m -> m.clientId()
                                            .startsWith(identity.id() + "-")));
                });
    }

    /** How many model requests asked about {@code text} as their newest user message (history aside). */
    protected static long modelCallsFor(String text) {
        return MODEL.requests().stream().filter(r -> text.equals(lastUserText(r))).count();
    }

    protected static String lastUserText(com.fasterxml.jackson.databind.JsonNode request) {
        var messages = request.path("messages");
        return messages.isArray() && !messages.isEmpty()
                ? messages.get(messages.size() - 1).path("content").asText() : null;
    }

    protected String baseUrl() {
        return "http://127.0.0.1:" + port;
    }

    protected URI uri(String path) {
        return URI.create(baseUrl() + path);
    }

    /** A fresh id for a test's conversation, so tests sharing Kafka and Redis never see each other's data. */
    protected static String uniqueChat(String prefix) {
        return prefix + "-" + UUID.randomUUID().toString().substring(0, 8);
    }

    protected HttpResponse<String> postJson(String path, String json) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(uri(path))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json))
                .timeout(Duration.ofSeconds(30))
                .build(), HttpResponse.BodyHandlers.ofString());
    }

    protected HttpResponse<String> get(String path) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(uri(path)).GET().timeout(Duration.ofSeconds(30)).build(),
                HttpResponse.BodyHandlers.ofString());
    }
}
