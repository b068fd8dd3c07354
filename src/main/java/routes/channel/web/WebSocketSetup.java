package routes.channel.web;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.web.socket.config.annotation.EnableWebSocket;
import org.springframework.web.socket.config.annotation.WebSocketConfigurer;
import org.springframework.web.socket.config.annotation.WebSocketHandlerRegistry;
import org.springframework.web.socket.server.standard.ServletServerContainerFactoryBean;

/** Serves {@link ChatWebSocketHandler} at {@code /ws} on the one HTTP port. */
@Configuration(proxyBeanMethods = false)
@EnableWebSocket
public class WebSocketSetup implements WebSocketConfigurer {

    private final ChatWebSocketHandler handler;
    private final ConnectionRegistry connections;
    private final LimitsProperties limits;

    public WebSocketSetup(ChatWebSocketHandler handler, ConnectionRegistry connections, LimitsProperties limits) {
        this.handler = handler;
        this.connections = connections;
        this.limits = limits;
    }

    @Override
    public void registerWebSocketHandlers(WebSocketHandlerRegistry registry) {
        registry.addHandler(handler, "/ws").setAllowedOriginPatterns("*").addInterceptors(new ConnectionLimit());
    }

    /** Refuses a handshake with 429 and a JSON error while the client's address holds its share of connections. */
    private final class ConnectionLimit implements org.springframework.web.socket.server.HandshakeInterceptor {

        @Override
        public boolean beforeHandshake(org.springframework.http.server.ServerHttpRequest request,
                org.springframework.http.server.ServerHttpResponse response,
                org.springframework.web.socket.WebSocketHandler wsHandler, java.util.Map<String, Object> attributes)
                throws java.io.IOException {
            int max = limits.getConnectionsPerIp();
            String address = ConnectionRegistry.address(request.getRemoteAddress());
            if (max <= 0 || connections.connectionsFrom(address) < max) {
                return true;
            }
            response.setStatusCode(org.springframework.http.HttpStatus.TOO_MANY_REQUESTS);
            response.getHeaders().setContentType(org.springframework.http.MediaType.APPLICATION_JSON);
            response.getHeaders().set("Retry-After", "30");
            response.getBody().write(ApiError.json(429, "too_many_connections", "This address already holds "
                    + max + " WebSocket connections (caravan.limits.connections-per-ip); close one first.")
                    .getBytes(java.nio.charset.StandardCharsets.UTF_8));
            return false;
        }

        @Override
        public void afterHandshake(org.springframework.http.server.ServerHttpRequest request,
                org.springframework.http.server.ServerHttpResponse response,
                org.springframework.web.socket.WebSocketHandler wsHandler, Exception exception) {
        }
    }

    /** Frames up to a little over the text limit are read whole, so an oversized text gets an error frame. */
    @Bean
    ServletServerContainerFactoryBean webSocketContainer(LimitsProperties properties) {
        ServletServerContainerFactoryBean container = new ServletServerContainerFactoryBean();
        int max = (int) Math.min(Integer.MAX_VALUE, properties.getMaxText().toBytes() * 4 + 4096);
        container.setMaxTextMessageBufferSize(max);
        container.setMaxBinaryMessageBufferSize(8192);
        return container;
    }
}
