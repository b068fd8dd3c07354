package routes.infra;

import java.nio.file.Path;
import java.util.Map;

import org.apache.commons.logging.Log;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.context.event.ApplicationPreparedEvent;
import org.springframework.boot.context.config.ConfigDataEnvironmentPostProcessor;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.env.EnvironmentPostProcessor;
import org.springframework.boot.logging.DeferredLogFactory;
import org.springframework.context.ApplicationListener;
import org.springframework.core.Ordered;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.MapPropertySource;
import org.springframework.core.env.MutablePropertySources;

/**
 * Starts the embedded Kafka broker and Redis server before the application context exists, and points the
 * application at them.
 *
 * <p>Active when {@code caravan.embedded.enabled} is true (the default; the {@code prod} profile turns it off). Reads
 * {@code caravan.storage.path} (default {@code ./data}), {@code caravan.embedded.kafka-port},
 * {@code caravan.embedded.redis-port} (0 = free port) and {@code caravan.embedded.partitions} (default 4), then adds
 * the highest-precedence property source {@value #PROPERTY_SOURCE_NAME} with {@code caravan.kafka.bootstrap-servers},
 * {@code spring.data.redis.host} and {@code spring.data.redis.port}. Servers are shared JVM-wide through
 * {@link EmbeddedInfrastructure}, so further contexts reuse them; each context is registered to be closed before the
 * servers stop at JVM exit.
 */
public class EmbeddedInfrastructurePostProcessor implements EnvironmentPostProcessor, Ordered {

    /** Name of the property source this adds. */
    public static final String PROPERTY_SOURCE_NAME = "caravanEmbedded";

    /** Right after application.yml and profile documents are loaded, so {@code prod} can switch this off. */
    public static final int ORDER = ConfigDataEnvironmentPostProcessor.ORDER + 2;

    private final Log log;

    /**
     * Called by Spring Boot, which defers the log lines until the logging system is configured.
     *
     * @param logFactory Spring Boot's deferred log factory
     */
    public EmbeddedInfrastructurePostProcessor(DeferredLogFactory logFactory) {
        this.log = logFactory.getLog(EmbeddedInfrastructurePostProcessor.class);
    }

    @Override
    public void postProcessEnvironment(ConfigurableEnvironment environment, SpringApplication application) {
        // The Binder gives Boot's relaxed binding, e.g. CARAVAN_EMBEDDED_KAFKAPORT from the environment.
        Binder binder = Binder.get(environment);
        if (!binder.bind("caravan.embedded.enabled", Boolean.class).orElse(true)) {
            log.debug("Embedded Kafka and Redis disabled (caravan.embedded.enabled=false)");
            return;
        }
        Path storage = Path.of(binder.bind("caravan.storage.path", String.class).orElse("./data"));
        int kafkaPort = binder.bind("caravan.embedded.kafka-port", Integer.class).orElse(0);
        int redisPort = binder.bind("caravan.embedded.redis-port", Integer.class).orElse(0);
        int partitions = binder.bind("caravan.embedded.partitions", Integer.class)
                .orElse(EmbeddedKafka.DEFAULT_PARTITIONS);

        EmbeddedInfrastructure.Endpoints endpoints =
                EmbeddedInfrastructure.ensureStarted(storage, kafkaPort, redisPort, partitions, log::info);
        application.addListeners(new CloseContextBeforeServers());

        var source = new MapPropertySource(PROPERTY_SOURCE_NAME, Map.of(
                "caravan.kafka.bootstrap-servers", endpoints.kafkaBootstrapServers(),
                "spring.data.redis.host", endpoints.redisHost(),
                "spring.data.redis.port", endpoints.redisPort()));
        MutablePropertySources sources = environment.getPropertySources();
        if (sources.contains(PROPERTY_SOURCE_NAME)) {
            sources.replace(PROPERTY_SOURCE_NAME, source);
        } else {
            sources.addFirst(source);
        }
    }

    @Override
    public int getOrder() {
        return ORDER;
    }

    /** Hands the application context to the shutdown hook, which closes it before stopping Kafka and Redis. */
    static final class CloseContextBeforeServers implements ApplicationListener<ApplicationPreparedEvent> {
        @Override
        public void onApplicationEvent(ApplicationPreparedEvent event) {
            EmbeddedInfrastructure.closeBeforeStopping(event.getApplicationContext());
        }
    }
}
