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

    public WebSocketSetup(ChatWebSocketHandler handler) {
        this.handler = handler;
    }

    @Override
    public void registerWebSocketHandlers(WebSocketHandlerRegistry registry) {
        registry.addHandler(handler, "/ws").setAllowedOriginPatterns("*");
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
