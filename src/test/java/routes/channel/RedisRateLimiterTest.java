package routes.channel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.camel.AsyncProcessor;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.support.DefaultExchange;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.data.redis.connection.RedisStandaloneConfiguration;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;
import org.springframework.data.redis.core.StringRedisTemplate;
import routes.infra.EmbeddedInfrastructure;
import routes.support.TestInfra;

/** Two limiters on one Redis act as two instances sharing one platform limit. */
class RedisRateLimiterTest {

    private static LettuceConnectionFactory connections;
    private static RedisRateLimiter first;
    private static RedisRateLimiter second;
    private static CamelContext camel;

    @BeforeAll
    static void redis() {
        var endpoints = EmbeddedInfrastructure.ensureStarted(TestInfra.STORAGE, 0, 0, 4);
        connections = new LettuceConnectionFactory(
                new RedisStandaloneConfiguration(endpoints.redisHost(), endpoints.redisPort()));
        connections.afterPropertiesSet();
        connections.start();
        first = new RedisRateLimiter(new StringRedisTemplate(connections));
        second = new RedisRateLimiter(new StringRedisTemplate(connections));
        camel = new DefaultCamelContext();
    }

    @AfterAll
    static void close() throws Exception {
        first.destroy();
        second.destroy();
        connections.destroy();
        camel.close();
    }

    @Test
    void permitsAreSharedAcrossInstancesWithinTheWindow() {
        String key = UUID.randomUUID().toString();
        Duration window = Duration.ofSeconds(5);
        assertThat(first.tryAcquire("test", key, 3, window)).isZero();
        assertThat(second.tryAcquire("test", key, 3, window)).isZero();
        assertThat(first.tryAcquire("test", key, 3, window)).isZero();
        long wait = second.tryAcquire("test", key, 3, window);
        assertThat(wait).isPositive().isLessThanOrEqualTo(5000);
        // another key has its own budget
        assertThat(first.tryAcquire("test", key + "-other", 3, window)).isZero();
    }

    @Test
    void throttleHoldsExchangesPastTheLimitUntilTheWindowReopens() {
        String key = UUID.randomUUID().toString();
        AsyncProcessor throttle = first.throttle(
                new RedisRateLimiter.Limit("chat", exchange -> key, 2, Duration.ofMillis(700)));
        List<Long> passedAt = new CopyOnWriteArrayList<>();
        long start = System.nanoTime();
        for (int i = 0; i < 4; i++) {
            Exchange exchange = new DefaultExchange(camel);
            throttle.process(exchange, doneSync -> passedAt.add((System.nanoTime() - start) / 1_000_000));
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> passedAt.size() == 4);
        List<Long> sorted = passedAt.stream().sorted().toList();
        // two pass at once; the other two only after the first window closed
        assertThat(sorted.get(2)).isGreaterThanOrEqualTo(600);
    }
}
