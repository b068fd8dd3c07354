package routes.tools.mcp;

import static org.assertj.core.api.Assertions.assertThat;

import io.modelcontextprotocol.client.McpClient;
import io.modelcontextprotocol.client.McpSyncClient;
import io.modelcontextprotocol.client.transport.HttpClientStreamableHttpTransport;
import io.modelcontextprotocol.json.jackson2.JacksonMcpJsonMapper;
import io.modelcontextprotocol.spec.McpSchema;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import routes.envelope.ChatType;
import routes.envelope.Envelope;
import routes.support.CaravanIntegrationTest;
import routes.tools.ToolRegistry;
import routes.tools.ToolRunner;

/** MCP both ways: an MCP client lists and calls Caravan's tools; Caravan uses the tools of an MCP server. */
class McpTest extends CaravanIntegrationTest {

    @Autowired
    private ToolRegistry registry;

    @Autowired
    private ToolRunner runner;

    private McpSyncClient client() {
        McpSyncClient client = McpClient.sync(HttpClientStreamableHttpTransport.builder(baseUrl())
                        .endpoint("/mcp").jsonMapper(new JacksonMcpJsonMapper(new com.fasterxml.jackson.databind.ObjectMapper()))
                        .build())
                .requestTimeout(Duration.ofSeconds(20))
                .clientInfo(new McpSchema.Implementation("test-client", "1"))
                .build();
        client.initialize();
        return client;
    }

    @Test
    void anMcpClientListsAndCallsCaravansTools() {
        try (McpSyncClient client = client()) {
            Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> client.listTools().tools().stream()
                    .anyMatch(t -> t.name().equals("word-count")));
            McpSchema.Tool tool = client.listTools().tools().stream().filter(t -> t.name().equals("word-count"))
                    .findFirst().orElseThrow();
            assertThat(tool.description()).contains("Counts the words");
            assertThat(tool.inputSchema().toString()).contains("text");
            assertThat(tool.annotations().readOnlyHint()).isTrue();
            assertThat(client.listTools().tools()).noneMatch(t -> t.name().startsWith("self_"));

            McpSchema.CallToolResult result = client.callTool(
                    new McpSchema.CallToolRequest("word-count", Map.of("text", "red green blue")));
            assertThat(result.isError()).isFalse();
            assertThat(((McpSchema.TextContent) result.content().get(0)).text())
                    .isEqualTo("words: 3, characters: 14");

            McpSchema.CallToolResult bad = client.callTool(
                    new McpSchema.CallToolRequest("word-count", Map.of("words", 3)));
            assertThat(bad.isError()).isTrue();
            assertThat(((McpSchema.TextContent) bad.content().get(0)).text()).containsIgnoringCase("validation")
                    .contains("text");
        }
    }

    @Test
    void caravanUsesTheToolsOfAConfiguredMcpServer() throws Exception {
        // the shared test configuration points caravan.mcp.clients.self at this instance's own /mcp endpoint
        Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> registry.get("self_word-count").isPresent());
        assertThat(registry.get("self_word-count").orElseThrow().getDescription()).startsWith("[self] ");
        // marked read-only by its server: no side effects, so allowed without an allowlist
        assertThat(registry.get("self_word-count").orElseThrow().isSideEffects()).isFalse();
        Envelope caller = Envelope.builder().id("mcp-use-1").traceId("t").channel("rest").chatId(uniqueChat("mcp"))
                .chatType(ChatType.DIRECT).senderId("u").text("").receivedAt(Instant.now()).build();
        ToolRunner.Outcome outcome = runner.execute(caller, "self_word-count", "{\"text\":\"over the wire\"}")
                .get(30, java.util.concurrent.TimeUnit.SECONDS);
        assertThat(outcome.ok()).isTrue();
        assertThat(outcome.text()).isEqualTo("words: 3, characters: 13");
    }

    @Test
    void bodiesTheSdkCannotTakeAre400WithAJsonRpcError() throws Exception {
        assertRefused(mcp("POST", "null"), 400, -32600);
        assertRefused(mcp("POST", "[1, 2]"), 400, -32600);
        assertRefused(mcp("POST", "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"initialize\",\"params\":null}"),
                400, -32602);
    }

    @Test
    void methodsTheEndpointDoesNotServeAre405() throws Exception {
        HttpResponse<String> patch = mcp("PATCH", "{}");
        assertRefused(patch, 405, -32600);
        assertThat(patch.headers().firstValue("Allow")).hasValue("GET, POST, DELETE");
    }

    @Test
    void refusalsOfTheSdkCarryNoStackTrace() throws Exception {
        // a request before initialize, without a session: the SDK's own refusal
        HttpResponse<String> response = mcp("POST", "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/list\"}");
        assertRefused(response, 400, -32601);
        assertThat(response.body()).doesNotContain("stackTrace", "McpError", "java.");
    }

    private HttpResponse<String> mcp(String method, String body) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(uri("/mcp"))
                .header("Content-Type", "application/json")
                .header("Accept", "application/json, text/event-stream")
                .method(method, HttpRequest.BodyPublishers.ofString(body))
                .build(), HttpResponse.BodyHandlers.ofString());
    }

    private static void assertRefused(HttpResponse<String> response, int status, int code) throws Exception {
        assertThat(response.statusCode()).as(response.body()).isEqualTo(status);
        assertThat(response.headers().firstValue("Content-Type").orElse("")).startsWith("application/json");
        var error = new com.fasterxml.jackson.databind.ObjectMapper().readTree(response.body()).path("error");
        assertThat(error.path("code").asInt()).isEqualTo(code);
        assertThat(error.path("message").asText()).isNotBlank();
    }
}
