package routes.envelope;

import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.UUID;

/** Ids for messages, traces and connections. */
public final class Ids {

    private static final SecureRandom RANDOM = new SecureRandom();

    private Ids() {
    }

    /** A new random message id. */
    public static String newId() {
        return UUID.randomUUID().toString();
    }

    /** A new trace id: 32 hex characters, the W3C trace-context form. */
    public static String newTraceId() {
        byte[] bytes = new byte[16];
        RANDOM.nextBytes(bytes);
        return HexFormat.of().formatHex(bytes);
    }

    /** The id of the reply to a message: deterministic, so a redelivered message's reply has the same id. */
    public static String replyId(String messageId) {
        return messageId + ":reply";
    }
}
