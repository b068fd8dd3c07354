package routes.cli;

import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulRedisConnection;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.DescribeClusterOptions;
import org.apache.kafka.clients.admin.DescribeClusterResult;
import org.apache.kafka.common.KafkaException;
import org.springframework.boot.autoconfigure.data.redis.RedisProperties;
import routes.channel.feishu.FeishuProperties;
import routes.channel.mqtt.MqttProperties;
import routes.channel.slack.SlackProperties;
import routes.channel.telegram.TelegramProperties;
import routes.channel.whatsapp.WhatsAppProperties;
import routes.channel.xmpp.XmppProperties;
import routes.infra.KafkaProperties;
import routes.model.ModelProperties;

/**
 * The checks {@code caravan doctor} makes over the network, each with a short timeout: Kafka (describeCluster with
 * an admin client) and Redis (PING through Lettuce) unless Caravan starts its own, every configured model provider
 * (the call onboarding makes), and the API of every switched-on platform (any HTTP answer means reachable; MQTT and
 * XMPP: a TCP connection to the server).
 */
final class Reachability {

    private final ConfigurationChecks config;
    private final Net net;
    private final ProviderCheck providerCheck;

    Reachability(ConfigurationChecks config, Net net) {
        this.config = config;
        this.net = net;
        this.providerCheck = new ProviderCheck(net);
    }

    /** The checks to run, each independent of the others (they may run at the same time). */
    List<Supplier<Check>> checks() {
        List<Supplier<Check>> checks = new ArrayList<>();
        boolean embedded = config.binder().bind("caravan.embedded.enabled", Boolean.class).orElse(true);
        String storage = config.binder().bind("caravan.storage.path", String.class).orElse("./data");
        if (embedded) {
            checks.add(() -> storage(Path.of(storage)));
            checks.add(() -> Check.ok("kafka", "embedded: Caravan starts a single-node Kafka itself (caravan.embedded"
                    + ".enabled=true)"));
            checks.add(() -> Check.ok("redis", "embedded: Caravan starts a Redis itself (caravan.embedded.enabled"
                    + "=true)"));
        } else {
            KafkaProperties kafka = config.settings("caravan.kafka", KafkaProperties.class);
            RedisProperties redis = config.settings("spring.data.redis", RedisProperties.class);
            checks.add(() -> kafka(kafka.getBootstrapServers()));
            checks.add(() -> redis(redis));
        }
        ModelProperties models = config.settings("caravan.models", ModelProperties.class);
        models.getProviders().forEach((name, provider) -> {
            if (provider.isConfigured()) {
                checks.add(() -> provider(name, provider));
            }
        });
        TelegramProperties telegram = config.settings("caravan.channels.telegram", TelegramProperties.class);
        if (on(telegram.getToken())) {
            checks.add(() -> api("telegram", telegram.getApiUrl()));
        }
        SlackProperties slack = config.settings("caravan.channels.slack", SlackProperties.class);
        if (on(slack.getBotToken())) {
            checks.add(() -> api("slack", slack.getApiUrl()));
        }
        WhatsAppProperties whatsApp = config.settings("caravan.channels.whatsapp", WhatsAppProperties.class);
        if (on(whatsApp.getAccessToken())) {
            checks.add(() -> api("whatsapp", whatsApp.getApiUrl()));
        }
        FeishuProperties feishu = config.settings("caravan.channels.feishu", FeishuProperties.class);
        if (on(feishu.getAppId())) {
            checks.add(() -> api("feishu", feishu.getApiUrl()));
        }
        MqttProperties mqtt = config.settings("caravan.channels.mqtt", MqttProperties.class);
        if (on(mqtt.getBrokerUrl()) && OnboardWizard.brokerProblem(mqtt.getBrokerUrl()) == null) {
            checks.add(() -> mqtt(mqtt.getBrokerUrl()));
        }
        XmppProperties xmpp = config.settings("caravan.channels.xmpp", XmppProperties.class);
        if (on(xmpp.getHost()) && on(xmpp.getUser())) {
            checks.add(() -> tcp("xmpp", xmpp.getHost(), xmpp.getPort(), "XMPP server",
                    "start it, or correct caravan.channels.xmpp.host and .port"));
        }
        return checks;
    }

