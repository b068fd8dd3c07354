package routes.model;

import java.util.Arrays;
import java.util.List;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.stereotype.Component;

/**
 * Profiles switched by hand, without restart: for one conversation ({@code /model <profile>}) or for everyone
 * (admin API). Kept in Redis, so every instance sees a switch at once and it survives restarts.
 */
@Component
public class ProfileOverrides {

    static final String GLOBAL_KEY = "caravan:profile:global";
    static final String CHAT_PREFIX = "caravan:profile:chat:";

    private final StringRedisTemplate redis;

    public ProfileOverrides(StringRedisTemplate redis) {
        this.redis = redis;
    }

    /** The profile switched on for this conversation, else the one for everyone, else null. */
    public String effective(String channel, String chatId) {
        List<String> values = redis.opsForValue().multiGet(Arrays.asList(chatKey(channel, chatId), GLOBAL_KEY));
        if (values == null) {
            return null;
        }
        return values.get(0) != null ? values.get(0) : values.get(1);
    }

    public String forChat(String channel, String chatId) {
        return redis.opsForValue().get(chatKey(channel, chatId));
    }

    public String global() {
        return redis.opsForValue().get(GLOBAL_KEY);
    }

    /** Switches this conversation to {@code profile}; null switches it back to the routing rules. */
    public void setForChat(String channel, String chatId, String profile) {
        if (profile == null) {
            redis.delete(chatKey(channel, chatId));
        } else {
            redis.opsForValue().set(chatKey(channel, chatId), profile);
        }
    }

    /** Drops the switch of one conversation; true when there was one. */
    public boolean forgetChat(String channel, String chatId) {
        return Boolean.TRUE.equals(redis.delete(chatKey(channel, chatId)));
    }

    /** Switches everyone to {@code profile}; null switches back to the routing rules. */
    public void setGlobal(String profile) {
        if (profile == null) {
            redis.delete(GLOBAL_KEY);
        } else {
            redis.opsForValue().set(GLOBAL_KEY, profile);
        }
    }

    private static String chatKey(String channel, String chatId) {
        return CHAT_PREFIX + channel + ":" + chatId;
    }
}
