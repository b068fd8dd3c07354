package routes.schedule;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Level;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.camel.CamelContext;
import org.apache.camel.component.file.cluster.FileLockClusterService;
import org.apache.camel.impl.DefaultCamelContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import routes.infra.InstanceIdentity;
import routes.infra.KafkaProperties;
import routes.security.DataCipher;
import routes.security.EncryptionKeys;
import routes.support.CapturedLogs;
import routes.support.UnreachableRedis;

/**
 * The reminder timer while Redis does not answer (a real client, nobody listening), so every round fails to
 * connect. Each round is one warning line and the timer goes on; no error, no stack.
 */
class ReminderRoutesTest {

    @TempDir
    Path dir;

    @Test
    void aRedisOutageIsOneWarningPerRoundAndTheTimerGoesOn() throws Exception {
        byte[] key = new byte[32];
        new SecureRandom().nextBytes(key);
        var schedule = new ScheduleProperties();
        schedule.setPollInterval(Duration.ofMillis(200));

        try (var redis = new UnreachableRedis(); var logs = CapturedLogs.start();
                CamelContext camel = new DefaultCamelContext()) {
            var reminders = new Reminders(redis.template(),
                    new DataCipher(new EncryptionKeys("k1", Map.of("k1", key)), new SimpleMeterRegistry()));
            var cluster = new FileLockClusterService();
            cluster.setRoot(dir.resolve("cluster").toString());
            cluster.setAcquireLockDelay(10, TimeUnit.MILLISECONDS);
            camel.addService(cluster);
            camel.addRoutes(new ReminderRoutes(reminders, new KafkaProperties(), schedule,
                    new InstanceIdentity("reminder-test", dir.toString())));
            camel.start();

            await().atMost(Duration.ofSeconds(30))
                    .until(() -> logs.at(Level.WARN, ReminderRoutes.class).size() >= 3);

            assertThat(logs.at(Level.WARN, ReminderRoutes.class)).allSatisfy(event -> {
                assertThat(event.getFormattedMessage())
                        .startsWith("reminders not checked this round, Redis or Kafka is not answering")
                        .doesNotContain(String.valueOf(redis.port()));
                assertThat(event.getThrowableProxy()).isNull();
            });
            assertThat(logs.atLeast(Level.ERROR)).isEmpty();
            assertThat(camel.getRouteController().getRouteStatus("reminders-fire").isStarted()).isTrue();
        }
    }
}
