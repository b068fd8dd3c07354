package routes.schedule;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.AppenderBase;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.camel.CamelContext;
import org.apache.camel.component.file.cluster.FileLockClusterService;
import org.apache.camel.impl.DefaultCamelContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;
import org.springframework.data.redis.connection.RedisStandaloneConfiguration;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;
import org.springframework.data.redis.core.StringRedisTemplate;
import routes.infra.InstanceIdentity;
import routes.infra.KafkaProperties;
import routes.security.DataCipher;
import routes.security.EncryptionKeys;

/**
 * The reminder timer while Redis does not answer: a real Lettuce client pointed at a loopback port nobody listens
 * on, so every round fails to connect. Each round is one warning line and the timer goes on; no error, no stack.
 */
class ReminderRoutesTest {

    @TempDir
    Path dir;

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
    void aRedisOutageIsOneWarningPerRoundAndTheTimerGoesOn() throws Exception {
        int nobodyListens;
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            nobodyListens = socket.getLocalPort();
        }
        connections = new LettuceConnectionFactory(new RedisStandaloneConfiguration("127.0.0.1", nobodyListens));
        connections.afterPropertiesSet();
        byte[] key = new byte[32];
        new SecureRandom().nextBytes(key);
        var reminders = new Reminders(new StringRedisTemplate(connections),
                new DataCipher(new EncryptionKeys("k1", Map.of("k1", key)), new SimpleMeterRegistry()));
        var schedule = new ScheduleProperties();
        schedule.setPollInterval(Duration.ofMillis(200));
        var routes = new ReminderRoutes(reminders, new KafkaProperties(), schedule,
                new InstanceIdentity("reminder-test", dir.toString()));

        try (CamelContext camel = new DefaultCamelContext()) {
            var cluster = new FileLockClusterService();
            cluster.setRoot(dir.resolve("cluster").toString());
            cluster.setAcquireLockDelay(10, java.util.concurrent.TimeUnit.MILLISECONDS);
            camel.addService(cluster);
            camel.addRoutes(routes);
            camel.start();

            await().atMost(Duration.ofSeconds(30)).until(() -> warnings().size() >= 3);

            assertThat(warnings()).allSatisfy(event -> {
                assertThat(event.getFormattedMessage())
                        .startsWith("reminders not checked this round, Redis or Kafka is not answering")
                        .doesNotContain(String.valueOf(nobodyListens));
                assertThat(event.getThrowableProxy()).isNull();
            });
            assertThat(events).noneMatch(event -> event.getLevel().isGreaterOrEqual(Level.ERROR));
            assertThat(camel.getRouteController().getRouteStatus("reminders-fire").isStarted()).isTrue();
        }
    }

    private List<ILoggingEvent> warnings() {
        return events.stream()
                .filter(event -> event.getLoggerName().equals(ReminderRoutes.class.getName()))
                .filter(event -> event.getLevel() == Level.WARN)
                .toList();
    }

    private static Logger root() {
        return (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    }
}
