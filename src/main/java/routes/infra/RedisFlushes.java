package routes.infra;

import io.lettuce.core.resource.NettyCustomizer;
import io.netty.channel.Channel;
import io.netty.handler.flush.FlushConsolidationHandler;
import org.springframework.boot.autoconfigure.data.redis.ClientResourcesBuilderCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * Commands sent to Redis at the same moment leave in one write.
 *
 * <p>All of Caravan shares one Redis connection, and each command is flushed on its own: under load that is one
 * {@code write} system call per command, and as many reads on the server. Netty's {@link FlushConsolidationHandler}
 * at the head of the connection's pipeline holds a flush until the commands already waiting for the connection's
 * event loop are written too (never longer: it waits for no timer), so concurrent commands go out together, as a
 * pipelined batch would. A command sent alone leaves as before.
 */
@Configuration(proxyBeanMethods = false)
public class RedisFlushes {

    /** Flushes are forced after this many were held back, so a steady stream of commands is never delayed. */
    static final int MOST_HELD_FLUSHES = 64;

    @Bean
    ClientResourcesBuilderCustomizer consolidatedRedisFlushes() {
        return builder -> builder.nettyCustomizer(new NettyCustomizer() {
            @Override
            public void afterChannelInitialized(Channel channel) {
                channel.pipeline().addFirst(new FlushConsolidationHandler(MOST_HELD_FLUSHES, true));
            }
        });
    }
}
