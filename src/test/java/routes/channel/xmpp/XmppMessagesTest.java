package routes.channel.xmpp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Date;
import java.util.Set;
import org.jivesoftware.smack.packet.Message;
import org.jivesoftware.smackx.delay.packet.DelayInformation;
import org.junit.jupiter.api.Test;
import org.jxmpp.jid.impl.JidCreate;
import routes.channel.GroupPolicy;
import routes.envelope.ChatType;
import routes.envelope.Envelope;

class XmppMessagesTest {

    private static final String ROOM = "lobby@conference.example.org";
    private static final XmppMessages.Account ACCOUNT = account(GroupPolicy.MENTION);

    private static XmppMessages.Account account(GroupPolicy policy) {
        return new XmppMessages.Account("bot@example.org", "Marvin", Set.of(ROOM), policy, 1000);
    }

    private static Message message(String from, Message.Type type, String body, String id) throws Exception {
        Message message = new Message();
        message.setFrom(JidCreate.from(from));
        message.setTo(JidCreate.from("bot@example.org/caravan"));
        message.setType(type);
        message.setBody(body);
        message.setStanzaId(id);
        return message;
    }

    private static Envelope published(XmppMessages.Outcome outcome) {
        assertThat(outcome).isInstanceOf(XmppMessages.Publish.class);
        return ((XmppMessages.Publish) outcome).envelope().build();
    }

    private static String ignored(XmppMessages.Outcome outcome) {
        assertThat(outcome).isInstanceOf(XmppMessages.Ignore.class);
        return ((XmppMessages.Ignore) outcome).reason();
    }

    @Test
    void aChatMessageIsADirectChatWithTheSendersBareJid() throws Exception {
        Envelope e = published(XmppMessages.map(
                message("Alice@Example.org/phone", Message.Type.chat, "hi", "m1"), ACCOUNT));
        assertThat(e.channel()).isEqualTo("xmpp");
        assertThat(e.chatType()).isEqualTo(ChatType.DIRECT);
        assertThat(e.chatId()).isEqualTo("alice@example.org");
        assertThat(e.senderId()).isEqualTo("alice@example.org");
        assertThat(e.id()).isEqualTo("m1");
        assertThat(e.account()).isEqualTo("bot@example.org");
        assertThat(e.mentioned()).isNull();
        assertThat(e.text()).isEqualTo("hi");
    }

    @Test
    void aRoomMessageIsAGroupChatOfTheRoomFromTheOccupant() throws Exception {
        Envelope e = published(XmppMessages.map(
                message(ROOM + "/alice", Message.Type.groupchat, "marvin: help", "g1"), ACCOUNT));
        assertThat(e.chatType()).isEqualTo(ChatType.GROUP);
        assertThat(e.chatId()).isEqualTo(ROOM);
        assertThat(e.senderName()).isEqualTo("alice");
        assertThat(e.senderId()).isEqualTo(ROOM + "/alice");
        assertThat(e.mentioned()).isTrue();
        assertThat(e.id()).isEqualTo("alice/g1");
    }

    @Test
    void groupPolicyDecidesOnRoomMessages() throws Exception {
        Message plain = message(ROOM + "/alice", Message.Type.groupchat, "the marvinesque weather", "g2");
        assertThat(ignored(XmppMessages.map(plain, ACCOUNT))).contains("group policy");
        assertThat(published(XmppMessages.map(plain, account(GroupPolicy.ALWAYS))).mentioned()).isFalse();
        Message named = message(ROOM + "/alice", Message.Type.groupchat, "Marvin?", "g3");
        assertThat(ignored(XmppMessages.map(named, account(GroupPolicy.NEVER)))).contains("group policy");
        Message directly = message("alice@example.org/phone", Message.Type.chat, "no mention", "d1");
        assertThat(published(XmppMessages.map(directly, account(GroupPolicy.NEVER))).text()).isEqualTo("no mention");
    }

