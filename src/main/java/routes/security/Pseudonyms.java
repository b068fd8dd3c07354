package routes.security;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * Redis key names for bookkeeping that must outlive key rotation (dedupe marks, draft states): the SHA-256 of the
 * ids they are about, so the names carry no chat or sender id in the clear.
 */
public final class Pseudonyms {

    private Pseudonyms() {
    }

    /** The SHA-256 of {@code value} in hex. */
    public static String of(String value) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                    .digest(value.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is not available", e);
        }
    }
}
