package routes.model;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.stereotype.Component;
import routes.envelope.Turn;

/**
 * Answers kept in Redis for profiles that opt in ({@code caravan.models.profiles.<name>.cache: true}): the same
 * profile asked the same conversation (history and new message, exactly) gets the same answer without a model call.
 */
@Component
public class ResponseCache {

    private final StringRedisTemplate redis;

    public ResponseCache(StringRedisTemplate redis) {
        this.redis = redis;
    }

    /** The cached answer of {@code profile} to {@code turns}, or null. */
    public String get(String profile, List<Turn> turns) {
        return redis.opsForValue().get(key(profile, turns));
    }

    /** Keeps {@code answer} for {@code ttl}. */
    public void put(String profile, List<Turn> turns, String answer, Duration ttl) {
        redis.opsForValue().set(key(profile, turns), answer, ttl);
    }

    static String key(String profile, List<Turn> turns) {
        try {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            for (Turn turn : turns) {
                digest.update(String.valueOf(turn.role()).getBytes(StandardCharsets.UTF_8));
                digest.update((byte) 0);
                digest.update(String.valueOf(turn.text()).getBytes(StandardCharsets.UTF_8));
                digest.update((byte) 0);
            }
            return "caravan:cache:" + profile + ":" + HexFormat.of().formatHex(digest.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
