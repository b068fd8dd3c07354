package routes.infra;

import static org.assertj.core.api.Assertions.assertThat;

import io.lettuce.core.resource.ClientResources;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.flush.FlushConsolidationHandler;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;
import org.springframework.data.redis.core.StringRedisTemplate;
import routes.support.CaravanIntegrationTest;

/** The Redis connection consolidates its flushes, and commands sent together or alone are all answered. */
class RedisFlushesTest extends CaravanIntegrationTest {

    @Autowired
    private LettuceConnectionFactory connections;

    @Autowired
    private StringRedisTemplate redis;

    @Test
    void theConnectionsPipelineStartsWithTheFlushConsolidation() {
        ClientResources resources = connections.getClientResources();
        EmbeddedChannel channel = new EmbeddedChannel();

        resources.nettyCustomizer().afterChannelInitialized(channel);

        assertThat(channel.pipeline().first()).isInstanceOf(FlushConsolidationHandler.class);
        channel.finishAndReleaseAll();
    }

    @Test
    void manyCommandsSentAtOnceAreAllAnswered() throws Exception {
        String key = "caravan:test:flushes:" + System.nanoTime();
        List<CompletableFuture<Long>> answers = new ArrayList<>();
        IntStream.range(0, 8).forEach(thread -> answers.add(CompletableFuture.supplyAsync(() -> {
            long last = 0;
            for (int i = 0; i < 250; i++) {
                last = redis.opsForValue().increment(key);
            }
            return last;
        })));

        CompletableFuture.allOf(answers.toArray(CompletableFuture[]::new)).get(30, TimeUnit.SECONDS);

        assertThat(redis.opsForValue().get(key)).isEqualTo("2000");
        redis.delete(key);
    }

    @Test
    void aCommandSentAloneIsAnswered() throws Exception {
        String key = "caravan:test:flush-alone:" + System.nanoTime();

        CompletableFuture<Boolean> set = CompletableFuture.supplyAsync(() -> {
            redis.opsForValue().set(key, "alone");
            return true;
        });

        assertThat(set.get(5, TimeUnit.SECONDS)).isTrue();
        assertThat(redis.opsForValue().get(key)).isEqualTo("alone");
        redis.delete(key);
    }
}
