package routes.tools.builtin;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Proxy;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.SSLSocketFactory;

/**
 * One HTTP/1.1 GET to an address the {@link AddressGuard} has already checked. The JDK's HTTP clients resolve the
 * host name again when they connect, which would let a name answer differently for the check and for the connection;
 * this connects the socket to the checked address itself, while the Host header, TLS server name and certificate
 * check still use the host name from the URL.
 *
 * <p>Redirects are returned, not followed: the caller checks each target. The whole exchange, connect included, has
 * one deadline, checked after every read, so a server trickling bytes cannot stretch it. The body is read up to a
 * byte limit; a larger one is an error, not a truncated page.
 */
final class PinnedHttpGet {

    private static final int MAX_HEADER_BYTES = 64 * 1024;
    private static final int MAX_CHUNK_LINE_BYTES = 1024;
    private static final String USER_AGENT = "Caravan-web-fetch/1.0";

    /** A response; header names are lower case, the last value of a repeated header wins. */
    record Response(int status, String reason, Map<String, String> headers, byte[] body) {

        String header(String name) {
            return headers.get(name.toLowerCase(Locale.ROOT));
        }

        boolean redirect() {
            return status == 301 || status == 302 || status == 303 || status == 307 || status == 308;
        }
    }

    /** The response was cut short by the deadline. */
    static final class TimedOut extends IOException {
        TimedOut() {
            super("timed out", null);
        }
    }

    /** The body is larger than the limit. */
    static final class TooLarge extends IOException {
        TooLarge() {
            super("too large", null);
        }
    }

    private PinnedHttpGet() {
    }

