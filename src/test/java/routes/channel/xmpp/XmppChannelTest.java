package routes.channel.xmpp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.apache.camel.CamelContext;
import org.apache.camel.Endpoint;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.ServiceStatus;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.component.xmpp.XmppEndpoint;
import org.jivesoftware.smack.filter.MessageTypeFilter;
import org.jivesoftware.smack.packet.Message;
import org.jivesoftware.smack.tcp.XMPPTCPConnection;
import org.jivesoftware.smack.tcp.XMPPTCPConnectionConfiguration;
import org.jivesoftware.smackx.muc.MultiUserChat;
import org.jivesoftware.smackx.muc.MultiUserChatManager;
import org.jxmpp.jid.impl.JidCreate;
import org.jxmpp.jid.parts.Resourcepart;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import routes.channel.TextChunker;
import routes.envelope.ChatType;
import routes.envelope.Envelope;
import routes.envelope.EnvelopeCodec;
import routes.support.CaravanIntegrationTest;
import routes.support.fakes.EmbeddedXmppServer;

/**
 * The XMPP channel end to end: people on a real XMPP server (Vysper, over TCP with STARTTLS on loopback) talk to
 * the gateway's account directly and in a room. The same context runs kamelets/xmpp-source and xmpp-sink on a
 * second account.
 */
@Import(XmppChannelTest.KameletRoutes.class)
@DirtiesContext(classMode = DirtiesContext.ClassMode.AFTER_CLASS)
class XmppChannelTest extends CaravanIntegrationTest {

    private static final String DOMAIN = "caravan.test";
    private static final String BOT = "bot@" + DOMAIN;
    private static final String NICK = "Marvin";

    /** The server lives as long as the test JVM; this class's context is closed after it (see below). */
    private static final EmbeddedXmppServer SERVER = new EmbeddedXmppServer(DOMAIN)
            .user("bot").user("alice").user("kbot").start();
    private static final String KAMELET_BOT = "kbot@" + DOMAIN;

    /** What the source kamelet passed on. */
    private static final ConcurrentLinkedQueue<String> FROM_KAMELET = new ConcurrentLinkedQueue<>();
    private static final String ROOM = SERVER.room("lobby");

    @Autowired
    private CamelContext camel;

    @Autowired
    private XmppClient client;

    @Autowired
    private ProducerTemplate producer;

    private XMPPTCPConnection alice;
    private MultiUserChat aliceInRoom;
    private final List<String> direct = new CopyOnWriteArrayList<>();
    private final List<String> room = new CopyOnWriteArrayList<>();
    private final List<String> fromKameletBot = new CopyOnWriteArrayList<>();

    /** Routes an integrator would write around the kamelets, on a second account. */
    @TestConfiguration
    static class KameletRoutes {
        @Bean
        XMPPTCPConnectionConfiguration xmppKameletConnection() throws Exception {
            return SERVER.connectionConfiguration();
        }

        @Bean
        RouteBuilder xmppKameletRoutes() {
            String account = "host=127.0.0.1&port=" + SERVER.port() + "&serviceName=" + DOMAIN
                    + "&user=kbot&password=" + EmbeddedXmppServer.PASSWORD
                    + "&connectionConfig=#bean:xmppKameletConnection";
            return new RouteBuilder() {
                @Override
                public void configure() {
                    from("kamelet:xmpp-source?" + account).routeId("xmpp-kamelet-source-test")
                            .process(e -> FROM_KAMELET.add(e.getMessage().getBody(String.class)));
                    from("direct:xmpp-kamelet-sink").routeId("xmpp-kamelet-sink-test")
                            .to("kamelet:xmpp-sink?maxText=100&" + account);
                }
            };
        }
    }

    @DynamicPropertySource
    static void xmpp(DynamicPropertyRegistry registry) {
        registry.add("caravan.channels.xmpp.host", () -> "127.0.0.1");
        registry.add("caravan.channels.xmpp.port", SERVER::port);
        registry.add("caravan.channels.xmpp.domain", () -> DOMAIN);
        registry.add("caravan.channels.xmpp.user", () -> "bot");
        registry.add("caravan.channels.xmpp.password", () -> EmbeddedXmppServer.PASSWORD);
        registry.add("caravan.channels.xmpp.nickname", () -> NICK);
        registry.add("caravan.channels.xmpp.rooms[0]", () -> ROOM);
        registry.add("caravan.channels.xmpp.trust-store", () -> SERVER.trustStore().toString());
        registry.add("caravan.channels.xmpp.trust-store-password", SERVER::trustStorePassword);
        registry.add("caravan.channels.xmpp.rate-limit.chat-per-second", () -> "10");
        // generous: Vysper answers slowly on a busy machine (it also becomes Smack's default for the test clients)
        registry.add("caravan.channels.xmpp.reply-timeout", () -> "30s");
        registry.add("caravan.channels.retry-delay", () -> "100ms");
    }

