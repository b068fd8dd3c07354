package routes.channel.whatsapp;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.data.redis.core.script.DefaultRedisScript;

/**
 * WhatsApp's customer-service window: free-form replies are allowed only within 24 hours of the person's last
 * message. The time of each person's newest message is kept in Redis (shared by every instance), per business
 * number and person, and expires once it can no longer open a window.
 */
public class ServiceWindow {

    /** Keeps the newer of the stored and the given time, with an expiry measured from the time kept. */
    private static final DefaultRedisScript<Long> KEEP_NEWEST = new DefaultRedisScript<>("""
            local current = redis.call('GET', KEYS[1])
            if current and tonumber(current) >= tonumber(ARGV[1]) then return 0 end
            redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
            return 1
            """, Long.class);

    private final StringRedisTemplate redis;
    private final Duration window;
    private final Clock clock;

    public ServiceWindow(StringRedisTemplate redis, Duration window, Clock clock) {
        this.redis = redis;
        this.window = window;
        this.clock = clock;
    }

    /** The Redis key holding the time (epoch milliseconds) of {@code person}'s newest message to {@code number}. */
    public static String key(String businessNumberId, String person) {
        return "caravan:whatsapp:last-inbound:" + (businessNumberId == null ? "" : businessNumberId) + ":" + person;
    }

    /** Records that {@code person} wrote to {@code number} at {@code sentAt}; an older time never replaces a newer. */
    public void inbound(String businessNumberId, String person, Instant sentAt) {
        long keepMs = sentAt.toEpochMilli() + window.toMillis() * 2 - clock.millis();
        if (keepMs <= 0) {
            return;
        }
        redis.execute(KEEP_NEWEST, List.of(key(businessNumberId, person)), String.valueOf(sentAt.toEpochMilli()),
                String.valueOf(keepMs));
    }

    /** Whether a free-form message to {@code person} from {@code number} is allowed now. */
    public boolean isOpen(String businessNumberId, String person) {
        String last = redis.opsForValue().get(key(businessNumberId, person));
        if (last == null) {
            return false;
        }
        try {
            return clock.millis() - Long.parseLong(last) < window.toMillis();
        } catch (NumberFormatException e) {
            return false;
        }
    }
}
