package routes.tools.mcp;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.modelcontextprotocol.client.McpAsyncClient;
import io.modelcontextprotocol.client.McpClient;
import io.modelcontextprotocol.client.transport.HttpClientStreamableHttpTransport;
import io.modelcontextprotocol.json.jackson2.JacksonMcpJsonMapper;
import io.modelcontextprotocol.spec.McpSchema;
import java.net.URI;
import java.net.http.HttpRequest;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;
import org.apache.camel.AsyncCallback;
import org.apache.camel.Exchange;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.support.AsyncProcessorSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.core.env.Environment;
import org.springframework.stereotype.Component;
import routes.tools.ToolDefinition;
import routes.tools.ToolRunner;

/**
 * Tools of external MCP servers ({@code caravan.mcp.clients.<name>.url}), offered to the model as
 * {@code <name>_<tool>} and called through the official MCP Java SDK. A tool its server does not mark read-only
 * ({@code readOnlyHint}) counts as having side effects: denied unless {@code caravan.tools.allow} lists it. A server that is down is tried again every
 * ten seconds; the same loop keeps Caravan's own served tools in line with its registry.
 */
@Component
public class McpClients extends RouteBuilder implements DisposableBean, org.springframework.context.SmartLifecycle {

    /** The endpoint of every tool that lives on an external MCP server. */
    public static final String ENDPOINT = "direct:mcp-client-call";

