package routes.channel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lettuce.core.RedisConnectionException;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.camel.CamelContext;
import org.apache.camel.CamelExecutionException;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.impl.DefaultCamelContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.data.redis.RedisSystemException;

/**
 * The egress route configuration on a bare Camel context: which failures of a delivery are retried, which end in
 * the DLQ, and which are left unfinished for the consumer to try the record again.
 */
class EgressErrorHandlingTest {

    private CamelContext camel;
    private ProducerTemplate producer;
    private final List<String> deadLettered = new CopyOnWriteArrayList<>();
    private final AtomicInteger attempts = new AtomicInteger();
    private volatile RuntimeException failure;

    @BeforeEach
    void start() throws Exception {
        ChannelsProperties properties = new ChannelsProperties();
        properties.setRetryDelay(Duration.ofMillis(10));
        properties.setMaxRetryDelay(Duration.ofMillis(20));
        camel = new DefaultCamelContext();
        camel.addRoutesConfigurations(new EgressErrorHandling(properties));
        camel.addRoutes(new RouteBuilder() {
            @Override
            public void configure() {
                from("direct:deliver").routeId("test-egress").routeConfigurationId("egress")
                        .process(exchange -> {
                            attempts.incrementAndGet();
                            throw failure;
                        });
                from("direct:dlq").routeId("test-dlq")
                        .process(exchange -> deadLettered.add(exchange.getProperty(
                                org.apache.camel.Exchange.EXCEPTION_CAUGHT, Throwable.class).getClass().getSimpleName()));
            }
        });
        camel.start();
        producer = camel.createProducerTemplate();
    }

    @AfterEach
    void stop() {
        camel.stop();
    }

    @Test
    void redisDroppingTheConnectionLeavesTheRecordUnfinishedInsteadOfDeadLetteringIt() {
        // as Spring Data Redis reports a connection reset: its exception around Lettuce's around the socket's
        failure = new RedisSystemException("Redis exception",
                new RedisConnectionException("connection lost", new IOException("Connection reset by peer")));
        assertThatThrownBy(() -> producer.sendBody("direct:deliver", "reply"))
                .isInstanceOf(CamelExecutionException.class)
                .hasRootCauseInstanceOf(IOException.class);
        assertThat(attempts).as("the first try and three redeliveries").hasValue(4);
        assertThat(deadLettered).isEmpty();
    }

    @Test
    void aPlatformRefusingTheReplyForGoodSendsItToTheDlqAtOnce() {
        failure = new PlatformException("telegram", 400, "Bad Request: chat not found", null);
        producer.sendBody("direct:deliver", "reply");
        assertThat(attempts).hasValue(1);
        assertThat(deadLettered).containsExactly("PlatformException");
    }

    @Test
    void aPlatformFailingOnItsSideIsRetriedThenDeadLettered() {
        failure = new PlatformException("telegram", 502, "Bad Gateway", null);
        producer.sendBody("direct:deliver", "reply");
        assertThat(attempts).hasValue(new ChannelsProperties().getMaxDeliveryAttempts());
        assertThat(deadLettered).containsExactly("PlatformException");
    }

    @Test
    void anUnexpectedBugInTheDeliveryIsDeadLetteredWithItsReason() {
        failure = new IllegalStateException("no sender for this reply");
        producer.sendBody("direct:deliver", "reply");
        assertThat(deadLettered).containsExactly("IllegalStateException");
    }
}
