package routes.support;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * What every test of one run shares: one storage directory (so one embedded Kafka and one embedded Redis, started
 * by the application's own start-up code) and the fake model servers.
 */
public final class TestInfra {

    /** Storage of the embedded Kafka and Redis for this test run; deleted when the run's JVM ends. */
    public static final Path STORAGE = tempDir();

    /** The fake OpenAI-compatible model every test context points at. */
    public static final FakeOpenAiServer MODEL = new FakeOpenAiServer().start();

    /** The first provider of the resilience tests' chains. */
    public static final FakeOpenAiServer PRIMARY = new FakeOpenAiServer().start();

    /** The fallback provider of the resilience tests' chains. */
    public static final FakeOpenAiServer BACKUP = new FakeOpenAiServer().start();

    /** The key the fake Anthropic API accepts. */
    public static final String ANTHROPIC_KEY = "sk-ant-test-7f3c";

    /** The token Caravan's MCP client sends to its own MCP server in the shared test context. */
    public static final String MCP_CLIENT_TOKEN = "mcp-client-Token-4e1d9b";

    /** The fake Anthropic Messages API of the provider-type tests. */
    public static final FakeAnthropicServer ANTHROPIC = new FakeAnthropicServer(ANTHROPIC_KEY).start();

    /** The fake native Ollama API of the provider-type tests. */
    public static final FakeOllamaServer OLLAMA = new FakeOllamaServer().start();

    private static KafkaTestSupport kafka;

    private TestInfra() {
    }

    /** A Kafka reader and writer for the run's embedded broker, shared by the tests (starts the broker if needed). */
    public static synchronized KafkaTestSupport kafka() {
        if (kafka == null) {
            kafka = new KafkaTestSupport(routes.infra.EmbeddedInfrastructure.ensureStarted(STORAGE, 0, 0, 4)
                    .kafkaBootstrapServers());
        }
        return kafka;
    }

    private static Path tempDir() {
        try {
            Path dir = Files.createTempDirectory("caravan-test-");
            routes.infra.EmbeddedInfrastructure.deleteAfterStopping(dir);
            return dir;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