    private static final Logger LOG = LoggerFactory.getLogger(McpClients.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    private record Remote(McpAsyncClient client, String tool) {
    }

    private final McpProperties properties;
    private final Environment environment;
    private final ObjectProvider<McpServerSetup.McpToolSync> served;
    private final Map<String, McpAsyncClient> connected = new ConcurrentHashMap<>();
    private final Map<String, Remote> tools = new ConcurrentHashMap<>();

    public McpClients(McpProperties properties, Environment environment,
            ObjectProvider<McpServerSetup.McpToolSync> served) {
        this.properties = properties;
        this.environment = environment;
        this.served = served;
    }

    @Override
    public void configure() {
        from(ENDPOINT).routeId("mcp-client-call").process(new AsyncProcessorSupport() {
            @Override
            public boolean process(Exchange exchange, AsyncCallback callback) {
                return call(exchange, callback);
            }
        });

        from("timer:caravan-mcp-sync?delay=1000&period=10000").routeId("mcp-sync")
                .process(exchange -> sync());
    }

    /**
     * Brings the served tools in line with the registry, then connects the configured servers not connected yet and
     * lists the tools of each again (a server may add or drop tools).
     */
    public synchronized void sync() {
        McpServerSetup.McpToolSync server = served.getIfAvailable();
        if (server != null) {
            server.sync();
        }
        properties.getClients().forEach((name, settings) -> {
            if (settings.getUrl() == null || settings.getUrl().isBlank()) {
                return;
            }
            McpAsyncClient client = connected.get(name);
            if (client == null) {
                client = connect(name, settings);
            }
            if (client != null) {
                list(name, settings, client);
            }
        });
    }

    private McpAsyncClient connect(String name, McpProperties.Client settings) {
        String url = environment.resolvePlaceholders(settings.getUrl());
        URI uri = URI.create(url);
        String base = uri.getScheme() + "://" + uri.getAuthority();
        HttpRequest.Builder request = HttpRequest.newBuilder();
        if (settings.getToken() != null && !settings.getToken().isBlank()) {
            request.header("Authorization", "Bearer " + settings.getToken());
        }
        McpAsyncClient client = McpClient.async(HttpClientStreamableHttpTransport.builder(base)
                        .endpoint(uri.getRawPath() == null || uri.getRawPath().isEmpty() ? "/mcp" : uri.getRawPath())
                        .jsonMapper(new JacksonMcpJsonMapper(JSON))
                        .requestBuilder(request)
                        .build())
                .requestTimeout(settings.getTimeout())
                .initializationTimeout(settings.getTimeout())
                .clientInfo(new McpSchema.Implementation("caravan", "1"))
                .build();
        try {
            client.initialize().block(settings.getTimeout());
            connected.put(name, client);
            LOG.info("MCP server {} connected", name);
            return client;
        } catch (Exception e) {
            LOG.warn("MCP server {} is not reachable yet ({}); trying again in 10 s", name, e.getMessage());
            client.close();
            return null;
        }
    }

    private void list(String name, McpProperties.Client settings, McpAsyncClient client) {
        try {
            McpSchema.ListToolsResult listed = client.listTools().block(settings.getTimeout());
            java.util.Set<String> seen = new java.util.HashSet<>();
            for (McpSchema.Tool tool : listed.tools()) {
                String local = name + "_" + tool.name();
                seen.add(local);
                if (tools.containsKey(local)) {
                    continue;
                }
                ToolDefinition definition = new ToolDefinition(local,
                        "[" + name + "] " + (tool.description() == null ? tool.name() : tool.description()),
                        JSON.writeValueAsString(tool.inputSchema() == null ? Map.of("type", "object")
                                : tool.inputSchema()),
                        // only a tool its server marks read-only counts as harmless; any other is treated as
                        // having side effects, so it is denied unless caravan.tools.allow lists it
                        ENDPOINT, !(tool.annotations() != null && Boolean.TRUE.equals(tool.annotations().readOnlyHint())),
                        false);
                tools.put(local, new Remote(client, tool.name()));
                getCamelContext().getRegistry().bind("mcp-tool-" + local, ToolDefinition.class, definition);
                LOG.info("MCP server {} offers tool {}", name, tool.name());
            }
            for (String local : java.util.Set.copyOf(tools.keySet())) {
                if (local.startsWith(name + "_") && !seen.contains(local)) {
                    tools.remove(local);
                    getCamelContext().getRegistry().unbind("mcp-tool-" + local);
                }
            }
        } catch (Exception e) {
            LOG.warn("MCP server {} did not list its tools ({}); reconnecting", name, e.getMessage());
            connected.remove(name);
            client.close();
        }
    }

    private boolean call(Exchange exchange, AsyncCallback callback) {
        String local = exchange.getMessage().getHeader(ToolRunner.TOOL, String.class);
        Remote remote = tools.get(local);
        if (remote == null) {
            exchange.setException(new IllegalStateException("the MCP server of " + local + " is not connected"));
            callback.done(true);
            return true;
        }
        Map<String, Object> arguments;
        try {
            @SuppressWarnings("unchecked")
            Map<String, Object> parsed = JSON.readValue(exchange.getMessage().getBody(String.class), Map.class);
            arguments = parsed;
        } catch (Exception e) {
            exchange.setException(e);
            callback.done(true);
            return true;
        }
        remote.client().callTool(new McpSchema.CallToolRequest(remote.tool(), arguments)).toFuture()
                .whenComplete((result, error) -> {
                    if (error != null) {
                        exchange.setException(error instanceof Exception e ? e : new RuntimeException(error));
                    } else {
                        String text = result.content().stream()
                                .map(c -> c instanceof McpSchema.TextContent t ? t.text() : "[" + c.type() + "]")
                                .collect(Collectors.joining("\n"));
                        exchange.getMessage().setBody(Boolean.TRUE.equals(result.isError()) ? "error: " + text : text);
                    }
                    callback.done(false);
                });
        return false;
    }

    private volatile boolean running;

    @Override
    public void start() {
        running = true;
    }

    /**
     * Closes the connections before the web server's graceful shutdown, which would otherwise wait for their
     * open event streams (ours, when a server is this instance).
     */
    @Override
    public void stop() {
        running = false;
        connected.values().forEach(McpAsyncClient::close);
        connected.clear();
    }

    @Override
    public boolean isRunning() {
        return running;
    }

    @Override
    public void destroy() {
        stop();
    }
}
