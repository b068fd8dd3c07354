package routes.channel;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class SignaturesTest {

    @Test
    void hmacMatchesTheKnownVector() {
        // RFC 4231 test case 2
        assertThat(Signatures.hmacSha256Hex("Jefe", "what do ya want for nothing?".getBytes(StandardCharsets.UTF_8)))
                .isEqualTo("5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
    }

    @Test
    void sha256MatchesTheKnownVector() {
        assertThat(Signatures.sha256Hex("abc".getBytes(StandardCharsets.UTF_8)))
                .isEqualTo("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    }

    @Test
    void constantTimeEqualsComparesWholeValues() {
        assertThat(Signatures.constantTimeEquals("v0=abc", "v0=abc")).isTrue();
        assertThat(Signatures.constantTimeEquals("v0=abc", "v0=abd")).isFalse();
        assertThat(Signatures.constantTimeEquals("v0=abc", "v0=ab")).isFalse();
        assertThat(Signatures.constantTimeEquals(null, "x")).isFalse();
        assertThat(Signatures.constantTimeEquals("x", null)).isFalse();
    }

    @Test
    void concatJoinsInOrder() {
        assertThat(Signatures.concat("v0:".getBytes(StandardCharsets.UTF_8), "1:".getBytes(StandardCharsets.UTF_8),
                "{}".getBytes(StandardCharsets.UTF_8))).isEqualTo("v0:1:{}".getBytes(StandardCharsets.UTF_8));
    }
}