    @Test
    void theBotsOwnReflectedMessageAndRoomHistoryAreNotAnswered() throws Exception {
        assertThat(ignored(XmppMessages.map(
                message(ROOM + "/Marvin", Message.Type.groupchat, "echo: Marvin", "r1"), ACCOUNT))).contains("own");
        Message history = message(ROOM + "/alice", Message.Type.groupchat, "Marvin, earlier", "r2");
        history.addExtension(new DelayInformation(new Date(0)));
        assertThat(ignored(XmppMessages.map(history, ACCOUNT))).contains("history");
    }

    @Test
    void stanzasWithoutTextOrOfOtherKindsAreIgnored() throws Exception {
        assertThat(ignored(XmppMessages.map(message("alice@example.org/p", Message.Type.chat, null, "x"), ACCOUNT)))
                .contains("no text");
        assertThat(ignored(XmppMessages.map(message("alice@example.org/p", Message.Type.chat, "  ", "x"), ACCOUNT)))
                .contains("no text");
        assertThat(ignored(XmppMessages.map(message("alice@example.org/p", Message.Type.error, "x", "x"), ACCOUNT)))
                .contains("error");
        assertThat(ignored(XmppMessages.map(message("alice@example.org/p", Message.Type.headline, "x", "x"),
                ACCOUNT))).contains("headline");
        assertThat(ignored(XmppMessages.map(message("other@conference.example.org/al", Message.Type.groupchat,
                "Marvin", "x"), ACCOUNT))).contains("not configured");
        assertThat(ignored(XmppMessages.map(message(ROOM + "/alice", Message.Type.chat, "Marvin", "x"), ACCOUNT)))
                .contains("private message");
        assertThat(ignored(XmppMessages.map(message("example.org", Message.Type.normal, "maintenance", "x"),
                ACCOUNT))).contains("server");
        assertThat(ignored(XmppMessages.map(message("alice@example.org/p", Message.Type.chat, "x".repeat(1001),
                "x"), ACCOUNT))).contains("longer");
        assertThat(ignored(XmppMessages.map(null, ACCOUNT))).contains("no sender");
    }

    @Test
    void aStanzaWithoutIdGetsAStableHash() throws Exception {
        Message first = message("alice@example.org/p", Message.Type.chat, "same", null);
        first.setStanzaId(null);
        Message again = message("alice@example.org/p", Message.Type.chat, "same", null);
        again.setStanzaId(null);
        Message other = message("alice@example.org/p", Message.Type.chat, "different", null);
        other.setStanzaId(null);
        String id = published(XmppMessages.map(first, ACCOUNT)).id();
        assertThat(id).startsWith("h-");
        assertThat(published(XmppMessages.map(again, ACCOUNT)).id()).isEqualTo(id);
        assertThat(published(XmppMessages.map(other, ACCOUNT)).id()).isNotEqualTo(id);
    }

    @Test
    void mentionsAreWholeWordsInAnyCase() {
        assertThat(XmppMessages.mentions("hey MARVIN!", "Marvin")).isTrue();
        assertThat(XmppMessages.mentions("@marvin do it", "Marvin")).isTrue();
        assertThat(XmppMessages.mentions("marvinesque", "Marvin")).isFalse();
        assertThat(XmppMessages.mentions("hi", "")).isFalse();
    }

    @Test
    void repliesAreChatToPeopleAndGroupchatToRooms() {
        Envelope toAlice = Envelope.builder().id("m1:reply").inReplyTo("m1").channel("xmpp")
                .chatId("alice@example.org").chatType(ChatType.DIRECT).text("t").build();
        Message direct = XmppMessages.reply(toAlice, "piece");
        assertThat(direct.getType()).isEqualTo(Message.Type.chat);
        assertThat(direct.getTo().toString()).isEqualTo("alice@example.org");
        assertThat(direct.getBody()).isEqualTo("piece");
        Envelope toRoom = toAlice.toBuilder().chatId(ROOM).chatType(ChatType.GROUP).build();
        assertThat(XmppMessages.reply(toRoom, "p").getType()).isEqualTo(Message.Type.groupchat);
        Envelope bad = toAlice.toBuilder().chatId("not a jid@@").build();
        assertThatThrownBy(() -> XmppMessages.reply(bad, "p")).isInstanceOf(IllegalArgumentException.class);
    }
}
