package routes.envelope;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;

/**
 * Any bytes on an inbound topic: the codec decodes them or refuses them with {@link EnvelopeException}, never
 * anything else; what it decodes encodes and decodes again to the same envelope. A normal build replays the stored
 * inputs in {@code EnvelopeCodecFuzzTestInputs}; {@code JAZZER_FUZZ=1} fuzzes.
 */
class EnvelopeCodecFuzzTest {

    @FuzzTest(maxDuration = "60s")
    void decodesOrRefusesCleanly(byte[] bytes) {
        Envelope decoded;
        try {
            decoded = EnvelopeCodec.decode(bytes);
        } catch (EnvelopeException refused) {
            return;
        }
        assertThat(EnvelopeCodec.decode(EnvelopeCodec.encode(decoded))).isEqualTo(decoded);
    }
}
