package routes.channel.xmpp;

/** The XMPP session cannot send right now (not logged in, reconnecting, a room not entered): try again later. */
public class XmppUnavailableException extends RuntimeException {

    public XmppUnavailableException(String reason) {
        super(reason);
    }
}
