package routes.tools.mcp;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.modelcontextprotocol.json.jackson2.JacksonMcpJsonMapper;
import io.modelcontextprotocol.server.McpAsyncServer;
import io.modelcontextprotocol.server.McpServer;
import io.modelcontextprotocol.server.McpServerFeatures;
import io.modelcontextprotocol.server.transport.HttpServletStreamableServerTransportProvider;
import io.modelcontextprotocol.spec.McpSchema;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.time.Instant;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.boot.web.servlet.ServletRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.web.filter.OncePerRequestFilter;
import reactor.core.publisher.Mono;
import routes.channel.web.ApiError;
import routes.envelope.ChatType;
import routes.envelope.Envelope;
import routes.envelope.Ids;
import routes.tools.ToolDefinition;
import routes.tools.ToolRegistry;
import routes.tools.ToolRunner;

/**
 * Caravan's tools served over the Model Context Protocol (streamable HTTP at {@code caravan.mcp.server.path}),
 * with the official MCP Java SDK. A call runs like a model's call: schema check, permissions (MCP callers are the
 * channel {@code mcp}, so tools with side effects need {@code caravan.tools.allow.<tool>: ["mcp:*"]}), time limit
 * and audit. Callers need role dev (see {@link routes.security.SecurityConfig}); {@code caravan.mcp.server.token} is
 * a token with that role.
 */
@Configuration
@ConditionalOnProperty(name = "caravan.mcp.server.enabled", havingValue = "true", matchIfMissing = true)
public class McpServerSetup {

    private static final Logger LOG = LoggerFactory.getLogger(McpServerSetup.class);

    @Bean
    HttpServletStreamableServerTransportProvider mcpTransport(McpProperties properties) {
        return HttpServletStreamableServerTransportProvider.builder()
                .jsonMapper(new JacksonMcpJsonMapper(new ObjectMapper().registerModule(McpInputGuard.errorBodies())))
                .mcpEndpoint(properties.getServer().getPath())
                .build();
    }

    @Bean
    ServletRegistrationBean<HttpServletStreamableServerTransportProvider> mcpServlet(
            HttpServletStreamableServerTransportProvider transport, McpProperties properties) {
        ServletRegistrationBean<HttpServletStreamableServerTransportProvider> servlet =
                new ServletRegistrationBean<>(transport, properties.getServer().getPath());
        servlet.setAsyncSupported(true);
        servlet.setName("caravan-mcp");
        return servlet;
    }

    /** Input the SDK would answer with a 5xx gets a 4xx and a JSON-RPC error before it reaches the SDK. */
    @Bean
    FilterRegistrationBean<OncePerRequestFilter> mcpInputGuard(McpProperties properties) {
        FilterRegistrationBean<OncePerRequestFilter> filter = new FilterRegistrationBean<>(new McpInputGuard());
        filter.addUrlPatterns(properties.getServer().getPath(), properties.getServer().getPath() + "/*");
        filter.setName("caravan-mcp-input-guard");
        return filter;
    }

    @Bean(destroyMethod = "close")
    McpAsyncServer mcpServer(HttpServletStreamableServerTransportProvider transport) {
        return McpServer.async(transport)
                .serverInfo("caravan", "1")
                .capabilities(McpSchema.ServerCapabilities.builder().tools(true).build())
                .build();
    }

    /**
     * Closes the MCP sessions (and their open event streams) before the web server's graceful shutdown, which would
     * otherwise wait for them until its timeout.
     */
    @Bean
    org.springframework.context.SmartLifecycle mcpSessionsCloser(McpAsyncServer server) {
        return new org.springframework.context.SmartLifecycle() {
            private volatile boolean running;

            @Override
            public void start() {
                running = true;
            }

            @Override
            public void stop() {
                running = false;
                try {
                    server.closeGracefully().block(java.time.Duration.ofSeconds(2));
                } catch (RuntimeException e) {
                    LOG.debug("MCP sessions did not close cleanly: {}", e.getMessage());
                }
            }

            @Override
            public boolean isRunning() {
                return running;
            }
        };
    }

    /** Keeps the served tools equal to the registry's (YAML tools come and go with route reloads). */
    @Bean
    McpToolSync mcpToolSync(McpAsyncServer server, ToolRegistry registry, ToolRunner runner) {
        return new McpToolSync(server, registry, runner);
    }

    /** Adds and removes served tools to match the registry. */
    public static final class McpToolSync {

        private final McpAsyncServer server;
        private final ToolRegistry registry;
        private final ToolRunner runner;
        private final JacksonMcpJsonMapper json = new JacksonMcpJsonMapper(new ObjectMapper());
        private final Set<String> served = ConcurrentHashMap.newKeySet();

        McpToolSync(McpAsyncServer server, ToolRegistry registry, ToolRunner runner) {
            this.server = server;
            this.registry = registry;
            this.runner = runner;
        }

        /** Brings the served tools in line with the registry; tools of external MCP servers are not served again. */
        public synchronized void sync() {
            Set<String> wanted = ConcurrentHashMap.newKeySet();
            for (ToolDefinition tool : registry.all()) {
                if (McpClients.ENDPOINT.equals(tool.getEndpoint())) {
                    continue;
                }
                wanted.add(tool.getName());
                if (served.add(tool.getName())) {
                    server.addTool(specification(tool)).block();
                }
            }
            for (String name : Set.copyOf(served)) {
                if (!wanted.contains(name)) {
                    server.removeTool(name).block();
                    served.remove(name);
                }
            }
        }

        private McpServerFeatures.AsyncToolSpecification specification(ToolDefinition tool) {
            return McpServerFeatures.AsyncToolSpecification.builder()
                    .tool(McpSchema.Tool.builder().name(tool.getName()).description(tool.getDescription())
                            .inputSchema(json, tool.getInputSchema())
                            // what MCP clients use to tell harmless tools from ones that change things
                            .annotations(McpSchema.ToolAnnotations.builder()
                                    .readOnlyHint(!tool.isSideEffects())
                                    .destructiveHint(tool.isSideEffects())
                                    .build())
                            .build())
                    .callHandler((exchange, request) -> {
                        String client = exchange.getClientInfo() == null ? "mcp-client"
                                : exchange.getClientInfo().name();
                        Envelope caller = Envelope.builder().id("mcp:" + Ids.newId()).traceId(Ids.newTraceId())
                                .channel("mcp").chatId(exchange.sessionId() == null ? client : exchange.sessionId())
                                .chatType(ChatType.DIRECT).senderId(client).text("").receivedAt(Instant.now())
                                .build();
                        String arguments;
                        try {
                            arguments = new ObjectMapper().writeValueAsString(request.arguments());
                        } catch (IOException e) {
                            arguments = "{}";
                        }
                        return Mono.fromFuture(runner.execute(caller, tool.getName(), arguments))
                                .map(outcome -> McpSchema.CallToolResult.builder().addTextContent(outcome.text())
                                        .isError(!outcome.ok()).build());
                    })
                    .build();
        }
    }
}
