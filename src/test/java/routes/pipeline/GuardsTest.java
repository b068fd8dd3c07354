package routes.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;
import org.springframework.data.redis.core.StringRedisTemplate;
import routes.channel.RedisRateLimiter;
import routes.channel.web.LimitsProperties;
import routes.envelope.ChatType;
import routes.envelope.Envelope;
import routes.envelope.Priority;
import routes.model.UsageStore;
import routes.support.CaravanIntegrationTest;
import routes.support.KafkaTestSupport;
import routes.support.TestInfra;

/** Rate limits and daily token budgets: a clear reply instead of a model call, counted across instances. */
class GuardsTest extends CaravanIntegrationTest {

    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final KafkaTestSupport kafka = TestInfra.kafka();

    @Autowired
    private StringRedisTemplate redis;

    // the limits are configured for two test channels in the shared configuration (every test context has them),
    // so whichever context's consumer takes a message applies the same limits
    private static String channel = "guarded-rate";

    private static Envelope message(String chat, String sender, String id, String text) {
        return Envelope.builder().id(id).traceId("t-" + id).channel(channel).chatId(chat).chatType(ChatType.DIRECT)
                .senderId(sender).text(text).priority(Priority.REALTIME).receivedAt(Instant.now()).build();
    }

    @Test
    void aSenderOverTheRateGetsAClearReplyAndNoModelCall() {
        channel = "guarded-rate";
        String chat = uniqueChat("rate");
        String sender = uniqueChat("sender");
        assertThat(kafka.ask(message(chat, sender, chat + "-1", "rate one"), WAIT).meta("error")).isNull();
        assertThat(kafka.ask(message(chat, sender, chat + "-2", "rate two"), WAIT).meta("error")).isNull();
        Envelope third = kafka.ask(message(chat, sender, chat + "-3", "rate three"), WAIT);
        assertThat(third.meta("error")).isEqualTo(Guards.RATE_LIMITED);
        assertThat(third.text()).contains("faster than allowed", "2 per minute");
        assertThat(modelCallsFor("rate three")).isZero();
        // another sender in the same conversation is not limited by the first one's rate
        assertThat(kafka.ask(message(chat, uniqueChat("other"), chat + "-4", "rate four"), WAIT).meta("error"))
                .isNull();
    }

    @Test
    void aSenderOverTheDailyBudgetGetsAClearReplyAndNoModelCall() {
        channel = "guarded-budget";
        String chat = uniqueChat("budget");
        String sender = uniqueChat("spender");
        Envelope first = kafka.ask(message(chat, sender, chat + "-1", "spend my tokens"), WAIT);
        assertThat(first.meta("error")).isNull();
        Envelope second = kafka.ask(message(chat, sender, chat + "-2", "and more"), WAIT);
        assertThat(second.meta("error")).isEqualTo(Guards.BUDGET_EXCEEDED);
        assertThat(second.text()).contains("daily budget of 1 model tokens");
        assertThat(modelCallsFor("and more")).isZero();
        // commands still answer: /usage shows what was used
        Envelope usage = kafka.ask(message(chat, sender, chat + "-3", "/usage"), WAIT);
        assertThat(usage.text()).contains("you sent 1 message", "0 left");
    }

    @Test
    void twoInstancesShareOneRateAndOneBudget() {
        // a second instance: its own Redis connection and its own limiter and usage store, the same Redis
        LettuceConnectionFactory otherConnection = new LettuceConnectionFactory(
                redis.getConnectionFactory() instanceof LettuceConnectionFactory f ? f.getHostName() : "127.0.0.1",
                redis.getConnectionFactory() instanceof LettuceConnectionFactory f ? f.getPort() : 6379);
        otherConnection.afterPropertiesSet();
        otherConnection.start();
        StringRedisTemplate otherRedis = new StringRedisTemplate(otherConnection);
        RedisRateLimiter here = new RedisRateLimiter(redis);
        RedisRateLimiter there = new RedisRateLimiter(otherRedis);
        try {
            String key = uniqueChat("shared");
            assertThat(here.tryAcquire("user", key, 3, Duration.ofMinutes(1))).isZero();
            assertThat(there.tryAcquire("user", key, 3, Duration.ofMinutes(1))).isZero();
            assertThat(here.tryAcquire("user", key, 3, Duration.ofMinutes(1))).isZero();
            assertThat(there.tryAcquire("user", key, 3, Duration.ofMinutes(1))).isPositive();

            UsageStore usageHere = new UsageStore(redis);
            UsageStore usageThere = new UsageStore(otherRedis);
            usageHere.add("rest", key, 100, 20);
            usageThere.add("rest", key, 30, 5);
            assertThat(usageHere.today("rest", key)).isEqualTo(new UsageStore.Usage(2, 130, 25));
        } finally {
            here.destroy();
            there.destroy();
            otherConnection.destroy();
        }
    }
}
