package routes.channel.slack;

/**
 * A Slack webhook call refused: bad or missing signature (401), a body that is not a Slack event (400), a content
 * type other than JSON (415). {@link SlackWebhookErrors} turns it into the JSON error answer.
 */
public class SlackWebhookException extends RuntimeException {

    private final int status;
    private final String code;

    public SlackWebhookException(int status, String code, String message) {
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
