package routes.channel.web;

import java.nio.charset.StandardCharsets;
import org.springframework.stereotype.Component;

/** Checks of client input shared by the web interfaces; each failure names a stable error code. */
@Component
public class InputLimits {

    /** Longest chat id or message id accepted. */
    static final int MAX_ID_LENGTH = 200;

    private final long maxTextBytes;

    public InputLimits(LimitsProperties properties) {
        this.maxTextBytes = properties.getMaxText().toBytes();
    }

    /** A rejected input: {@code status} is the HTTP status to answer with. */
    public static final class Rejected extends RuntimeException {
        private final int status;
        private final String code;

        Rejected(int status, String code, String message) {
            super(message);
            this.status = status;
            this.code = code;
        }

        public int status() { return status; }
        public String code() { return code; }
    }

    /** The text, checked: present, not blank, at most {@code caravan.limits.max-text} bytes. */
    String text(String text) {
        if (text == null || text.isBlank()) {
            throw new Rejected(400, "missing_text", "the message has no text");
        }
        long bytes = text.getBytes(StandardCharsets.UTF_8).length;
        if (bytes > maxTextBytes) {
            throw new Rejected(413, "text_too_large",
                    "the text has " + bytes + " bytes; at most " + maxTextBytes + " are accepted");
        }
        return text;
    }

    /** An optional id (chat or message id): null stays null; otherwise bounded and free of control characters. */
    String optionalId(String value, String field) {
        if (value == null) {
            return null;
        }
        if (value.isBlank() || value.length() > MAX_ID_LENGTH || value.chars().anyMatch(Character::isISOControl)) {
            throw new Rejected(400, "invalid_" + field,
                    field + " must be 1 to " + MAX_ID_LENGTH + " characters without control characters");
        }
        return value;
    }

    long maxTextBytes() {
        return maxTextBytes;
    }
}
