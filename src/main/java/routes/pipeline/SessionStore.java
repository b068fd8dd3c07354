package routes.pipeline;

import com.fasterxml.jackson.core.JsonProcessingException;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.data.redis.core.script.DefaultRedisScript;
import org.springframework.stereotype.Component;
import routes.envelope.EnvelopeCodec;
import routes.envelope.Turn;
import routes.security.DataCipher;

/**
 * The last turns of each conversation, in a Redis list per {@code channel:chatId}, each entry encrypted
 * ({@link DataCipher}). The list lives {@code caravan.session.ttl} after its last message, or the channel's
 * {@code caravan.session.retention.<channel>}.
 *
 * <p>Entries carry the id of the message they came from, so appending the same turn twice (a redelivered message
 * whose first run stored its turn before the crash) is recognised and skipped.
 *
 * <p>Each append also lists the chat under its sender ({@code caravan:user-chats:<channel>:<senderId>}, a set that
 * expires with the history), so everything of one sender can be found and erased.
 */
@Component
public class SessionStore {

    private static final String PREFIX = "caravan:session:";
    private static final String USER_CHATS = "caravan:user-chats:";

    /*
     * One append in one round trip. KEYS[1] the history, KEYS[2] (optional) the sender's chat index. ARGV[1] the TTL
     * in ms, ARGV[2] how many entries to keep, ARGV[3] "1" to replace the history (its entries were written with a
     * retired key) rather than append to it, ARGV[4] the chat id for the index, the rest the entries to push.
     */
    private static final DefaultRedisScript<Long> APPEND = new DefaultRedisScript<>("""
            if ARGV[3] == '1' then redis.call('DEL', KEYS[1]) end
            for i = 5, #ARGV do redis.call('RPUSH', KEYS[1], ARGV[i]) end
            redis.call('LTRIM', KEYS[1], -tonumber(ARGV[2]), -1)
            redis.call('PEXPIRE', KEYS[1], ARGV[1])
            if #KEYS > 1 then
              redis.call('SADD', KEYS[2], ARGV[4])
              redis.call('PEXPIRE', KEYS[2], ARGV[1])
            end
            return #ARGV - 4
            """, Long.class);

    private final StringRedisTemplate redis;
    private final SessionProperties properties;
    private final DataCipher cipher;

    public SessionStore(StringRedisTemplate redis, SessionProperties properties, DataCipher cipher) {
        this.redis = redis;
        this.properties = properties;
        this.cipher = cipher;
    }

    /** A loaded history that remembers whether some entries were written with a retired key. */
    private static final class Loaded extends ArrayList<Turn> {
        private boolean stale;

        Loaded(int size) {
            super(size);
        }
    }

    /** The stored turns of a conversation, oldest first; entries that cannot be read are left out. */
    public List<Turn> history(String channel, String chatId) {
        String key = key(channel, chatId);
        List<String> raw = redis.opsForList().range(key, 0, -1);
        Loaded turns = new Loaded(raw == null ? 0 : raw.size());
        if (raw != null) {
            for (String sealed : raw) {
                String json = cipher.open(sealed, key);
                if (json == null) {
                    continue;
                }
                turns.stale |= !cipher.isCurrent(sealed);
                try {
                    turns.add(EnvelopeCodec.mapper().readValue(json, Turn.class));
                } catch (JsonProcessingException e) {
                    // an unreadable entry is dropped rather than failing the conversation
                }
            }
        }
        return turns;
    }

    /**
     * Appends a user message and its reply, keeping the last {@code maxTurns} turns and renewing the TTL. When the
     * loaded history holds entries of a retired key, the whole history is written again with the current key.
     *
     * @param senderId who wrote the user message: the chat is listed under this sender
     * @param known    the history loaded for this message; used to skip an append that already happened
     */
    public void append(String channel, String chatId, String senderId, List<Turn> known, Turn user, Turn assistant) {
        if (user.id() != null && known.stream().anyMatch(t -> user.id().equals(t.id()))) {
            return;
        }
        String key = key(channel, chatId);
        long ttl = properties.ttlFor(channel).toMillis();
        int keep = 2 * properties.getMaxTurns();
        boolean rewrite = known instanceof Loaded loaded && loaded.stale;
        List<String> args = new ArrayList<>();
        args.add(String.valueOf(ttl));
        args.add(String.valueOf(keep));
        args.add(rewrite ? "1" : "0");
        args.add(chatId);
        if (rewrite) {
            // only the turns that stay beside the two new ones are sealed again with the current key
            int from = Math.min(known.size(), Math.max(0, known.size() + 2 - keep));
            for (Turn turn : known.subList(from, known.size())) {
                args.add(cipher.seal(json(turn), key));
            }
        }
        args.add(cipher.seal(json(user), key));
        args.add(cipher.seal(json(assistant), key));
        List<String> keys = senderId == null ? List.of(key) : List.of(key, USER_CHATS + channel + ":" + senderId);
        redis.execute(APPEND, keys, args.toArray());
    }

    /** Forgets a conversation; true when there was a history. */
    public boolean clear(String channel, String chatId) {
        return Boolean.TRUE.equals(redis.delete(key(channel, chatId)));
    }

    /** The chats in which {@code senderId} wrote, as far as their histories are kept. */
    public Set<String> chatsOf(String channel, String senderId) {
        Set<String> chats = redis.opsForSet().members(USER_CHATS + channel + ":" + senderId);
        return chats == null ? Set.of() : new LinkedHashSet<>(chats);
    }

    /** Forgets which chats {@code senderId} wrote in. */
    public void forgetChatsOf(String channel, String senderId) {
        redis.delete(USER_CHATS + channel + ":" + senderId);
    }

    private static String json(Turn turn) {
        try {
            return EnvelopeCodec.mapper().writeValueAsString(turn);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("turn cannot be written as JSON", e);
        }
    }

    private static String key(String channel, String chatId) {
        return PREFIX + channel + ":" + chatId;
    }
}
