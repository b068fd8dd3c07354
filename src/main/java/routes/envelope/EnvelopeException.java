package routes.envelope;

/** A record that is not an envelope Caravan can process; its message is the reason written to the DLQ. */
public class EnvelopeException extends RuntimeException {

    public EnvelopeException(String reason) {
        super(reason);
    }
}
