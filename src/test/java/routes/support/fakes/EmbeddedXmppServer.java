package routes.support.fakes;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.KeyStore;
import java.security.KeyManagementException;
import java.security.SecureRandom;
import java.util.Arrays;
import javax.net.ssl.KeyManager;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLContextSpi;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLServerSocketFactory;
import javax.net.ssl.SSLSessionContext;
import javax.net.ssl.SSLSocketFactory;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import org.apache.mina.core.session.IoSession;
import org.apache.mina.filter.codec.ProtocolCodecFilter;
import org.apache.mina.transport.socket.nio.NioSocketAcceptor;
import org.apache.vysper.mina.XmppIoHandlerAdapter;
import org.apache.vysper.mina.codec.XMPPProtocolCodecFactory;
import org.apache.vysper.storage.inmemory.MemoryStorageProviderRegistry;
import org.apache.vysper.xmpp.addressing.EntityImpl;
import org.apache.vysper.xmpp.authorization.AccountManagement;
import org.apache.vysper.xmpp.modules.extension.xep0045_muc.MUCModule;
import org.apache.vysper.xmpp.modules.extension.xep0045_muc.model.Conference;
import org.apache.vysper.xmpp.protocol.ProtocolWorker;
import org.apache.vysper.xmpp.protocol.SessionStateHolder;
import org.apache.vysper.xmpp.server.DefaultServerRuntimeContext;
import org.apache.vysper.xmpp.server.Endpoint;
import org.apache.vysper.xmpp.server.SessionContext;
import org.apache.vysper.xmpp.server.ServerRuntimeContext;
import org.apache.vysper.xmpp.server.XMPPServer;
import org.apache.vysper.xmpp.stanza.Stanza;
import org.jivesoftware.smack.ConnectionConfiguration.SecurityMode;
import org.jivesoftware.smack.tcp.XMPPTCPConnection;
import org.jivesoftware.smack.tcp.XMPPTCPConnectionConfiguration;

/**
 * A real XMPP server (Apache Vysper) on a loopback port, with multi-user chat on {@code conference.<domain>}.
 * It speaks STARTTLS with a test certificate for {@code <domain>}; {@link #trustStore()} trusts it.
 *
 * <p>Each connection's elements are handled one after the other, in the order they arrived (see
 * {@link InOrderEndpoint}), as an XMPP server does, and TLS is offered up to TLS 1.2 (see {@link #upToTls12}).
 */
public final class EmbeddedXmppServer implements AutoCloseable {

    /** Password of every account the tests create. */
    public static final String PASSWORD = "secret-pw";

    private static final String STORE_PASSWORD = "test-only";

    private final String domain;
    private final XMPPServer server;
    private final AccountManagement accounts;
    private final Conference conference = new Conference("Conference");
    private final int port;
    private final Path trustStore;

    public EmbeddedXmppServer(String domain) {
        this.domain = domain;
        this.server = new XMPPServer(domain);
        MemoryStorageProviderRegistry storage = new MemoryStorageProviderRegistry();
        this.accounts = (AccountManagement) storage.retrieve(AccountManagement.class);
        server.setStorageProviderRegistry(storage);
        this.port = freePort();
        server.addEndpoint(new InOrderEndpoint(port));
        server.setTLSCertificateInfo(resource("xmpp/server.jks"), STORE_PASSWORD);
        this.trustStore = copyTrustStore();
    }

    /** Starts the server and its multi-user chat service. */
    public EmbeddedXmppServer start() {
        try {
            server.start();
            DefaultServerRuntimeContext context = (DefaultServerRuntimeContext) server.getServerRuntimeContext();
            SSLContext tls = upToTls12(context.getSslContext());
            context.setTlsContextFactory(() -> tls);
        } catch (Exception e) {
            throw new IllegalStateException("the XMPP server did not start", e);
        }
        server.addModule(new MUCModule("conference", conference));
        return this;
    }

    /** Creates an account {@code <localpart>@<domain>} with {@link #PASSWORD}. */
    public EmbeddedXmppServer user(String localpart) {
        try {
            accounts.addUser(EntityImpl.parseUnchecked(localpart + "@" + domain), PASSWORD);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
        return this;
    }

    /** Creates an open room; returns its JID ({@code <name>@conference.<domain>}). */
    public String room(String name) {
        String jid = name + "@conference." + domain;
        conference.createRoom(EntityImpl.parseUnchecked(jid), name);
        return jid;
    }

    public int port() {
        return port;
    }

    public String domain() {
        return domain;
    }

    /** A PKCS#12 trust store file holding the server's certificate. */
    public Path trustStore() {
        return trustStore;
    }

    public String trustStorePassword() {
        return STORE_PASSWORD;
    }

    /** A logged-in client of {@code localpart}, as a person's chat app would be. */
    public XMPPTCPConnection login(String localpart, String resource) throws Exception {
        XMPPTCPConnection connection = new XMPPTCPConnection(builder()
                .setUsernameAndPassword(localpart, PASSWORD)
                .setResource(resource)
                .build());
        try {
            connection.connect().login();
            return connection;
        } catch (Exception e) {
            connection.instantShutdown();
            throw e;
        }
    }

    /** Connection settings for this server that trust its certificate; the account is given at login. */
    public XMPPTCPConnectionConfiguration connectionConfiguration() throws Exception {
        return builder().build();
    }

    private XMPPTCPConnectionConfiguration.Builder builder() throws Exception {
        KeyStore trust = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(trustStore)) {
            trust.load(in, STORE_PASSWORD.toCharArray());
        }
        TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        factory.init(trust);
        SSLContext tls = SSLContext.getInstance("TLS");
        tls.init(null, factory.getTrustManagers(), null);
        return XMPPTCPConnectionConfiguration.builder()
                .setXmppDomain(domain)
                .setHost("127.0.0.1")
                .setPort(port)
                .setSecurityMode(SecurityMode.required)
                .setCustomSSLContext(tls);
    }

