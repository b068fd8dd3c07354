package routes.channel.xmpp;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.Producer;
import org.apache.camel.component.xmpp.XmppComponent;
import org.apache.camel.component.xmpp.XmppEndpoint;
import org.apache.camel.support.service.ServiceHelper;
import org.jivesoftware.smack.ConnectionConfiguration.SecurityMode;
import org.jivesoftware.smack.MessageListener;
import org.jivesoftware.smack.ReconnectionManager;
import org.jivesoftware.smack.SmackConfiguration;
import org.jivesoftware.smack.packet.Message;
import org.jivesoftware.smack.tcp.XMPPTCPConnection;
import org.jivesoftware.smack.tcp.XMPPTCPConnectionConfiguration;
import org.jivesoftware.smackx.muc.MultiUserChat;
import org.jivesoftware.smackx.muc.MultiUserChatManager;
import org.jxmpp.jid.impl.JidCreate;
import org.jxmpp.jid.parts.Resourcepart;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.stereotype.Component;
import routes.channel.web.LimitsProperties;

/**
 * The account's one XMPP session, shared by the ingress and the egress.
 *
 * <p>Built from {@link XmppProperties} rather than from a URI, so the password stays out of endpoint URIs (which
 * Camel shows in logs and JMX). One camel-xmpp endpoint holds the connection: its consumer receives the direct
 * chats, the rooms are joined on the same connection with the consumer as their listener, and replies go out
 * through the endpoint's direct producer, which sends the stanza it is given. An endpoint per recipient or per room
 * would open a connection (and a server session) each.
 */
@Component
@ConditionalOnXmpp
public class XmppClient implements DisposableBean {

    private static final Logger LOG = LoggerFactory.getLogger(XmppClient.class);

    private final XmppProperties properties;
    private final XmppMessages.Account account;
    private final Map<String, MultiUserChat> joined = new ConcurrentHashMap<>();
    private XmppEndpoint endpoint;
    private volatile XMPPTCPConnection connection;
    private Producer sender;

    public XmppClient(XmppProperties properties, LimitsProperties limits) {
        this.properties = properties;
        // the endpoint creates and logs in its connection itself, before a per-connection timeout could be set:
        // the library-wide default applies to TLS set-up and login (Caravan is Smack's only user in the process)
        SmackConfiguration.setDefaultReplyTimeout((int) properties.getReplyTimeout().toMillis());
        this.account = new XmppMessages.Account(properties.accountJid(), properties.effectiveNickname(),
                java.util.Set.copyOf(properties.getRooms()), properties.getGroupPolicy(),
                limits.getMaxText().toBytes());
    }

    /** Who the bot is, for mapping incoming stanzas. */
    public XmppMessages.Account account() {
        return account;
    }

    /** The account's endpoint, created on first use. */
    public synchronized XmppEndpoint endpoint(CamelContext context) {
        if (endpoint == null) {
            XmppEndpoint e = new XmppEndpoint("xmpp://" + properties.getHost() + ":" + properties.getPort() + "/"
                    + properties.localpart(), context.getComponent("xmpp", XmppComponent.class));
            e.setHost(properties.getHost());
            e.setPort(properties.getPort());
            e.setServiceName(properties.xmppDomain());
            e.setUser(properties.localpart());
            e.setPassword(properties.getPassword());
            e.setResource(properties.getResource());
            e.setNickname(properties.effectiveNickname());
            e.setConnectionConfig(connectionConfiguration());
            e.setTestConnectionOnStartup(true);
            endpoint = e;
        }
        return endpoint;
    }

    private XMPPTCPConnectionConfiguration connectionConfiguration() {
        try {
            var builder = XMPPTCPConnectionConfiguration.builder()
                    .setXmppDomain(properties.xmppDomain())
                    .setHost(properties.getHost())
                    .setPort(properties.getPort())
                    .setUsernameAndPassword(properties.localpart(), properties.getPassword())
                    .setResource(properties.getResource())
                    .setConnectTimeout((int) properties.getReplyTimeout().toMillis())
                    .setSecurityMode(switch (properties.getTls()) {
                        case REQUIRED -> SecurityMode.required;
                        case IF_POSSIBLE -> SecurityMode.ifpossible;
                        case DISABLED -> SecurityMode.disabled;
                    });
            if (!properties.getTrustStore().isEmpty()) {
                builder.setCustomSSLContext(sslContext());
            }
            return builder.build();
        } catch (Exception e) {
            throw new IllegalStateException("caravan.channels.xmpp: cannot build the connection settings: "
                    + e.getMessage(), e);
        }
    }

