package routes.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.security.SecureRandom;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.util.unit.DataSize;
import routes.envelope.Turn;
import routes.security.DataCipher;
import routes.security.EncryptionKeys;
import routes.support.CaravanIntegrationTest;

/** Conversation histories in the real Redis: what is read back, and how often entries are decrypted to read it. */
class SessionStoreTest extends CaravanIntegrationTest {

    @Autowired
    private StringRedisTemplate redis;

    private final byte[] key = randomKey();

    @Test
    void aConversationsNextMessageDecryptsOnlyTheEntriesItHasNotSeen() {
        String chat = chat();
        CountingCipher writerCipher = cipher();
        SessionStore writer = new SessionStore(redis, new SessionProperties(), writerCipher);
        CountingCipher readerCipher = cipher();
        SessionStore reader = new SessionStore(redis, new SessionProperties(), readerCipher);

        writer.append("rest", chat, "u", List.of(), Turn.user("q1", "m1"), Turn.assistant("a1", null));
        writer.append("rest", chat, "u", List.of(), Turn.user("q2", "m2"), Turn.assistant("a2", null));

        // another instance reads the history: it decrypts every entry once, then none of them again
        assertThat(reader.history("rest", chat)).extracting(Turn::text).containsExactly("q1", "a1", "q2", "a2");
        assertThat(readerCipher.opened.get()).isEqualTo(4);
        assertThat(reader.history("rest", chat)).extracting(Turn::text).containsExactly("q1", "a1", "q2", "a2");
        assertThat(readerCipher.opened.get()).isEqualTo(4);

        // the instance that wrote the entries never decrypts them
        assertThat(writer.history("rest", chat)).hasSize(4);
        assertThat(writerCipher.opened.get()).isZero();

        // new entries from elsewhere are decrypted once each; trimmed ones are gone from what is read
        var properties = new SessionProperties();
        properties.setMaxTurns(2);
        new SessionStore(redis, properties, cipher()).append("rest", chat, "u", List.of(),
                Turn.user("q3", "m3"), Turn.assistant("a3", null));
        assertThat(reader.history("rest", chat)).extracting(Turn::text).containsExactly("q2", "a2", "q3", "a3");
        assertThat(readerCipher.opened.get()).isEqualTo(6);
    }

    @Test
    void aCachedEntryCopiedIntoAnotherConversationStillFailsToDecryptThere() {
        String chat = chat();
        String other = chat();
        SessionStore store = new SessionStore(redis, new SessionProperties(), cipher());
        store.append("rest", chat, "u", List.of(), Turn.user("mine", "m1"), Turn.assistant("reply", null));
        assertThat(store.history("rest", chat)).hasSize(2);

        String sealed = redis.opsForList().index("caravan:session:rest:" + chat, 0);
        redis.opsForList().rightPush("caravan:session:rest:" + other, sealed);

        assertThat(store.history("rest", other)).isEmpty();
    }

    @Test
    void aClearedConversationIsReadAsEmptyAndItsEntriesAreNoLongerCached() {
        String chat = chat();
        CountingCipher counting = cipher();
        SessionStore store = new SessionStore(redis, new SessionProperties(), counting);
        store.append("rest", chat, "u", List.of(), Turn.user("secret", "m1"), Turn.assistant("noted", null));
        List<String> sealed = redis.opsForList().range("caravan:session:rest:" + chat, 0, -1);
        assertThat(store.history("rest", chat)).hasSize(2);
        assertThat(counting.opened.get()).isZero();

        assertThat(store.clear("rest", chat)).isTrue();
        assertThat(store.history("rest", chat)).isEmpty();

        // the same ciphertexts written back (as a Redis restore would) are decrypted again, not served from memory
        redis.opsForList().rightPushAll("caravan:session:rest:" + chat, sealed);
        assertThat(store.history("rest", chat)).extracting(Turn::text).containsExactly("secret", "noted");
        assertThat(counting.opened.get()).isEqualTo(2);
    }

    @Test
    void withTheCacheOffEveryReadDecryptsEveryEntry() {
        String chat = chat();
        var properties = new SessionProperties();
        properties.setCacheSize(DataSize.ofBytes(0));
        CountingCipher counting = cipher();
        SessionStore store = new SessionStore(redis, properties, counting);
        store.append("rest", chat, "u", List.of(), Turn.user("q", "m1"), Turn.assistant("a", null));

        store.history("rest", chat);
        store.history("rest", chat);

        assertThat(counting.opened.get()).isEqualTo(4);
    }

    // ------------------------------------------------------------------ helpers

    private CountingCipher cipher() {
        return new CountingCipher(new EncryptionKeys("k1", Map.of("k1", key)));
    }

    /** A real cipher that counts what it decrypts. */
    private static final class CountingCipher extends DataCipher {
        final AtomicInteger opened = new AtomicInteger();

        CountingCipher(EncryptionKeys keys) {
            super(keys, new SimpleMeterRegistry());
        }

        @Override
        public String open(String sealed, String context) {
            opened.incrementAndGet();
            return super.open(sealed, context);
        }
    }

    private static String chat() {
        return "session-store-" + UUID.randomUUID();
    }

    private static byte[] randomKey() {
        byte[] bytes = new byte[32];
        new SecureRandom().nextBytes(bytes);
        return bytes;
    }
}
