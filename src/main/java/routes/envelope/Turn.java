package routes.envelope;

/**
 * One message of a conversation as the model sees it.
 *
 * @param role system, user or assistant
 * @param text the message text
 * @param id   the envelope id it came from, when known (keeps history appends idempotent)
 */
public record Turn(String role, String text, String id) {

    public static Turn user(String text, String id) {
        return new Turn("user", text, id);
    }

    public static Turn assistant(String text, String id) {
        return new Turn("assistant", text, id);
    }

    public static Turn system(String text) {
        return new Turn("system", text, null);
    }
}