    /**
     * Smack's disconnect waits the whole reply timeout for the server's closing stream element, which Vysper never
     * sends: with the generous timeout above, closing this context would hang 30 s per connection (at the latest when
     * the test JVM exits, where the build's fork gives up after 30 s). The connections still open get a short one.
     */
    @AfterAll
    static void shortenDisconnects(@Autowired CamelContext camel) throws Exception {
        for (Endpoint endpoint : camel.getEndpoints()) {
            if (endpoint instanceof XmppEndpoint xmpp && xmpp.isStarted()) {
                xmpp.createConnection().setReplyTimeout(1000);
            }
        }
    }

    @BeforeEach
    void connectAlice() throws Exception {
        await().atMost(Duration.ofSeconds(60)).until(() -> camel.getRouteController()
                .getRouteStatus(XmppConstants.INGRESS_ROUTE) == ServiceStatus.Started
                && client.joinedRooms().contains(ROOM));
        alice = SERVER.login("alice", "phone-" + UUID.randomUUID().toString().substring(0, 6));
        // a synchronous listener sees the messages in the order they arrived
        alice.addSyncStanzaListener(stanza -> {
            Message message = (Message) stanza;
            String from = message.getFrom() == null ? "" : message.getFrom().asBareJid().toString();
            if (BOT.equals(from)) {
                direct.add(message.getBody());
            } else if (KAMELET_BOT.equals(from)) {
                fromKameletBot.add(message.getBody());
            }
        }, MessageTypeFilter.CHAT);
        aliceInRoom = MultiUserChatManager.getInstanceFor(alice).getMultiUserChat(JidCreate.entityBareFrom(ROOM));
        aliceInRoom.addMessageListener(message -> {
            var from = message.getFrom().getResourceOrNull();
            if (from != null && NICK.equals(from.toString())) {
                room.add(message.getBody());
            }
        });
        aliceInRoom.join(aliceInRoom.getEnterConfigurationBuilder(Resourcepart.from(
                "alice-" + UUID.randomUUID().toString().substring(0, 6))).requestNoHistory().build());
    }

    @AfterEach
    void disconnectAlice() throws Exception {
        if (aliceInRoom != null && aliceInRoom.isJoined()) {
            aliceInRoom.leave();
        }
        // the embedded server never answers the closing stream element, so a polite disconnect waits out Smack's
        // reply timeout; the test is over, drop the connection
        if (alice != null) {
            alice.instantShutdown();
        }
    }

    private void tellKameletBot(String text) throws Exception {
        alice.sendStanza(new Message(JidCreate.entityBareFrom(KAMELET_BOT), text));
    }

    private void tell(String text) throws Exception {
        tell(text, null);
    }

    private void tell(String text, String stanzaId) throws Exception {
        Message message = new Message(JidCreate.entityBareFrom(BOT), text);
        message.setType(Message.Type.chat);
        if (stanzaId != null) {
            message.setStanzaId(stanzaId);
        }
        alice.sendStanza(message);
    }

    private static String unique(String text) {
        return text + " " + UUID.randomUUID().toString().substring(0, 8);
    }

    @Test
    void aDirectMessageGetsExactlyOneReply() throws Exception {
        String hello = unique("hello over xmpp");
        String barrier = unique("and a second one");
        tell(hello);
        await().atMost(Duration.ofSeconds(30)).until(() -> direct.contains("echo: " + hello));
        tell(barrier);
        // one person is answered in order: once the second is answered, every reply to the first has arrived
        await().atMost(Duration.ofSeconds(30)).until(() -> direct.contains("echo: " + barrier));
        assertThat(direct).containsExactly("echo: " + hello, "echo: " + barrier);
        assertThat(modelCallsFor(hello)).isEqualTo(1);
    }

