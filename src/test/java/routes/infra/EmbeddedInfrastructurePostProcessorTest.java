package routes.infra;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import org.apache.commons.logging.impl.NoOpLog;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.context.config.ConfigDataEnvironmentPostProcessor;
import org.springframework.core.env.MapPropertySource;
import org.springframework.core.env.StandardEnvironment;

class EmbeddedInfrastructurePostProcessorTest {

    @TempDir
    Path storage;

    private final List<String> infoLines = new CopyOnWriteArrayList<>();
    private final EmbeddedInfrastructurePostProcessor postProcessor =
            new EmbeddedInfrastructurePostProcessor(destination -> new NoOpLog() {
                @Override
                public void info(Object message) {
                    infoLines.add(String.valueOf(message));
                }
            });

    @AfterEach
    void stopServers() {
        // Before @TempDir deletes the files under them.
        EmbeddedInfrastructure.stop(storage);
    }

    @Test
    void pointsTheApplicationAtTheEmbeddedServersAndSharesThemAcrossContexts() {
        var first = environment(Map.of("caravan.embedded.partitions", "2"));
        var application = new SpringApplication();
        postProcessor.postProcessEnvironment(first, application);

        var endpoints = EmbeddedInfrastructure.running(storage).orElseThrow();
        assertThat(first.getPropertySources().iterator().next().getName())
                .isEqualTo(EmbeddedInfrastructurePostProcessor.PROPERTY_SOURCE_NAME);
        assertThat(first.getProperty("caravan.kafka.bootstrap-servers")).isEqualTo(endpoints.kafkaBootstrapServers())
                .startsWith("127.0.0.1:");
        assertThat(first.getProperty("spring.data.redis.host")).isEqualTo("127.0.0.1");
        assertThat(first.getProperty("spring.data.redis.port", Integer.class)).isEqualTo(endpoints.redisPort());
        assertThat(storage.resolve("kafka/meta.properties")).isRegularFile();
        assertThat(storage.resolve("redis/redis.conf")).isRegularFile();
        assertThat(infoLines).hasSize(2);
        assertThat(infoLines.get(0)).startsWith("Embedded Kafka");
        assertThat(infoLines.get(1)).startsWith("Embedded Redis");
        assertThat(application.getListeners())
                .hasAtLeastOneElementOfType(EmbeddedInfrastructurePostProcessor.CloseContextBeforeServers.class);

        // A second context in the same JVM gets the same servers, and nothing is started or logged again.
        var second = environment(Map.of());
        postProcessor.postProcessEnvironment(second, new SpringApplication());
        assertThat(second.getProperty("caravan.kafka.bootstrap-servers")).isEqualTo(endpoints.kafkaBootstrapServers());
        assertThat(second.getProperty("spring.data.redis.port", Integer.class)).isEqualTo(endpoints.redisPort());
        assertThat(infoLines).hasSize(2);
    }

    @Test
    void overridesEndpointsConfiguredElsewhere() {
        var environment = environment(Map.of(
                "caravan.kafka.bootstrap-servers", "kafka.example:9092",
                "spring.data.redis.host", "redis.example"));
        postProcessor.postProcessEnvironment(environment, new SpringApplication());

        assertThat(environment.getProperty("caravan.kafka.bootstrap-servers")).startsWith("127.0.0.1:");
        assertThat(environment.getProperty("spring.data.redis.host")).isEqualTo("127.0.0.1");
    }

    @Test
    void startsNothingWhenDisabled() {
        var environment = environment(Map.of("caravan.embedded.enabled", "false"));
        var application = new SpringApplication();
        postProcessor.postProcessEnvironment(environment, application);

        assertThat(environment.getPropertySources().contains(EmbeddedInfrastructurePostProcessor.PROPERTY_SOURCE_NAME))
                .isFalse();
        assertThat(environment.getProperty("caravan.kafka.bootstrap-servers")).isNull();
        assertThat(EmbeddedInfrastructure.running(storage)).isEmpty();
        assertThat(storage).isEmptyDirectory();
        assertThat(infoLines).isEmpty();
        assertThat(application.getListeners())
                .noneMatch(EmbeddedInfrastructurePostProcessor.CloseContextBeforeServers.class::isInstance);
    }

    @Test
    void ordersItselfAfterConfigDataSoProfilesCanDisableIt() {
        assertThat(postProcessor.getOrder()).isGreaterThan(ConfigDataEnvironmentPostProcessor.ORDER);
    }

    private StandardEnvironment environment(Map<String, Object> extra) {
        Map<String, Object> properties = new HashMap<>(extra);
        properties.put("caravan.storage.path", storage.toString());
        var environment = new StandardEnvironment();
        // first: a JVM-wide caravan.storage.path system property (set by the integration tests) must not win
        environment.getPropertySources().addFirst(new MapPropertySource("test", properties));
        return environment;
    }
}
