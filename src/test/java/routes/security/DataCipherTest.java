package routes.security;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** AES-256-GCM of stored values: round trip, key rotation, and values that must not decrypt. */
class DataCipherTest {

    private static final String CONTEXT = "caravan:session:rest:c1";

    private final SimpleMeterRegistry meters = new SimpleMeterRegistry();

    private static byte[] key() {
        byte[] key = new byte[32];
        new SecureRandom().nextBytes(key);
        return key;
    }

    private DataCipher cipher(String currentId, byte[] current, Map<String, byte[]> previous) {
        Map<String, byte[]> keys = new java.util.LinkedHashMap<>(previous);
        keys.put(currentId, current);
        return new DataCipher(new EncryptionKeys(currentId, keys), meters);
    }

    private double failures() {
        return meters.find("caravan.encryption.failures").counters().stream().mapToDouble(c -> c.count()).sum();
    }

    @Test
    void aSealedValueHidesItsTextAndOpensAgain() {
        DataCipher cipher = cipher("k1", key(), Map.of());
        String sealed = cipher.seal("meet me at the old mill", CONTEXT);
        assertThat(sealed).startsWith("c1:k1:").doesNotContain("mill");
        assertThat(cipher.open(sealed, CONTEXT)).isEqualTo("meet me at the old mill");
        assertThat(cipher.isCurrent(sealed)).isTrue();
        // a fresh IV each time: the same text never seals to the same value
        assertThat(cipher.seal("meet me at the old mill", CONTEXT)).isNotEqualTo(sealed);
        assertThat(failures()).isZero();
    }

    @Test
    void aValueOfTheOldKeyIsReadAfterRotation() {
        byte[] old = key();
        String sealedBefore = cipher("k1", old, Map.of()).seal("written before the rotation", CONTEXT);
        DataCipher rotated = cipher("k2", key(), Map.of("k1", old));
        assertThat(rotated.open(sealedBefore, CONTEXT)).isEqualTo("written before the rotation");
        assertThat(rotated.isCurrent(sealedBefore)).isFalse();
        String sealedAfter = rotated.seal("written after", CONTEXT);
        assertThat(sealedAfter).startsWith("c1:k2:");
        assertThat(rotated.isCurrent(sealedAfter)).isTrue();
        assertThat(failures()).isZero();
    }

    @Test
    void aValueOfARetiredKeyThatIsNoLongerListedReadsAsMissing() {
        String sealed = cipher("k1", key(), Map.of()).seal("old secret", CONTEXT);
        DataCipher rotated = cipher("k2", key(), Map.of());
        assertThat(rotated.open(sealed, CONTEXT)).isNull();
        assertThat(meters.get("caravan.encryption.failures").tag("reason", "unknown_key").counter().count())
                .isEqualTo(1);
    }

    @Test
    void tamperedCiphertextIsRejected() {
        DataCipher cipher = cipher("k1", key(), Map.of());
        String sealed = cipher.seal("transfer 10 coins", CONTEXT);
        String prefix = "c1:k1:";
        byte[] body = Base64.getDecoder().decode(sealed.substring(prefix.length()));
        body[body.length / 2] ^= 1;
        String tampered = prefix + Base64.getEncoder().withoutPadding().encodeToString(body);
        assertThat(cipher.open(tampered, CONTEXT)).isNull();
        assertThat(meters.get("caravan.encryption.failures").tag("reason", "unreadable").counter().count())
                .isEqualTo(1);
    }

    @Test
    void aValueMovedToAnotherKeyOrWrittenWithAnotherKeyUnderTheSameIdDoesNotOpen() {
        DataCipher cipher = cipher("k1", key(), Map.of());
        String sealed = cipher.seal("only for chat c1", CONTEXT);
        assertThat(cipher.open(sealed, "caravan:session:rest:c2")).isNull();
        DataCipher other = cipher("k1", key(), Map.of());
        assertThat(other.open(sealed, CONTEXT)).isNull();
        assertThat(failures()).isEqualTo(2);
    }

