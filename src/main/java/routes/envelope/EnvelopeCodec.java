package routes.envelope;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import java.io.IOException;

/**
 * Reads and writes {@link Envelope}s as JSON.
 *
 * <p>Thread-safe. Input is untrusted (it may come from an older or newer producer, or be a poison record), so
 * nesting depth and sizes are bounded, and anything unreadable is an {@link EnvelopeException} naming why.
 */
public final class EnvelopeCodec {

    /** Deepest JSON nesting accepted in a record; deeper is poison. */
    static final int MAX_NESTING = 64;

    private static final ObjectMapper MAPPER = new ObjectMapper()
            .registerModule(new JavaTimeModule())
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .disable(DeserializationFeature.ADJUST_DATES_TO_CONTEXT_TIME_ZONE);

    static {
        MAPPER.getFactory().setStreamReadConstraints(StreamReadConstraints.builder()
                .maxNestingDepth(MAX_NESTING)
                .build());
    }

    private EnvelopeCodec() {
    }

    public static byte[] encode(Envelope envelope) {
        try {
            return MAPPER.writeValueAsBytes(envelope);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("envelope cannot be written as JSON", e);
        }
    }

    public static String encodeToString(Envelope envelope) {
        try {
            return MAPPER.writeValueAsString(envelope);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("envelope cannot be written as JSON", e);
        }
    }

    /**
     * Reads an envelope of this version or one version back.
     *
     * @throws EnvelopeException when the bytes are not an envelope Caravan can process
     */
    public static Envelope decode(byte[] json) {
        if (json == null || json.length == 0) {
            throw new EnvelopeException("empty record");
        }
        Envelope envelope;
        try {
            envelope = MAPPER.readValue(json, Envelope.class);
        } catch (IOException e) {
            throw new EnvelopeException("not an envelope: " + firstLine(e.getMessage()));
        }
        if (envelope == null) {
            throw new EnvelopeException("not an envelope: null");
        }
        if (envelope.v() > Envelope.VERSION || envelope.v() < Envelope.VERSION - 1) {
            throw new EnvelopeException("unsupported envelope version " + envelope.v());
        }
        if (isBlank(envelope.id()) || isBlank(envelope.channel()) || isBlank(envelope.chatId())) {
            throw new EnvelopeException("envelope lacks id, channel or chatId");
        }
        return envelope;
    }

    /** The shared mapper, configured for envelopes (ISO instants, unknown fields tolerated). */
    public static ObjectMapper mapper() {
        return MAPPER;
    }

    private static boolean isBlank(String s) {
        return s == null || s.isBlank();
    }

    private static String firstLine(String message) {
        if (message == null) {
            return "unreadable JSON";
        }
        int nl = message.indexOf('\n');
        String line = nl < 0 ? message : message.substring(0, nl);
        return line.length() > 200 ? line.substring(0, 200) : line;
    }
}
