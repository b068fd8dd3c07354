package routes.model;

/** A model call that produced no reply; {@link #code()} says why in a word, the message says it to a person. */
public class ModelException extends RuntimeException {

    /** No provider of the profile can be called: nothing is configured. */
    public static final String NOT_CONFIGURED = "provider_not_configured";
    /** Every provider of the chain failed. */
    public static final String PROVIDER_ERROR = "provider_error";
    /** The chain took longer than allowed. */
    public static final String TIMEOUT = "provider_timeout";
    /** The message named a profile that does not exist. */
    public static final String UNKNOWN_PROFILE = "unknown_profile";

    private final String code;

    public ModelException(String code, String message, Throwable cause) {
        super(message, cause);
        this.code = code;
    }

    public String code() {
        return code;
    }
}
