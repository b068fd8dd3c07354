package routes.model;

import java.time.Duration;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.data.redis.core.script.DefaultRedisScript;
import org.springframework.stereotype.Component;

/**
 * Model usage per sender and UTC day, in Redis: what {@code /usage} shows and what daily token budgets count.
 * Shared by every instance, so a budget holds however many instances answer one person.
 */
@Component
public class UsageStore {

    /** How long a day's counters are kept. */
    static final Duration KEEP = Duration.ofDays(35);

    private static final DefaultRedisScript<Long> ADD = new DefaultRedisScript<>("""
            redis.call('HINCRBY', KEYS[1], 'requests', 1)
            redis.call('HINCRBY', KEYS[1], 'input', ARGV[1])
            redis.call('HINCRBY', KEYS[1], 'output', ARGV[2])
            redis.call('PEXPIRE', KEYS[1], ARGV[3])
            return 1
            """, Long.class);

    /** One sender's use of one day. */
    public record Usage(long requests, long inputTokens, long outputTokens) {

        public long tokens() {
            return inputTokens + outputTokens;
        }
    }

    private final StringRedisTemplate redis;

    public UsageStore(StringRedisTemplate redis) {
        this.redis = redis;
    }

    /** Counts one answered request of {@code sender} today. */
    public void add(String channel, String sender, long inputTokens, long outputTokens) {
        redis.execute(ADD, List.of(key(channel, sender, today())), String.valueOf(inputTokens),
                String.valueOf(outputTokens), String.valueOf(KEEP.toMillis()));
    }

    /** What {@code sender} used today. */
    public Usage today(String channel, String sender) {
        Map<Object, Object> h = redis.opsForHash().entries(key(channel, sender, today()));
        return new Usage(number(h.get("requests")), number(h.get("input")), number(h.get("output")));
    }

    /** Erases every day's counters of {@code sender}; returns how many days were counted. */
    public long forget(String channel, String sender) {
        var options = org.springframework.data.redis.core.ScanOptions.scanOptions()
                .match("caravan:usage:" + glob(channel) + ":" + glob(sender) + ":*").count(500).build();
        List<String> keys = new java.util.ArrayList<>();
        try (var cursor = redis.scan(options)) {
            cursor.forEachRemaining(keys::add);
        }
        if (keys.isEmpty()) {
            return 0;
        }
        Long deleted = redis.delete(keys);
        return deleted == null ? 0 : deleted;
    }

    private static String glob(String literal) {
        return literal.replaceAll("([*?\\[\\]\\\\])", "\\\\$1");
    }

    static LocalDate today() {
        return LocalDate.now(ZoneOffset.UTC);
    }

    private static String key(String channel, String sender, LocalDate day) {
        return "caravan:usage:" + channel + ":" + sender + ":" + day;
    }

    private static long number(Object value) {
        return value == null ? 0 : Long.parseLong(value.toString());
    }
}