    /**
     * GETs {@code target}, failing once {@code deadline} ({@link System#nanoTime()} terms) passes. A redirect comes
     * back without its body.
     */
    static Response get(AddressGuard.Target target, long deadline, long maxBytes) throws IOException {
        // no proxy: a configured SOCKS proxy would resolve and reach the host on its own terms
        try (Socket socket = new Socket(Proxy.NO_PROXY)) {
            socket.connect(new InetSocketAddress(target.address(), target.port()), remainingMillis(deadline));
            Socket channel = target.https() ? tls(socket, target, deadline) : socket;
            channel.setSoTimeout(remainingMillis(deadline));
            OutputStream out = channel.getOutputStream();
            out.write(request(target).getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            var in = new DeadlineInput(channel, deadline);
            Response head;
            do {
                head = readHead(in);
            } while (head.status() >= 100 && head.status() < 200);
            if (head.redirect()) {
                return head;
            }
            return new Response(head.status(), head.reason(), head.headers(), readBody(in, head, maxBytes));
        } catch (SocketTimeoutException e) {
            throw new TimedOut();
        }
    }

    private static Socket tls(Socket socket, AddressGuard.Target target, long deadline) throws IOException {
        var factory = (SSLSocketFactory) SSLSocketFactory.getDefault();
        var ssl = (SSLSocket) factory.createSocket(socket, target.host(), target.port(), true);
        var parameters = ssl.getSSLParameters();
        // the certificate must name the URL's host, as any browser would insist
        parameters.setEndpointIdentificationAlgorithm("HTTPS");
        if (!isAddressLiteral(target.host())) {
            parameters.setServerNames(List.of(new SNIHostName(target.host())));
        }
        ssl.setSSLParameters(parameters);
        ssl.setSoTimeout(remainingMillis(deadline));
        ssl.startHandshake();
        return ssl;
    }

    private static boolean isAddressLiteral(String host) {
        return host.contains(":") || host.matches("[0-9.]+");
    }

    private static String request(AddressGuard.Target target) {
        var uri = target.uri();
        String path = uri.getRawPath() == null || uri.getRawPath().isEmpty() ? "/" : uri.getRawPath();
        if (uri.getRawQuery() != null) {
            path += "?" + uri.getRawQuery();
        }
        String host = target.host().contains(":") ? "[" + target.host() + "]" : target.host();
        int defaultPort = target.https() ? 443 : 80;
        if (target.port() != defaultPort) {
            host += ":" + target.port();
        }
        return "GET " + path + " HTTP/1.1\r\n"
                + "Host: " + host + "\r\n"
                + "User-Agent: " + USER_AGENT + "\r\n"
                + "Accept: text/html, application/xhtml+xml, text/plain, application/json;q=0.9\r\n"
                + "Accept-Encoding: identity\r\n"
                + "Connection: close\r\n\r\n";
    }

    private static Response readHead(DeadlineInput in) throws IOException {
        var budget = new int[] {MAX_HEADER_BYTES};
        String statusLine = in.line(budget);
        String[] parts = statusLine.split(" ", 3);
        if (parts.length < 2 || !parts[0].startsWith("HTTP/1.")) {
            throw new IOException("not an HTTP/1.x response");
        }
        int status;
        try {
            status = Integer.parseInt(parts[1]);
        } catch (NumberFormatException e) {
            throw new IOException("bad HTTP status");
        }
        Map<String, String> headers = new LinkedHashMap<>();
        for (String line = in.line(budget); !line.isEmpty(); line = in.line(budget)) {
            int colon = line.indexOf(':');
            if (colon > 0) {
                headers.put(line.substring(0, colon).trim().toLowerCase(Locale.ROOT), line.substring(colon + 1).trim());
            }
        }
        return new Response(status, parts.length > 2 ? parts[2] : "", headers, new byte[0]);
    }

    private static byte[] readBody(DeadlineInput in, Response head, long maxBytes) throws IOException {
        var body = new ByteArrayOutputStream();
        String encoding = head.header("transfer-encoding");
        if (encoding != null && encoding.toLowerCase(Locale.ROOT).contains("chunked")) {
            while (true) {
                String sizeLine = in.line(new int[] {MAX_CHUNK_LINE_BYTES});
                int semicolon = sizeLine.indexOf(';');
                long size;
                try {
                    size = Long.parseLong((semicolon >= 0 ? sizeLine.substring(0, semicolon) : sizeLine).trim(), 16);
                } catch (NumberFormatException e) {
                    throw new IOException("bad chunk size");
                }
                if (size == 0) {
                    break; // trailers are not needed: the connection closes
                }
                if (size < 0 || body.size() + size > maxBytes) {
                    throw new TooLarge();
                }
                in.copy(body, size);
                in.line(new int[] {MAX_CHUNK_LINE_BYTES});
            }
            return body.toByteArray();
        }
        String length = head.header("content-length");
        if (length != null) {
            long declared;
            try {
                declared = Long.parseLong(length.trim());
            } catch (NumberFormatException e) {
                throw new IOException("bad Content-Length");
            }
            if (declared > maxBytes) {
                throw new TooLarge();
            }
            in.copy(body, declared);
            return body.toByteArray();
        }
        in.copyToEnd(body, maxBytes);
        return body.toByteArray();
    }

    private static int remainingMillis(long deadline) throws TimedOut {
        long left = (deadline - System.nanoTime()) / 1_000_000;
        if (left <= 0) {
            throw new TimedOut();
        }
        return (int) Math.min(left, Integer.MAX_VALUE);
    }

    /** Buffered reads that shorten the socket timeout to what is left before the deadline. */
    private static final class DeadlineInput {

        private final Socket socket;
        private final InputStream in;
        private final long deadline;
        private final byte[] buffer = new byte[8192];
        private int position;
        private int limit;

        DeadlineInput(Socket socket, long deadline) throws IOException {
            this.socket = socket;
            this.in = socket.getInputStream();
            this.deadline = deadline;
        }

        /** Reads more into the buffer; false at the end of the stream. */
        private boolean fill() throws IOException {
            socket.setSoTimeout(remainingMillis(deadline));
            int n = in.read(buffer);
            remainingMillis(deadline);
            if (n <= 0) {
                return false;
            }
            position = 0;
            limit = n;
            return true;
        }

        /** One CRLF- (or LF-) terminated line, without the terminator, counted against {@code budget[0]}. */
        String line(int[] budget) throws IOException {
            var line = new ByteArrayOutputStream();
            while (true) {
                if (position == limit && !fill()) {
                    throw new IOException("connection closed early");
                }
                byte b = buffer[position++];
                if (--budget[0] < 0) {
                    throw new IOException("response header or chunk line too long");
                }
                if (b == '\n') {
                    byte[] bytes = line.toByteArray();
                    int end = bytes.length > 0 && bytes[bytes.length - 1] == '\r' ? bytes.length - 1 : bytes.length;
                    return new String(bytes, 0, end, StandardCharsets.ISO_8859_1);
                }
                line.write(b);
            }
        }

        /** Exactly {@code count} bytes. */
        void copy(ByteArrayOutputStream to, long count) throws IOException {
            long left = count;
            while (left > 0) {
                if (position == limit && !fill()) {
                    throw new IOException("connection closed early");
                }
                int n = (int) Math.min(left, limit - position);
                to.write(buffer, position, n);
                position += n;
                left -= n;
            }
        }

        /** Everything up to the end of the stream, failing past {@code maxBytes}. */
        void copyToEnd(ByteArrayOutputStream to, long maxBytes) throws IOException {
            while (position < limit || fill()) {
                int n = limit - position;
                if (to.size() + n > maxBytes) {
                    throw new TooLarge();
                }
                to.write(buffer, position, n);
                position = limit;
            }
        }
    }
}
