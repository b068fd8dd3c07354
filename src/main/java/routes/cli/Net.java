package routes.cli;

import java.io.IOException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.UnknownHostException;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.channels.UnresolvedAddressException;
import java.time.Duration;
import javax.net.ssl.SSLException;

/**
 * The network calls of the command line, on the JDK's HTTP client, and the one-line explanation of why one failed
 * (the exception's own words, with the address it was about).
 */
final class Net {

    /** Longest wait for a connection, and for an answer, of each check. */
    static final Duration TIMEOUT = Duration.ofSeconds(5);

    private final HttpClient http;
    private final Duration timeout;

    Net(Duration timeout) {
        this.timeout = timeout;
        this.http = HttpClient.newBuilder().connectTimeout(timeout).followRedirects(HttpClient.Redirect.NEVER).build();
    }

    Duration timeout() {
        return timeout;
    }

    /** Sends {@code request} with this client's answer timeout; the body is read as text. */
    HttpResponse<String> send(HttpRequest.Builder request) throws IOException {
        try {
            return http.send(request.timeout(timeout).build(), HttpResponse.BodyHandlers.ofString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
    }

    /** A HEAD request to {@code uri}: its status code; any status means the server is reachable. */
    int head(URI uri) throws IOException {
        return send(HttpRequest.newBuilder(uri).method("HEAD", HttpRequest.BodyPublishers.noBody())).statusCode();
    }

    /** Opens (and closes) a TCP connection to {@code host:port}. */
    void connect(String host, int port) throws IOException {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(host, port), (int) timeout.toMillis());
        }
    }

    /** Why a call to {@code target} failed, in one line. */
    String explain(Throwable error, String target) {
        if (find(error, UnknownHostException.class) != null || find(error, UnresolvedAddressException.class) != null) {
            return "unknown host (" + target + ")";
        }
        if (find(error, HttpConnectTimeoutException.class) != null || find(error, SocketTimeoutException.class) != null) {
            return "no connection to " + target + " within " + timeout.toSeconds() + "s";
        }
        if (find(error, HttpTimeoutException.class) != null) {
            return "no answer from " + target + " within " + timeout.toSeconds() + "s";
        }
        SSLException tls = find(error, SSLException.class);
        if (tls != null) {
            return "TLS handshake with " + target + " failed: " + tls.getMessage();
        }
        ConnectException refused = find(error, ConnectException.class);
        if (refused != null) {
            return "cannot connect to " + target + " (" + (refused.getMessage() == null ? "connection refused"
                    : refused.getMessage().toLowerCase(java.util.Locale.ROOT)) + ")";
        }
        Throwable root = error;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return target + ": " + root.getClass().getSimpleName() + (root.getMessage() == null ? "" : ": "
                + root.getMessage());
    }

    private static <T extends Throwable> T find(Throwable error, Class<T> type) {
        for (Throwable t = error; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (type.isInstance(t)) {
                return type.cast(t);
            }
        }
        return null;
    }

    /** {@code host:port} of a URI, with the scheme's default port when it names none. */
    static String hostPort(URI uri) {
        int port = uri.getPort() >= 0 ? uri.getPort() : "https".equalsIgnoreCase(uri.getScheme()) ? 443 : 80;
        return uri.getHost() + ":" + port;
    }
}
