package routes.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import routes.support.FakeOpenAiServer;

/** The provider check makes the real call each API has for listing models, and reports refusals in the API's words. */
class ProviderCheckTest {

    private final ProviderCheck check = new ProviderCheck(new Net(Duration.ofSeconds(3)));
    private HttpServer server;
    private final Map<String, String> seen = new ConcurrentHashMap<>();

    @AfterEach
    void stop() {
        if (server != null) {
            server.stop(0);
        }
    }

    @Test
    void anOpenAiCompatibleServerAcceptsTheRightKeyAndListsItsModels() {
        try (FakeOpenAiServer openAi = new FakeOpenAiServer().start().requireApiKey("sk-right")) {
            ProviderCheck.Result result = check.check("openai", openAi.baseUrl() + "/", "sk-right", null);
            assertThat(result.ok()).isTrue();
            assertThat(result.message()).isEqualTo("key accepted, 1 model listed");
            assertThat(result.lists(FakeOpenAiServer.MODEL_ID)).isTrue();
            assertThat(result.lists("gpt-4o")).isFalse();
        }
    }

    @Test
    void aRefusedKeyIsReportedWithStatusAndTheProvidersMessageButNotTheKey() {
        try (FakeOpenAiServer openAi = new FakeOpenAiServer().start().requireApiKey("sk-right")) {
            ProviderCheck.Result result = check.check("openai", openAi.baseUrl(), "sk-wrong-123", null);
            assertThat(result.ok()).isFalse();
            assertThat(result.message()).startsWith("HTTP 401 from GET " + openAi.baseUrl() + "/models: Incorrect API key")
                    .doesNotContain("sk-wrong-123");
        }
    }

    @Test
    void anthropicIsAskedWithItsKeyAndVersionHeaders() throws IOException {
        serve("/v1/models", 200, "{\"data\":[{\"id\":\"claude-3-5-haiku-latest\",\"type\":\"model\"}],\"has_more\":false}");
        ProviderCheck.Result result = check.check("anthropic", base() + "/v1", "sk-ant-1", "2023-06-01");
        assertThat(result.ok()).isTrue();
        assertThat(result.lists("claude-3-5-haiku-latest")).isTrue();
        assertThat(seen).containsEntry("x-api-key", "sk-ant-1").containsEntry("anthropic-version", "2023-06-01")
                .doesNotContainKey("authorization");
    }

    @Test
    void anthropicsRefusalMessageIsShown() throws IOException {
        serve("/v1/models", 401, "{\"type\":\"error\",\"error\":{\"type\":\"authentication_error\","
                + "\"message\":\"invalid x-api-key\"}}");
        assertThat(check.check("anthropic", base() + "/v1", "sk-ant-bad", null).message())
                .isEqualTo("HTTP 401 from GET " + base() + "/v1/models: invalid x-api-key");
    }

    @Test
    void ollamaIsAskedForItsTagsWithoutAKey() throws IOException {
        serve("/api/tags", 200, "{\"models\":[{\"name\":\"llama3.2:latest\",\"model\":\"llama3.2:latest\"}]}");
        ProviderCheck.Result result = check.check("ollama", base(), "", null);
        assertThat(result.ok()).isTrue();
        assertThat(result.message()).isEqualTo("answered, 1 model listed");
        assertThat(result.lists("llama3.2")).isTrue();
        assertThat(seen).doesNotContainKeys("authorization", "x-api-key");
    }

    @Test
    void aServerThatIsNotThereIsReportedAsUnreachable() throws IOException {
        int port;
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        ProviderCheck.Result result = check.check("openai", "http://127.0.0.1:" + port + "/v1", "k", null);
        assertThat(result.ok()).isFalse();
        assertThat(result.message()).startsWith("cannot connect to 127.0.0.1:" + port);
    }

    @Test
    void anUnknownTypeOrABadUrlIsSaidSo() {
        assertThat(check.check("gemini", "https://x.example", "k", null).message())
                .isEqualTo("unknown provider type gemini (openai, anthropic or ollama)");
        assertThat(check.check("openai", "ftp://x.example", "k", null).message()).contains("needs http:// or https://");
    }

    private void serve(String path, int status, String body) throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext(path, exchange -> {
            exchange.getRequestHeaders().forEach((name, values) -> seen.put(name.toLowerCase(), values.get(0)));
            byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Content-Type", "application/json");
            exchange.sendResponseHeaders(status, bytes.length);
            exchange.getResponseBody().write(bytes);
            exchange.close();
        });
        server.start();
    }

    private String base() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }
}
