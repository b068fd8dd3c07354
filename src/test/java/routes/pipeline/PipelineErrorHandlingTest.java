package routes.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.AppenderBase;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.impl.DefaultCamelContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;
import org.springframework.dao.DataAccessException;
import org.springframework.data.redis.connection.RedisStandaloneConfiguration;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;
import org.springframework.data.redis.core.StringRedisTemplate;

/**
 * The pipeline's error handling when Redis does not answer: a real Lettuce client pointed at a loopback port nobody
 * listens on. The failure goes back to the consumer (which takes the record again later) after the configured
 * retries, and nothing is logged as an error: an outage is not a fault of the message.
 */
class PipelineErrorHandlingTest {

    private final List<ILoggingEvent> events = new CopyOnWriteArrayList<>();
    private final AppenderBase<ILoggingEvent> capture = new AppenderBase<>() {
        @Override
        protected void append(ILoggingEvent event) {
            events.add(event);
        }
    };
    private LettuceConnectionFactory connections;

    @BeforeEach
    void captureLogs() {
        capture.start();
        root().addAppender(capture);
    }

    @AfterEach
    void release() {
        root().detachAppender(capture);
        if (connections != null) {
            connections.destroy();
        }
    }

    @Test
    void aRedisOutageIsRetriedAndHandedBackWithoutAnErrorLog() throws Exception {
        int nobodyListens;
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            nobodyListens = socket.getLocalPort();
        }
        connections = new LettuceConnectionFactory(new RedisStandaloneConfiguration("127.0.0.1", nobodyListens));
        connections.afterPropertiesSet();
        StringRedisTemplate redis = new StringRedisTemplate(connections);
        var properties = new PipelineProperties();
        properties.setMaxRedeliveries(2);
        properties.setRedeliveryDelay(Duration.ofMillis(10));

        try (CamelContext camel = new DefaultCamelContext()) {
            camel.addRoutesConfigurations(new PipelineErrorHandling(properties));
            camel.addRoutes(new RouteBuilder() {
                @Override
                public void configure() {
                    from("direct:step").routeId("step").routeConfigurationId("pipeline")
                            .process(exchange -> exchange.getMessage().setBody(redis.opsForValue().get("any")));
                }
            });
            camel.start();

            Exchange done = camel.createProducerTemplate().send("direct:step", exchange -> { });

            assertThat(done.getException()).isInstanceOf(DataAccessException.class);
            assertThat(done.getMessage().getHeader(Exchange.REDELIVERY_COUNTER, Integer.class)).isEqualTo(2);
            assertThat(events).noneMatch(event -> event.getLevel().isGreaterOrEqual(Level.ERROR));
        }
    }

    private static Logger root() {
        return (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    }
}
