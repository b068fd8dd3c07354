package routes.channel.whatsapp;

import java.time.Duration;
import routes.channel.PlatformException;

/** The Graph API refused or failed a call and said why with an error code (e.g. 131047: the window is closed). */
public class GraphApiException extends PlatformException {

    /** Graph API error code: re-engagement message, the 24-hour window is closed. */
    public static final int WINDOW_CLOSED = 131047;

    private final int errorCode;

    public GraphApiException(int status, int errorCode, String detail, Duration retryAfter) {
        super(WhatsAppConstants.CHANNEL, status, detail, retryAfter);
        this.errorCode = errorCode;
    }

    /** The Graph API's {@code error.code}. */
    public int errorCode() {
        return errorCode;
    }
}
