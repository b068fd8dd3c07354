package routes.channel;

import java.time.Duration;

/**
 * A platform API refused or failed a call. Retriable when the platform asked to slow down (429) or failed on its
 * side (5xx, timeouts); then {@link #retryAfter()} is the wait the platform asked for, when it said.
 */
public class PlatformException extends RuntimeException {

    private final int status;
    private final Duration retryAfter;

    public PlatformException(String channel, int status, String detail, Duration retryAfter) {
        super(channel + " API answered " + status + (detail == null || detail.isBlank() ? "" : ": " + trim(detail)));
        this.status = status;
        this.retryAfter = retryAfter;
    }

    public int status() {
        return status;
    }

    public Duration retryAfter() {
        return retryAfter;
    }

    /** Worth trying again: rate limited, the platform's own failure, or no answer at all (status 0). */
    public boolean retriable() {
        return status == 429 || status >= 500 || status == 0 || status == 408;
    }

    private static String trim(String s) {
        return s.length() > 300 ? s.substring(0, 300) + "…" : s;
    }
}