    @Test
    void plaintextAndGarbageReadAsMissingWithoutThrowing() {
        DataCipher cipher = cipher("k1", key(), Map.of());
        assertThat(cipher.open("{\"role\":\"user\",\"text\":\"hi\"}", CONTEXT)).isNull();
        assertThat(cipher.open("c1:k1:%%%not-base64", CONTEXT)).isNull();
        assertThat(cipher.open("c1:k1:AAAA", CONTEXT)).isNull();
        assertThat(cipher.open("c1:k1", CONTEXT)).isNull();
        assertThat(cipher.open(null, CONTEXT)).isNull();
        assertThat(failures()).isEqualTo(4);
    }

    @Test
    void oneThreadAndManyThreadsGetTheSameResultsAfterFailuresAndWithEitherKey() throws Exception {
        byte[] old = key();
        String sealedWithOld = cipher("k1", old, Map.of()).seal("from before", CONTEXT);
        DataCipher cipher = cipher("k2", key(), Map.of("k1", old));
        String sealed = cipher.seal("ahoy", CONTEXT);
        String prefix = "c1:k2:";
        byte[] body = Base64.getDecoder().decode(sealed.substring(prefix.length()));
        body[body.length - 1] ^= 1;
        String tampered = prefix + Base64.getEncoder().withoutPadding().encodeToString(body);
        String name = cipher.keyedName(List.of("user", "u1"));
        // the thread's cipher fails on the tag, then opens with the old key, seals with the new, opens again
        assertThat(cipher.open(tampered, CONTEXT)).isNull();
        assertThat(cipher.open(sealedWithOld, CONTEXT)).isEqualTo("from before");
        assertThat(cipher.open(cipher.seal("second", CONTEXT), CONTEXT)).isEqualTo("second");
        assertThat(cipher.open(sealed, CONTEXT)).isEqualTo("ahoy");
        assertThat(cipher.keyedName(List.of("user", "u1"))).isEqualTo(name);
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(4);
        try {
            List<java.util.concurrent.Future<Boolean>> results = new java.util.ArrayList<>();
            for (int i = 0; i < 200; i++) {
                String text = "message " + i;
                results.add(pool.submit(() -> text.equals(cipher.open(cipher.seal(text, CONTEXT), CONTEXT))
                        && "ahoy".equals(cipher.open(sealed, CONTEXT))
                        && "from before".equals(cipher.open(sealedWithOld, CONTEXT))
                        && cipher.open(tampered, CONTEXT) == null
                        && name.equals(cipher.keyedName(List.of("user", "u1")))));
            }
            for (var result : results) {
                assertThat(result.get(30, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
            }
        } finally {
            pool.shutdownNow();
        }
        assertThat(failures()).isEqualTo(201);
    }

    @Test
    void keyedNamesAreStablePerKeyAndTellNothing() {
        byte[] k = key();
        DataCipher cipher = cipher("k1", k, Map.of());
        String name = cipher.keyedName(List.of("user", "my diagnosis"));
        assertThat(name).hasSize(64).doesNotContain("diagnosis");
        assertThat(cipher("k1", k, Map.of()).keyedName(List.of("user", "my diagnosis"))).isEqualTo(name);
        assertThat(cipher.keyedName(List.of("user", "my diagnosis!"))).isNotEqualTo(name);
        // parts are separated: ("ab","c") and ("a","bc") differ
        assertThat(cipher.keyedName(List.of("ab", "c"))).isNotEqualTo(cipher.keyedName(List.of("a", "bc")));
        assertThat(cipher("k1", key(), Map.of()).keyedName(List.of("user", "my diagnosis"))).isNotEqualTo(name);
    }

    @Test
    void textSurvivesTheRoundTripWhateverItsCharacters() {
        DataCipher cipher = cipher("k1", key(), Map.of());
        String text = "Grüße 👋 — 你好\n\"quoted\" \u0000 end";
        assertThat(cipher.open(cipher.seal(text, CONTEXT), CONTEXT)).isEqualTo(text);
        assertThat(cipher.open(cipher.seal("", CONTEXT), CONTEXT)).isEmpty();
    }
}