    @Test
    void aRedeliveredStanzaGetsOneReply() throws Exception {
        String once = unique("only once please");
        String stanzaId = "dup-" + UUID.randomUUID();
        tell(once, stanzaId);
        await().atMost(Duration.ofSeconds(30)).until(() -> direct.contains("echo: " + once));
        tell(once, stanzaId);
        String barrier = unique("after the duplicate");
        tell(barrier);
        await().atMost(Duration.ofSeconds(30)).until(() -> direct.contains("echo: " + barrier));
        assertThat(direct).containsExactly("echo: " + once, "echo: " + barrier);
        assertThat(modelCallsFor(once)).isEqualTo(1);
    }

    @Test
    void aLongReplyArrivesInPieces() throws Exception {
        String marker = UUID.randomUUID().toString().substring(0, 8);
        String text = marker + " " + IntStream.range(0, 900).mapToObj(i -> "word" + i)
                .collect(Collectors.joining(" "));
        tell(text);
        String expected = "echo: " + text;
        List<String> pieces = TextChunker.split(expected, 3000);
        assertThat(pieces).hasSizeGreaterThan(1);
        // the bot sends the pieces in order on its one connection, but Vysper relays stanzas on a thread pool and
        // may deliver consecutive ones out of order (a production server keeps a stream's order, RFC 6120 §10.1)
        await().atMost(Duration.ofSeconds(30)).until(() -> direct.size() >= pieces.size());
        assertThat(direct).containsExactlyInAnyOrderElementsOf(pieces)
                .allSatisfy(piece -> assertThat(piece.length()).isLessThanOrEqualTo(3000));
    }

    @Test
    void aRoomMessageNamingTheBotIsAnsweredInTheRoom() throws Exception {
        String question = unique(NICK + ", what is the answer?");
        aliceInRoom.sendMessage(question);
        await().atMost(Duration.ofSeconds(30)).until(() -> room.contains("echo: " + question));
        String second = unique("thanks " + NICK.toLowerCase());
        aliceInRoom.sendMessage(second);
        // the bot's own reply names it too: were it not recognised when the room reflects it, it would be answered
        await().atMost(Duration.ofSeconds(30)).until(() -> room.contains("echo: " + second));
        assertThat(room).containsExactly("echo: " + question, "echo: " + second);
        assertThat(direct).isEmpty();
    }

    @Test
    void aRoomMessageWithoutAMentionIsNotAnswered() throws Exception {
        String chatter = unique("just chatting among people");
        aliceInRoom.sendMessage(chatter);
        String barrier = unique("@" + NICK + " are you there?");
        aliceInRoom.sendMessage(barrier);
        // one room is answered in order: once the mention is answered, the chatter before it has been passed over
        await().atMost(Duration.ofSeconds(30)).until(() -> room.contains("echo: " + barrier));
        assertThat(room).containsExactly("echo: " + barrier);
        assertThat(modelCallsFor(chatter)).isZero();
    }

    @Test
    void theKameletsCarryAMessageInAndAReplyOut() throws Exception {
        String hello = unique("via the kamelet");
        tellKameletBot(hello);
        String json = await().atMost(Duration.ofSeconds(30)).until(
                () -> FROM_KAMELET.stream().filter(b -> b.contains(hello)).findFirst().orElse(null),
                b -> b != null);
        Envelope envelope = EnvelopeCodec.decode(json.getBytes(StandardCharsets.UTF_8));
        assertThat(envelope.channel()).isEqualTo("xmpp");
        assertThat(envelope.chatId()).isEqualTo("alice@" + DOMAIN);
        assertThat(envelope.chatType()).isEqualTo(ChatType.DIRECT);
        assertThat(envelope.account()).isEqualTo(KAMELET_BOT);
        assertThat(envelope.text()).isEqualTo(hello);

        String answer = "answered by the sink, " + "in pieces ".repeat(15).trim();
        Envelope reply = Envelope.builder().id(envelope.id() + ":reply").inReplyTo(envelope.id()).channel("xmpp")
                .chatId(envelope.chatId()).chatType(ChatType.DIRECT).text(answer).build();
        producer.sendBody("direct:xmpp-kamelet-sink", EnvelopeCodec.encodeToString(reply));
        List<String> pieces = TextChunker.split(answer, 100);
        assertThat(pieces).hasSize(2);
        await().atMost(Duration.ofSeconds(30)).until(() -> fromKameletBot.size() >= pieces.size());
        assertThat(fromKameletBot).containsExactlyInAnyOrderElementsOf(pieces);
        assertThat(direct).isEmpty();
    }
}
