package routes.channel.telegram;

/** A webhook request refused for what it is (bad secret, not an update): answered 4xx, never retried by us. */
public class TelegramWebhookException extends RuntimeException {

    private final int status;
    private final String code;

    public TelegramWebhookException(int status, String code, String message) {
        super(message, null, false, false);
        this.status = status;
        this.code = code;
    }

    /** The HTTP status to answer. */
    public int status() {
        return status;
    }

    /** The machine-readable error code of the JSON body. */
    public String code() {
        return code;
    }
}
