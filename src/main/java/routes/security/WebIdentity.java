package routes.security;

import java.security.Principal;
import routes.envelope.Envelope;

/**
 * Who a web message (WebSocket, REST, OpenAI-compatible API) is from. A caller that signed in with its own JWT is
 * that JWT's subject, whatever the request says, and its conversations live under its subject, so one user can
 * neither speak as another nor read another's history. A token holder (a trusted front end, or anyone on this
 * machine without authentication) names sender and chat itself. The caller's role travels with the message
 * ({@link #META_ROLE}) for tool permissions.
 */
public final class WebIdentity {

    /** Metadata key: the role the web caller authenticated with ({@code admin}, {@code dev}, {@code user}). */
    public static final String META_ROLE = "caravan.role";

    private WebIdentity() {
    }

    /** Applies the caller to a message being built: role, and for JWT callers sender and chat namespace. */
    public static Envelope.Builder apply(Envelope.Builder builder, Principal principal, String chatId,
            String senderId) {
        if (principal instanceof Caller caller) {
            builder.meta(META_ROLE, caller.role().id());
        }
        return builder.chatId(chat(principal, chatId)).senderId(sender(principal, senderId));
    }

    /** The conversation id the caller means by {@code chatId}: under its subject for a JWT caller. */
    public static String chat(Principal principal, String chatId) {
        String prefix = jwtSubject(principal) == null ? "" : jwtSubject(principal) + ":";
        return chatId.startsWith(prefix) ? chatId : prefix + chatId;
    }

    /** The sender: a JWT caller's subject, else what the request says. */
    public static String sender(Principal principal, String senderId) {
        String subject = jwtSubject(principal);
        return subject != null ? subject : senderId;
    }

    private static String jwtSubject(Principal principal) {
        return principal instanceof Caller caller && caller.method() == Caller.Method.JWT ? caller.getName() : null;
    }
}