    @Override
    public void close() {
        server.stop();
    }

    /**
     * The server's TLS context with TLS 1.3 left out. Vysper's TLS layer (MINA 2.0's SslFilter) only decrypts what
     * follows the client's Finished message in the same read when the handshake is over at that point; in TLS 1.3
     * the server still has its session ticket to write, so the client's restarted stream, sent right after its
     * Finished, stays in the filter's buffer and goes unanswered ("While waiting for establishing TLS"). Clients
     * negotiate TLS 1.2 instead.
     */
    private static SSLContext upToTls12(SSLContext context) {
        SSLContextSpi spi = new SSLContextSpi() {
            @Override
            protected void engineInit(KeyManager[] keys, TrustManager[] trust, SecureRandom random)
                    throws KeyManagementException {
                context.init(keys, trust, random);
            }

            @Override
            protected SSLSocketFactory engineGetSocketFactory() {
                return context.getSocketFactory();
            }

            @Override
            protected SSLServerSocketFactory engineGetServerSocketFactory() {
                return context.getServerSocketFactory();
            }

            @Override
            protected SSLEngine engineCreateSSLEngine() {
                return withoutTls13(context.createSSLEngine());
            }

            @Override
            protected SSLEngine engineCreateSSLEngine(String host, int port) {
                return withoutTls13(context.createSSLEngine(host, port));
            }

            @Override
            protected SSLSessionContext engineGetServerSessionContext() {
                return context.getServerSessionContext();
            }

            @Override
            protected SSLSessionContext engineGetClientSessionContext() {
                return context.getClientSessionContext();
            }
        };
        return new SSLContext(spi, context.getProvider(), context.getProtocol()) {
        };
    }

    private static SSLEngine withoutTls13(SSLEngine engine) {
        engine.setEnabledProtocols(Arrays.stream(engine.getEnabledProtocols())
                .filter(protocol -> !"TLSv1.3".equals(protocol)).toArray(String[]::new));
        return engine;
    }

    private static InputStream resource(String name) {
        InputStream in = EmbeddedXmppServer.class.getClassLoader().getResourceAsStream(name);
        if (in == null) {
            throw new IllegalStateException(name + " is not on the test class path");
        }
        return in;
    }

    private static Path copyTrustStore() {
        try (InputStream in = resource("xmpp/truststore.p12")) {
            Path file = Files.createTempFile("xmpp-trust-", ".p12");
            Files.copy(in, file, StandardCopyOption.REPLACE_EXISTING);
            file.toFile().deleteOnExit();
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static int freePort() {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Vysper's own TCP endpoint hands every element a client sends to a shared pool of worker threads, so two
     * elements of one connection can be handled at the same time or the later one first. During the handshake that
     * breaks the stream: the answer to {@code <starttls/>} or to a restarted stream is written while another thread
     * still switches the connection's state (TLS, "stream header written"), and the client gets an XML declaration
     * in the middle of the stream or no answer at all. This endpoint handles a connection's elements on the
     * connection's own I/O thread, in arrival order; relaying stanzas to other connections stays asynchronous.
     */
    private static final class InOrderEndpoint implements Endpoint {

        private final int port;
        private ServerRuntimeContext context;
        private NioSocketAcceptor acceptor;

        InOrderEndpoint(int port) {
            this.port = port;
        }

        @Override
        public void setServerRuntimeContext(ServerRuntimeContext context) {
            this.context = context;
        }

        @Override
        public void start() throws IOException {
            NioSocketAcceptor socket = new NioSocketAcceptor();
            socket.getFilterChain().addLast("xmpp", new ProtocolCodecFilter(new XMPPProtocolCodecFactory()));
            InOrderHandler handler = new InOrderHandler(context);
            handler.setServerRuntimeContext(context);
            socket.setHandler(handler);
            socket.setReuseAddress(true);
            socket.bind(new InetSocketAddress("127.0.0.1", port));
            acceptor = socket;
        }

        @Override
        public void stop() {
            if (acceptor != null) {
                acceptor.unbind();
                acceptor.dispose();
            }
        }
    }

    /** Handles a connection's stanzas where they are read; the TLS notifications and the rest as Vysper does. */
    private static final class InOrderHandler extends XmppIoHandlerAdapter {

        private final ServerRuntimeContext context;
        private final ProtocolWorker worker = new ProtocolWorker();

        InOrderHandler(ServerRuntimeContext context) {
            this.context = context;
        }

        @Override
        public void messageReceived(IoSession session, Object message) throws Exception {
            if (message instanceof Stanza stanza) {
                worker.processStanza(context, (SessionContext) session.getAttribute(ATTRIBUTE_VYSPER_SESSION), stanza,
                        (SessionStateHolder) session.getAttribute(ATTRIBUTE_VYSPER_SESSIONSTATEHOLDER));
            } else {
                super.messageReceived(session, message);
            }
        }
    }
}