    private static boolean on(String value) {
        return value != null && !value.isBlank();
    }

    Check storage(Path path) {
        Path existing = path.toAbsolutePath().normalize();
        while (existing != null && !Files.exists(existing)) {
            existing = existing.getParent();
        }
        if (existing == null || !Files.isDirectory(existing) || !Files.isWritable(existing)) {
            return Check.fail("storage", "cannot write " + path + " (caravan.storage.path), where the embedded Kafka "
                    + "and Redis keep their data", "make it writable, or point caravan.storage.path elsewhere");
        }
        return Check.ok("storage", path + (Files.exists(path) ? "" : " (created at start-up)") + " is writable");
    }

    Check kafka(String bootstrapServers) {
        int timeout = (int) net.timeout().toMillis();
        Admin admin;
        try {
            admin = Admin.create(Map.of(
                    AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                    AdminClientConfig.CLIENT_ID_CONFIG, "caravan-doctor",
                    AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, timeout,
                    AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, timeout,
                    AdminClientConfig.SOCKET_CONNECTION_SETUP_TIMEOUT_MS_CONFIG, timeout));
        } catch (KafkaException e) {
            return Check.fail("kafka", "caravan.kafka.bootstrap-servers=" + bootstrapServers + " is not usable: "
                    + rootMessage(e), "correct it (host:port[,host:port])");
        }
        try {
            DescribeClusterResult cluster = admin.describeCluster(new DescribeClusterOptions().timeoutMs(timeout));
            int brokers = cluster.nodes().get(timeout + 1000L, TimeUnit.MILLISECONDS).size();
            String id = cluster.clusterId().get(timeout + 1000L, TimeUnit.MILLISECONDS);
            return Check.ok("kafka", bootstrapServers + ": cluster " + id + ", " + brokers
                    + (brokers == 1 ? " broker" : " brokers"));
        } catch (ExecutionException | TimeoutException e) {
            return Check.fail("kafka", bootstrapServers + " unreachable: " + rootMessage(e),
                    "start Kafka, or correct caravan.kafka.bootstrap-servers (caravan.embedded.enabled=true starts "
                            + "one inside Caravan)");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Check.fail("kafka", "interrupted", null);
        } finally {
            admin.close(Duration.ofSeconds(1));
        }
    }

    Check redis(RedisProperties redis) {
        RedisURI uri;
        String where;
        try {
            uri = redisUri(redis);
            where = redis.getUrl() != null && !redis.getUrl().isBlank() ? "spring.data.redis.url"
                    : uri.getSentinels().isEmpty() ? uri.getHost() + ":" + uri.getPort()
                    : "sentinel master " + uri.getSentinelMasterId();
        } catch (IllegalArgumentException e) {
            return Check.fail("redis", "the Redis settings are not usable: " + e.getMessage(),
                    "correct spring.data.redis.*");
        }
        uri.setTimeout(net.timeout());
        RedisClient client = RedisClient.create();
        try (StatefulRedisConnection<String, String> connection = client.connect(uri)) {
            String pong = connection.sync().ping();
            return Check.ok("redis", where + " answered " + pong);
        } catch (RuntimeException e) {
            return Check.fail("redis", where + " unreachable: " + rootMessage(e),
                    "start Redis, or correct spring.data.redis.host/port (caravan.embedded.enabled=true starts one "
                            + "inside Caravan)");
        } finally {
            client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
        }
    }

