package routes.model;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.data.redis.core.script.DefaultRedisScript;
import org.springframework.stereotype.Component;
import routes.envelope.Turn;
import routes.pipeline.SessionProperties;
import routes.security.DataCipher;

/**
 * Answers kept in Redis for profiles that opt in ({@code caravan.models.profiles.<name>.cache: true}): the same
 * profile asked the same conversation (history and new message, exactly) gets the same answer without a model call.
 *
 * <p>The entry's name is a keyed hash of the conversation and its answer is encrypted ({@link DataCipher}), so
 * neither tells what was said. Every chat that wrote or used an entry lists it in its own set
 * ({@code caravan:cache-index:<channel>:<chatId>}), so the entries of a conversation can be erased with it. An
 * entry lives the profile's {@code cache-ttl}, or the channel's shorter {@code caravan.session.retention}.
 */
@Component
public class ResponseCache {

    private static final String INDEX = "caravan:cache-index:";

    // lists an entry under a chat; the set lives as long as its longest-lived entry
    private static final DefaultRedisScript<Long> INDEX_ENTRY = new DefaultRedisScript<>("""
            redis.call('SADD', KEYS[1], ARGV[1])
            if redis.call('PTTL', KEYS[1]) < tonumber(ARGV[2]) then redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
            return 1
            """, Long.class);

    private final StringRedisTemplate redis;
    private final DataCipher cipher;
    private final SessionProperties sessions;

    public ResponseCache(StringRedisTemplate redis, DataCipher cipher, SessionProperties sessions) {
        this.redis = redis;
        this.cipher = cipher;
        this.sessions = sessions;
    }

    /**
     * The cached answer of {@code profile} to {@code turns}, or null. A hit is listed under the asking chat too.
     *
     * @param ttl the profile's cache TTL (bounds how long the chat's listing must last)
     */
    public String get(String channel, String chatId, String profile, List<Turn> turns, Duration ttl) {
        String key = key(profile, turns);
        String answer = cipher.open(redis.opsForValue().get(key), key);
        if (answer != null) {
            index(channel, chatId, key, sessions.capped(channel, ttl));
        }
        return answer;
    }

    /** Keeps {@code answer} of {@code profile} to {@code turns}, asked in chat {@code chatId}, for {@code ttl}. */
    public void put(String channel, String chatId, String profile, List<Turn> turns, String answer, Duration ttl) {
        String key = key(profile, turns);
        Duration kept = sessions.capped(channel, ttl);
        redis.opsForValue().set(key, cipher.seal(answer, key), kept);
        index(channel, chatId, key, kept);
    }

    /** Erases the entries a chat wrote or used; returns how many were still there. */
    public long forget(String channel, String chatId) {
        String index = INDEX + channel + ":" + chatId;
        Set<String> keys = redis.opsForSet().members(index);
        long removed = 0;
        if (keys != null && !keys.isEmpty()) {
            Long deleted = redis.delete(keys);
            removed = deleted == null ? 0 : deleted;
        }
        redis.delete(index);
        return removed;
    }

    private void index(String channel, String chatId, String key, Duration ttl) {
        redis.execute(INDEX_ENTRY, List.of(INDEX + channel + ":" + chatId), key, String.valueOf(ttl.toMillis()));
    }

    String key(String profile, List<Turn> turns) {
        List<String> parts = new ArrayList<>(2 * turns.size());
        for (Turn turn : turns) {
            parts.add(String.valueOf(turn.role()));
            parts.add(String.valueOf(turn.text()));
        }
        return "caravan:cache:" + profile + ":" + cipher.keyedName(parts);
    }
}
