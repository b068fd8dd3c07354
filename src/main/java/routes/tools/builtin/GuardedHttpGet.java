package routes.tools.builtin;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.net.Proxy;
import java.net.Socket;
import java.net.URI;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.apache.hc.client5.http.classic.methods.HttpGet;
import org.apache.hc.client5.http.config.ConnectionConfig;
import org.apache.hc.client5.http.config.RequestConfig;
import org.apache.hc.client5.http.impl.DefaultSchemePortResolver;
import org.apache.hc.client5.http.impl.classic.CloseableHttpClient;
import org.apache.hc.client5.http.impl.classic.CloseableHttpResponse;
import org.apache.hc.client5.http.impl.classic.HttpClients;
import org.apache.hc.client5.http.impl.io.BasicHttpClientConnectionManager;
import org.apache.hc.client5.http.impl.io.DefaultHttpClientConnectionOperator;
import org.apache.hc.client5.http.impl.io.ManagedHttpClientConnectionFactory;
import org.apache.hc.client5.http.ssl.DefaultClientTlsStrategy;
import org.apache.hc.client5.http.ssl.TlsSocketStrategy;
import org.apache.hc.core5.http.ClassicHttpResponse;
import org.apache.hc.core5.http.Header;
import org.apache.hc.core5.http.URIScheme;
import org.apache.hc.core5.http.config.RegistryBuilder;
import org.apache.hc.core5.io.CloseMode;
import org.apache.hc.core5.util.Timeout;

/**
 * The HTTP side of one {@code web-fetch}: Apache HttpClient with the {@link GuardedDnsResolver} as its only resolver,
 * so every connection goes to an address the {@link AddressGuard} let through. One instance per fetch, closed at its
 * end; nothing is shared between fetches, so the connect and read timeouts can shrink with what is left of the fetch.
 *
 * <p>Redirects are returned, not followed: the caller checks each target. The whole fetch has one deadline: the
 * timeouts never reach past it, and a request still running at the deadline is cancelled, which closes its connection
 * in the middle of a read, so a server trickling bytes cannot stretch it. The body is read up to a byte limit; a larger
 * one is an error, not a truncated page.
 */
final class GuardedHttpGet implements AutoCloseable {

    private static final String USER_AGENT = "Caravan-web-fetch/1.0";

    /** One timer thread cancels overdue requests of every fetch; it ends when no fetch has been made for a minute. */
    private static final ScheduledThreadPoolExecutor DEADLINES = deadlines();

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

    private final BasicHttpClientConnectionManager connections;
    private final CloseableHttpClient client;
    private final long deadline;

    /** @param deadline the end of the whole fetch, in {@link System#nanoTime()} terms */
    GuardedHttpGet(AddressGuard guard, long deadline) {
        this.deadline = deadline;
        var tls = RegistryBuilder.<TlsSocketStrategy>create()
                .register(URIScheme.HTTPS.id, DefaultClientTlsStrategy.createSystemDefault()).build();
        // no proxy, SOCKS included: a proxy would reach the host on its own terms, not at the checked address
        var operator = new DefaultHttpClientConnectionOperator(proxy -> new Socket(Proxy.NO_PROXY),
                DefaultSchemePortResolver.INSTANCE, new GuardedDnsResolver(guard), tls);
        this.connections = new BasicHttpClientConnectionManager(operator, ManagedHttpClientConnectionFactory.INSTANCE);
        this.client = HttpClients.custom()
                .setConnectionManager(connections)
                .disableRedirectHandling()
                .disableAutomaticRetries()
                // compressed bodies are refused rather than inflated past the byte limit
                .disableContentCompression()
                .disableCookieManagement()
                .disableAuthCaching()
                .setUserAgent(USER_AGENT)
                .build();
    }

    /** GETs {@code uri}, failing once the deadline passes. A redirect comes back without its body. */
    Response get(URI uri, long maxBytes) throws IOException {
        Timeout left = Timeout.ofMilliseconds(remainingMillis());
        connections.setConnectionConfig(ConnectionConfig.custom()
                .setConnectTimeout(left).setSocketTimeout(left).build());
        var request = new HttpGet(uri);
        request.setConfig(RequestConfig.custom().setResponseTimeout(left).build());
        request.setHeader("Accept", "text/html, application/xhtml+xml, text/plain, application/json;q=0.9");
        request.setHeader("Accept-Encoding", "identity");
        var overdue = DEADLINES.schedule(request::cancel, deadline - System.nanoTime(), TimeUnit.NANOSECONDS);
        ClassicHttpResponse response = null;
        try {
            response = client.executeOpen(null, request, null);
            var headers = new LinkedHashMap<String, String>();
            for (Header header : response.getHeaders()) {
                headers.put(header.getName().toLowerCase(Locale.ROOT), header.getValue().strip());
            }
            String reason = response.getReasonPhrase() == null ? "" : response.getReasonPhrase();
            var head = new Response(response.getCode(), reason, headers, new byte[0]);
            if (head.redirect() || response.getEntity() == null) {
                return head;
            }
            if (response.getEntity().getContentLength() > maxBytes) {
                throw new TooLarge();
            }
            try (InputStream body = response.getEntity().getContent()) {
                return new Response(head.status(), reason, headers, read(body, maxBytes));
            }
        } catch (TooLarge | TimedOut e) {
            throw e;
        } catch (InterruptedIOException e) {
            throw new TimedOut(); // connect or read timeout, or cancelled at the deadline
        } catch (IOException e) {
            if (System.nanoTime() - deadline >= 0) {
                throw new TimedOut(); // the cancel closed the connection under a read
            }
            throw e;
        } finally {
            overdue.cancel(false);
            if (response != null) {
                // immediately: a graceful close would read the rest of an unwanted or oversized body first
                CloseableHttpResponse.adapt(response).close(CloseMode.IMMEDIATE);
            }
        }
    }

    private byte[] read(InputStream in, long maxBytes) throws IOException {
        var body = new ByteArrayOutputStream();
        var buffer = new byte[8192];
        for (int n = in.read(buffer); n != -1; n = in.read(buffer)) {
            if (body.size() + (long) n > maxBytes) {
                throw new TooLarge();
            }
            body.write(buffer, 0, n);
            remainingMillis();
        }
        return body.toByteArray();
    }

    private long remainingMillis() throws TimedOut {
        long left = (deadline - System.nanoTime()) / 1_000_000;
        if (left <= 0) {
            throw new TimedOut();
        }
        return left;
    }

    @Override
    public void close() {
        client.close(CloseMode.IMMEDIATE);
    }

    private static ScheduledThreadPoolExecutor deadlines() {
        var executor = new ScheduledThreadPoolExecutor(1, task -> {
            var thread = new Thread(task, "web-fetch-deadline");
            thread.setDaemon(true);
            return thread;
        });
        executor.setRemoveOnCancelPolicy(true);
        executor.setKeepAliveTime(1, TimeUnit.MINUTES);
        executor.allowCoreThreadTimeOut(true);
        return executor;
    }
}
