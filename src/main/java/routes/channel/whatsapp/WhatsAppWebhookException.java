package routes.channel.whatsapp;

/**
 * A WhatsApp webhook call refused: subscription check failed (403), bad or missing signature (401), a body that
 * is not a webhook payload (400) or not JSON (415). {@link WhatsAppWebhookErrors} turns it into the JSON answer.
 */
public class WhatsAppWebhookException extends RuntimeException {

    private final int status;
    private final String code;

    public WhatsAppWebhookException(int status, String code, String message) {
        super(message, null, false, false);
        this.status = status;
        this.code = code;
    }

    /** The HTTP status to answer with. */
    public int status() {
        return status;
    }

    /** A stable, machine-readable error code. */
    public String code() {
        return code;
    }
}
