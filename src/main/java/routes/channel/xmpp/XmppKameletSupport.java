package routes.channel.xmpp;

import java.time.Instant;
import java.util.Locale;
import java.util.Set;
import org.apache.camel.Exchange;
import org.apache.camel.component.xmpp.XmppMessage;
import org.jivesoftware.smack.packet.Message;
import routes.channel.GroupPolicy;
import routes.channel.TextChunker;
import routes.envelope.Envelope;
import routes.envelope.EnvelopeCodec;
import routes.envelope.EnvelopeException;
import routes.envelope.Ids;
import routes.envelope.Priority;

/**
 * The mapping steps of {@code kamelets/xmpp-source.kamelet.yaml} and {@code xmpp-sink.kamelet.yaml}, the same as
 * the gateway's own XMPP routes use ({@link XmppMessages}). Configured through the kamelets' properties (setters).
 */
public class XmppKameletSupport {

    /** Exchange property set by {@link #toEnvelope}: true when the body is an envelope to pass on. */
    public static final String PUBLISH = "CaravanXmppPublish";

    private String account = "";
    private String nickname = "";
    private String room = "";
    private GroupPolicy groupPolicy = GroupPolicy.MENTION;
    private long maxTextBytes = 32 * 1024;
    private int maxText = 3000;

    /** The account's bare JID (user@domain); its own messages are not answered. */
    public void setAccount(String v) {
        account = v == null ? "" : v.trim().toLowerCase(Locale.ROOT);
    }

    /** The nickname in the room, also what counts as a mention; empty = the account's local part. */
    public void setNickname(String v) {
        nickname = v == null ? "" : v.trim();
    }

    /** The room JID the source joined; empty = direct chats only. */
    public void setRoom(String v) {
        room = v == null ? "" : v.trim().toLowerCase(Locale.ROOT);
    }

    /** mention, always or never. */
    public void setGroupPolicy(String v) {
        groupPolicy = v == null || v.isBlank() ? GroupPolicy.MENTION
                : GroupPolicy.valueOf(v.trim().toUpperCase(Locale.ROOT));
    }

    public void setMaxTextBytes(long v) {
        maxTextBytes = v;
    }

    /** Longest piece of a reply the sink sends. */
    public void setMaxText(int v) {
        maxText = v;
    }

    /**
     * The incoming stanza becomes the envelope JSON, and {@link #PUBLISH} says whether it is to be answered (a
     * stanza without text, the bot's own room message, room history or a group message the policy skips is not).
     */
    public void toEnvelope(Exchange exchange) {
        Message stanza = exchange.getMessage() instanceof XmppMessage xmpp
                && xmpp.getXmppPacket() instanceof Message m ? m : null;
        var out = new org.apache.camel.support.DefaultMessage(exchange);
        exchange.setMessage(out);
        String nick = nickname.isEmpty() ? account.replaceFirst("@.*", "") : nickname;
        var outcome = XmppMessages.map(stanza, new XmppMessages.Account(account, nick,
                room.isEmpty() ? Set.of() : Set.of(room), groupPolicy, maxTextBytes));
        if (outcome instanceof XmppMessages.Publish publish) {
            Envelope draft = publish.envelope().build();
            out.setBody(EnvelopeCodec.encodeToString(draft.toBuilder()
                    .id(draft.id() != null ? draft.id() : Ids.newId())
                    .traceId(Ids.newTraceId())
                    .receivedAt(Instant.now())
                    .priority(Priority.REALTIME)
                    .build()));
            out.setHeader(Exchange.CONTENT_TYPE, "application/json");
            exchange.setProperty(PUBLISH, true);
        } else {
            exchange.setProperty(PUBLISH, false);
        }
    }

    /**
     * A reply envelope (JSON or object) in the body becomes the message stanzas to send, one per piece, for the
     * camel-xmpp endpoint that sends the stanzas it is given.
     *
     * @throws EnvelopeException when the chat id is not a bare JID
     */
    public void toStanzas(Exchange exchange) {
        var in = exchange.getMessage();
        Object body = in.getBody();
        Envelope reply = body instanceof Envelope e ? e : EnvelopeCodec.decode(in.getBody(byte[].class));
        try {
            in.setBody(TextChunker.split(reply.text(), maxText).stream()
                    .map(piece -> XmppMessages.reply(reply, piece)).toArray(Message[]::new));
        } catch (IllegalArgumentException e) {
            throw new EnvelopeException(e.getMessage());
        }
        in.removeHeaders("*");
    }
}
