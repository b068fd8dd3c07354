package routes.support.fakes;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.KeyStore;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.apache.vysper.mina.TCPEndpoint;
import org.apache.vysper.storage.inmemory.MemoryStorageProviderRegistry;
import org.apache.vysper.xmpp.addressing.EntityImpl;
import org.apache.vysper.xmpp.authorization.AccountManagement;
import org.apache.vysper.xmpp.modules.extension.xep0045_muc.MUCModule;
import org.apache.vysper.xmpp.modules.extension.xep0045_muc.model.Conference;
import org.apache.vysper.xmpp.server.XMPPServer;
import org.jivesoftware.smack.ConnectionConfiguration.SecurityMode;
import org.jivesoftware.smack.SmackException;
import org.jivesoftware.smack.tcp.XMPPTCPConnection;
import org.jivesoftware.smack.tcp.XMPPTCPConnectionConfiguration;

/**
 * A real XMPP server (Apache Vysper) on a loopback port, with multi-user chat on {@code conference.<domain>}.
 * It speaks STARTTLS with a test certificate for {@code <domain>}; {@link #trustStore()} trusts it.
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
        TCPEndpoint endpoint = new TCPEndpoint();
        endpoint.setPort(port);
        server.addEndpoint(endpoint);
        server.setTLSCertificateInfo(resource("xmpp/server.jks"), STORE_PASSWORD);
        this.trustStore = copyTrustStore();
    }

    /** Starts the server and its multi-user chat service. */
    public EmbeddedXmppServer start() {
        try {
            server.start();
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
        // now and then the client's parser meets the server's restarted stream (after STARTTLS or SASL) before it
        // was reset for it, and the login fails on an XML declaration mid-stream; a person's client connects again
        for (int attempt = 1; ; attempt++) {
            XMPPTCPConnection connection = new XMPPTCPConnection(builder()
                    .setUsernameAndPassword(localpart, PASSWORD)
                    .setResource(resource)
                    .build());
            try {
                connection.connect().login();
                return connection;
            } catch (SmackException e) {
                connection.instantShutdown();
                if (attempt == 3) {
                    throw e;
                }
            }
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
                // Vysper's TLS layer (MINA 2.0) now and then stalls a TLS 1.3 handshake
                .setEnabledSSLProtocols(new String[] {"TLSv1.2"})
                .setCustomSSLContext(tls);
    }

    @Override
    public void close() {
        server.stop();
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
}
