package routes.channel;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.apache.camel.AsyncCallback;
import org.apache.camel.AsyncProcessor;
import org.apache.camel.Exchange;
import org.apache.camel.support.AsyncProcessorSupport;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.data.redis.core.script.DefaultRedisScript;
import org.springframework.stereotype.Component;

/**
 * Cluster-wide rate limits in Redis: every instance counts against the same window, so two instances together
 * still send at most the platform's limit.
 *
 * <p>Each limit is a fixed window: the first call opens a counter that expires after the window; calls past the
 * permitted number wait (without holding a thread) until it expires. Camel's throttle EIP counts per instance,
 * which is not enough once several instances share one bot.
 */
@Component
public class RedisRateLimiter implements DisposableBean {

    private static final DefaultRedisScript<Long> ACQUIRE = new DefaultRedisScript<>("""
            local count = redis.call('INCR', KEYS[1])
            if count == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
            if count > tonumber(ARGV[2]) then
              local ttl = redis.call('PTTL', KEYS[1])
              if ttl < 0 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) ttl = tonumber(ARGV[1]) end
              return ttl
            end
            return 0
            """, Long.class);

    private final StringRedisTemplate redis;
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "caravan-rate-limit");
        t.setDaemon(true);
        return t;
    });

    public RedisRateLimiter(StringRedisTemplate redis) {
        this.redis = redis;
    }

    /** One limit: at most {@code permits} calls per {@code window} for each key the function gives. */
    public record Limit(String name, Function<Exchange, String> key, int permits, Duration window) {
    }

    /** One permit to take now: a limit with its key already known. */
    public record Permit(String name, String key, int permits, Duration window) {
    }

    /**
     * Takes a permit of every limit without waiting, for calls that are skipped rather than delayed (draft
     * edits). Stops at the first limit that says wait; permits taken before it stay spent, as in {@link #throttle}.
     *
     * @return true when every limit granted its permit
     */
    public boolean tryAcquireNow(List<Permit> permits) {
        for (Permit p : permits) {
            if (tryAcquire(p.name(), p.key(), p.permits(), p.window()) > 0) {
                return false;
            }
        }
        return true;
    }

    /**
     * Takes a permit for {@code key}.
     *
     * @return 0 when granted, else the milliseconds until the window reopens
     */
    public long tryAcquire(String name, String key, int permits, Duration window) {
        Long wait = redis.execute(ACQUIRE, List.of("caravan:rate:" + name + ":" + key),
                String.valueOf(window.toMillis()), String.valueOf(permits));
        return wait == null ? 0 : wait;
    }

    /** Forgets the count of {@code key} under limit {@code name}. */
    public void reset(String name, String key) {
        redis.delete("caravan:rate:" + name + ":" + key);
    }

    /** A processor that lets an exchange through once every limit grants a permit, waiting asynchronously. */
    public AsyncProcessor throttle(Limit... limits) {
        return new AsyncProcessorSupport() {
            @Override
            public boolean process(Exchange exchange, AsyncCallback callback) {
                long wait;
                try {
                    wait = acquireAll(exchange, limits);
                } catch (RuntimeException e) {
                    exchange.setException(e);
                    callback.done(true);
                    return true;
                }
                if (wait == 0) {
                    callback.done(true);
                    return true;
                }
                retryLater(exchange, callback, wait, limits);
                return false;
            }
        };
    }

    private void retryLater(Exchange exchange, AsyncCallback callback, long waitMs, Limit[] limits) {
        timer.schedule(() -> {
            try {
                long wait = acquireAll(exchange, limits);
                if (wait == 0) {
                    callback.done(false);
                } else {
                    retryLater(exchange, callback, wait, limits);
                }
            } catch (RuntimeException e) {
                exchange.setException(e);
                callback.done(false);
            }
        }, Math.max(1, waitMs), TimeUnit.MILLISECONDS);
    }

    private long acquireAll(Exchange exchange, Limit[] limits) {
        for (Limit limit : limits) {
            long wait = tryAcquire(limit.name(), limit.key().apply(exchange), limit.permits(), limit.window());
            if (wait > 0) {
                return wait;
            }
        }
        return 0;
    }

    @Override
    public void destroy() {
        timer.shutdownNow();
    }
}