    /** The Redis the gateway would use, from Spring Boot's own settings. */
    static RedisURI redisUri(RedisProperties redis) {
        if (redis.getUrl() != null && !redis.getUrl().isBlank()) {
            return RedisURI.create(redis.getUrl());
        }
        RedisURI.Builder builder;
        RedisProperties.Sentinel sentinel = redis.getSentinel();
        RedisProperties.Cluster cluster = redis.getCluster();
        if (sentinel != null && sentinel.getNodes() != null && !sentinel.getNodes().isEmpty()) {
            String[] first = sentinel.getNodes().get(0).split(":");
            RedisURI.Builder sentinels = RedisURI.Builder.sentinel(first[0], Integer.parseInt(first[1]),
                    sentinel.getMaster());
            sentinel.getNodes().stream().skip(1).map(n -> n.split(":"))
                    .forEach(n -> sentinels.withSentinel(n[0], Integer.parseInt(n[1])));
            builder = sentinels;
        } else if (cluster != null && cluster.getNodes() != null && !cluster.getNodes().isEmpty()) {
            String[] first = cluster.getNodes().get(0).split(":");
            builder = RedisURI.Builder.redis(first[0], Integer.parseInt(first[1]));
        } else {
            builder = RedisURI.Builder.redis(redis.getHost(), redis.getPort()).withDatabase(redis.getDatabase());
        }
        if (redis.getPassword() != null && !redis.getPassword().isEmpty()) {
            if (redis.getUsername() != null && !redis.getUsername().isEmpty()) {
                builder.withAuthentication(redis.getUsername(), redis.getPassword().toCharArray());
            } else {
                builder.withPassword(redis.getPassword().toCharArray());
            }
        }
        if (redis.getSsl() != null && redis.getSsl().isEnabled()) {
            builder.withSsl(true);
        }
        return builder.build();
    }

    Check provider(String name, ModelProperties.Provider provider) {
        ProviderCheck.Result result = providerCheck.check(provider.getType(), provider.getBaseUrl(),
                provider.getApiKey(), provider.getAnthropicVersion());
        String what = name + " (" + provider.getType() + ", " + provider.getBaseUrl() + ")";
        return result.ok() ? Check.ok("model", what + ": " + result.message())
                : Check.fail("model", what + ": " + result.message(), result.message().startsWith("HTTP 401")
                        || result.message().startsWith("HTTP 403") ? "check caravan.models.providers." + name
                        + ".api-key" : "check caravan.models.providers." + name + ".base-url and the network");
    }

    Check api(String topic, String apiUrl) {
        URI uri;
        try {
            uri = URI.create(apiUrl.trim());
            if (uri.getHost() == null) {
                throw new IllegalArgumentException("no host");
            }
        } catch (IllegalArgumentException | NullPointerException e) {
            return Check.fail(topic, "caravan.channels." + topic + ".api-url=" + apiUrl + " is not a URL",
                    "correct it");
        }
        try {
            int status = net.head(uri);
            Check reached = Check.ok(topic, apiUrl + " reachable (HTTP " + status + ")");
            if (!"https".equalsIgnoreCase(uri.getScheme()) && !isLocal(uri.getHost())) {
                return Check.warn(topic, apiUrl + " reachable, but not over HTTPS: the token travels in clear",
                        "use an https:// api-url");
            }
            return reached;
        } catch (IOException e) {
            return Check.fail(topic, apiUrl + " unreachable: " + net.explain(e, Net.hostPort(uri)),
                    "check the network, a proxy or firewall, and caravan.channels." + topic + ".api-url");
        }
    }

    private Check mqtt(String brokerUrl) {
        URI uri = URI.create(brokerUrl);
        int port = uri.getPort() >= 0 ? uri.getPort() : switch (uri.getScheme()) {
            case "ssl" -> 8883;
            case "ws" -> 80;
            case "wss" -> 443;
            default -> 1883;
        };
        return tcp("mqtt", uri.getHost(), port, "MQTT broker", "start it, or correct caravan.channels.mqtt.broker-url");
    }

    private Check tcp(String topic, String host, int port, String what, String fix) {
        try {
            net.connect(host, port);
            return Check.ok(topic, what + " " + host + ":" + port + " accepts connections");
        } catch (IOException e) {
            return Check.fail(topic, what + " unreachable: " + net.explain(e, host + ":" + port), fix);
        }
    }

    private static boolean isLocal(String host) {
        return host.equals("localhost") || host.startsWith("127.") || host.equals("[::1]");
    }

    private static String rootMessage(Throwable error) {
        Throwable root = error;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String message = root.getMessage() == null ? root.getClass().getSimpleName() : root.getMessage();
        return message.replaceAll("\\s+", " ");
    }
}
