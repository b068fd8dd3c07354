package routes.channel.xmpp;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Set;
import org.jivesoftware.smack.packet.Message;
import org.jivesoftware.smackx.delay.packet.DelayInformation;
import org.jxmpp.jid.Jid;
import org.jxmpp.jid.impl.JidCreate;
import org.jxmpp.stringprep.XmppStringprepException;
import routes.channel.GroupPolicy;
import routes.envelope.ChatType;
import routes.envelope.Envelope;

/**
 * Maps an incoming XMPP message stanza to an envelope, or says why it is not answered; builds the stanza of a
 * reply. Pure: no I/O, never throws on odd input.
 *
 * <ul>
 *   <li>A {@code chat} or {@code normal} message from a user is a direct chat; its chat id is the sender's bare
 *       JID, so every resource (phone, desktop) of one person is one conversation.</li>
 *   <li>A {@code groupchat} message from a configured room is a group chat; its chat id is the room's JID and the
 *       sender is the occupant's nickname. The bot's own messages (the room reflects every message to every
 *       occupant) and delayed messages (the history a room replays on join) are not answered.</li>
 *   <li>The envelope id is the stanza id (with the occupant's nick in rooms), so a message the server or client
 *       sends again gets one reply; a stanza without an id gets a hash of what it says.</li>
 * </ul>
 */
public final class XmppMessages {

    private XmppMessages() {
    }

    /** Who the bot is on the server, and what it answers. */
    public record Account(String jid, String nickname, Set<String> rooms, GroupPolicy policy, long maxTextBytes) {
    }

    /** What to do with a stanza. */
    public sealed interface Outcome permits Publish, Ignore {
    }

    /** Publish this message. */
    public record Publish(Envelope.Builder envelope) implements Outcome {
    }

    /** Drop the stanza without an answer, for this reason (no message text in it). */
    public record Ignore(String reason) implements Outcome {
    }

    /** Maps one incoming stanza. */
    public static Outcome map(Message message, Account account) {
        if (message == null || message.getFrom() == null) {
            return new Ignore("no sender");
        }
        Message.Type type = message.getType();
        if (type != Message.Type.chat && type != Message.Type.normal && type != Message.Type.groupchat) {
            return new Ignore("message type " + type + " is not answered");
        }
        String text = message.getBody();
        if (text == null || text.isBlank()) {
            return new Ignore("no text");
        }
        if (text.getBytes(StandardCharsets.UTF_8).length > account.maxTextBytes()) {
            return new Ignore("text longer than " + account.maxTextBytes() + " bytes");
        }
        Jid from = message.getFrom();
        String bare = from.asBareJid().toString().toLowerCase(Locale.ROOT);
        boolean fromRoom = account.rooms().contains(bare);
        if (type == Message.Type.groupchat) {
            if (!fromRoom) {
                return new Ignore("group chat message from a room that is not configured");
            }
            var nick = from.getResourceOrNull();
            if (nick == null) {
                return new Ignore("a message of the room itself");
            }
            String sender = nick.toString();
            if (sender.equals(account.nickname())) {
                return new Ignore("the bot's own message, reflected by the room");
            }
            if (DelayInformation.from(message) != null) {
                return new Ignore("room history");
            }
            boolean mentioned = mentions(text, account.nickname());
            if (!account.policy().answers(true, mentioned)) {
                return new Ignore("group policy " + account.policy().name().toLowerCase(Locale.ROOT)
                        + " does not answer it");
            }
            return new Publish(base(message, account, from, text)
                    .id(envelopeId(message, sender))
                    .chatId(bare)
                    .chatType(ChatType.GROUP)
                    .senderId(from.toString())
                    .senderName(sender)
                    .mentioned(mentioned));
        }
        if (fromRoom) {
            return new Ignore("a private message through a room");
        }
        if (bare.equals(account.jid())) {
            return new Ignore("a message from the bot's own account");
        }
        if (from.getLocalpartOrNull() == null) {
            return new Ignore("a message from a server or service");
        }
        return new Publish(base(message, account, from, text)
                .id(envelopeId(message, null))
                .chatId(bare)
                .chatType(ChatType.DIRECT)
                .senderId(bare)
                .senderName(from.getLocalpartOrNull().toString()));
    }

    private static Envelope.Builder base(Message message, Account account, Jid from, String text) {
        Envelope.Builder builder = Envelope.builder()
                .channel(XmppConstants.CHANNEL)
                .account(account.jid())
                .text(text)
                .meta(XmppConstants.META_FROM, from.toString());
        String stanzaId = message.getStanzaId();
        if (usableId(stanzaId)) {
            builder.replyTo(stanzaId).meta(XmppConstants.META_STANZA_ID, stanzaId);
        }
        return builder;
    }

    /**
     * The envelope id: the stanza id (prefixed by the occupant's nick in a room, where occupants' clients choose ids
     * independently), or a hash of the stanza's sender, text and time stamp when it has no usable id.
     */
    static String envelopeId(Message message, String nick) {
        String stanzaId = message.getStanzaId();
        if (usableId(stanzaId)) {
            return nick == null ? stanzaId : nick + "/" + stanzaId;
        }
        DelayInformation delay = DelayInformation.from(message);
        String material = message.getFrom() + "\n" + message.getType() + "\n" + message.getThread() + "\n"
                + (delay == null ? "" : delay.getStamp().getTime()) + "\n" + message.getBody();
        return "h-" + sha256(material).substring(0, 40);
    }

    /** Whether {@code text} names the bot: its nickname, any case, not inside a longer word. */
    static boolean mentions(String text, String nickname) {
        if (nickname == null || nickname.isEmpty()) {
            return false;
        }
        String haystack = text.toLowerCase(Locale.ROOT);
        String needle = nickname.toLowerCase(Locale.ROOT);
        for (int at = haystack.indexOf(needle); at >= 0; at = haystack.indexOf(needle, at + 1)) {
            int end = at + needle.length();
            boolean startsWord = at == 0 || !Character.isLetterOrDigit(haystack.charAt(at - 1));
            boolean endsWord = end == haystack.length() || !Character.isLetterOrDigit(haystack.charAt(end));
            if (startsWord && endsWord) {
                return true;
            }
        }
        return false;
    }

    /**
     * The stanza of one piece of a reply: a {@code groupchat} message to the room, or a {@code chat} message to the
     * person's bare JID (the server delivers it to their clients).
     *
     * @throws IllegalArgumentException when the chat id is not a bare JID
     */
    public static Message reply(Envelope reply, String text) {
        Message message = new Message();
        try {
            message.setTo(JidCreate.entityBareFrom(reply.chatId()));
        } catch (XmppStringprepException | RuntimeException e) {
            throw new IllegalArgumentException("an XMPP reply's chatId is not a bare JID");
        }
        message.setType(reply.chatType() == ChatType.GROUP ? Message.Type.groupchat : Message.Type.chat);
        message.setBody(text);
        return message;
    }

    static boolean usableId(String id) {
        return id != null && !id.isBlank() && id.length() <= XmppConstants.MAX_ID_LENGTH
                && id.chars().noneMatch(Character::isISOControl);
    }

    private static String sha256(String s) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                    .digest(s.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