    private SSLContext sslContext() throws Exception {
        KeyStore trust = KeyStore.getInstance(KeyStore.getDefaultType());
        try (InputStream in = Files.newInputStream(Path.of(properties.getTrustStore()))) {
            trust.load(in, properties.getTrustStorePassword().toCharArray());
        }
        TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        factory.init(trust);
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, factory.getTrustManagers(), null);
        return context;
    }

    /**
     * Called once the ingress consumer is connected: keeps its connection for sending, lets Smack reconnect (and
     * log in again, and re-enter the rooms) after a network failure, and joins the configured rooms with
     * {@code listener} receiving their messages.
     */
    public synchronized void attach(MessageListener listener) throws Exception {
        XMPPTCPConnection c = endpoint.createConnection();
        c.setReplyTimeout(properties.getReplyTimeout().toMillis());
        ReconnectionManager.getInstanceFor(c).enableAutomaticReconnection();
        MultiUserChatManager rooms = MultiUserChatManager.getInstanceFor(c);
        rooms.setAutoJoinOnReconnect(true);
        if (connection != c) {
            joined.clear();
        }
        connection = c;
        for (String room : properties.getRooms()) {
            joined.computeIfAbsent(room, r -> listenTo(rooms, r, listener));
            join(joined.get(room));
        }
    }

    private static MultiUserChat listenTo(MultiUserChatManager rooms, String room, MessageListener listener) {
        try {
            MultiUserChat muc = rooms.getMultiUserChat(JidCreate.entityBareFrom(room));
            muc.addMessageListener(message -> {
                listener.processMessage(message);
                drain(muc);
            });
            return muc;
        } catch (Exception e) {
            throw new IllegalStateException("caravan.channels.xmpp.rooms: " + room + " is not a room JID", e);
        }
    }

    /**
     * Smack also queues every room message for {@code nextMessage()}; the listener gets them already, so the queue
     * is emptied as it fills.
     */
    private static void drain(MultiUserChat muc) {
        try {
            while (muc.pollMessage() != null) {
                // dropped: the listener has it
            }
        } catch (Exception e) {
            LOG.trace("room queue not drained", e);
        }
    }

    private void join(MultiUserChat muc) throws Exception {
        if (muc.isJoined()) {
            return;
        }
        muc.join(muc.getEnterConfigurationBuilder(Resourcepart.from(properties.effectiveNickname()))
                .requestNoHistory()
                .timeoutAfter(properties.getReplyTimeout().toMillis())
                .build());
        LOG.info("XMPP channel joined room {} as {}", muc.getRoom(), properties.effectiveNickname());
    }

    /** The rooms the account has joined. */
    public List<String> joinedRooms() {
        return joined.entrySet().stream().filter(e -> e.getValue().isJoined()).map(Map.Entry::getKey).toList();
    }

    /**
     * Sends one message stanza on the account's connection.
     *
     * @throws XmppUnavailableException when the session is not (or no longer) logged in, or a room to send to
     *                                  cannot be entered; worth trying again later
     */
    public void send(Exchange exchange, Message stanza, boolean toRoom) throws Exception {
        XMPPTCPConnection c = connection;
        if (c == null || !c.isAuthenticated()) {
            throw new XmppUnavailableException("not logged in to the XMPP server (yet)");
        }
        if (toRoom) {
            String room = stanza.getTo().asBareJid().toString();
            MultiUserChat muc = joined.get(room);
            if (muc == null) {
                throw new IllegalArgumentException("room " + room + " is not in caravan.channels.xmpp.rooms");
            }
            synchronized (this) {
                try {
                    join(muc);
                } catch (Exception e) {
                    throw new XmppUnavailableException("cannot enter room " + room + ": " + e.getMessage());
                }
            }
        }
        var message = exchange.getMessage();
        Object body = message.getBody();
        message.setBody(stanza);
        try {
            producer().process(exchange);
        } finally {
            message.setBody(body);
        }
    }

    private synchronized Producer producer() throws Exception {
        if (sender == null) {
            Producer created = endpoint.createDirectProducer();
            ServiceHelper.startService(created);
            sender = created;
        }
        return sender;
    }

    @Override
    public synchronized void destroy() {
        ServiceHelper.stopAndShutdownService(sender);
        sender = null;
        XMPPTCPConnection c = connection;
        connection = null;
        if (c != null) {
            ReconnectionManager.getInstanceFor(c).disableAutomaticReconnection();
            if (c.isConnected()) {
                c.disconnect();
            }
        }
    }
}
