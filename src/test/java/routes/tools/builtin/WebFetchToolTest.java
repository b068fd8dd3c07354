package routes.tools.builtin;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.util.unit.DataSize;

/**
 * web-fetch against real HTTP servers on loopback. The servers are reachable only because their exact
 * {@code 127.0.0.1:port} is on the allowlist; every other loopback or private target stays refused.
 */
class WebFetchToolTest {

    private final ExecutorService threads = Executors.newCachedThreadPool();
    private final CountDownLatch release = new CountDownLatch(1);
    private HttpServer site;
    private HttpServer other;
    private final AtomicInteger otherHits = new AtomicInteger();
    private final AtomicReference<String> hostHeader = new AtomicReference<>();
    private final WebFetchProperties properties = new WebFetchProperties();

    @BeforeEach
    void startServers() throws IOException {
        site = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        site.setExecutor(threads);
        other = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        other.setExecutor(threads);
        other.createContext("/", exchange -> {
            otherHits.incrementAndGet();
            respond(exchange, 200, "text/plain", "the other server");
        });
        site.createContext("/page.html", exchange -> {
            hostHeader.set(exchange.getRequestHeaders().getFirst("Host"));
            respond(exchange, 200, "text/html; charset=utf-8", """
                    <!doctype html><html><head><title>Caravan  Notes</title>
                    <style>body { color: red }</style><script>var secret = "do not show";</script></head>
                    <body><h1>Welcome</h1><p>First   paragraph
                    continues here.</p><ul><li>one</li><li>two</li></ul>
                    <noscript>enable scripts</noscript><p>Caf\u00e9 &amp; more</p></body></html>""");
        });
        site.createContext("/notes.txt", exchange -> respond(exchange, 200, "text/plain", "line one\nline two\n"));
        site.createContext("/data.json", exchange -> respond(exchange, 200, "application/json", "{\"a\":[1,2]}"));
        site.createContext("/image.png", exchange -> respond(exchange, 200, "image/png", "\u0089PNG"));
        site.createContext("/missing", exchange -> respond(exchange, 404, "text/plain", "nope"));
        site.createContext("/to-page", redirect("/page.html"));
        site.createContext("/loop", redirect("/loop"));
        site.createContext("/to-metadata", redirect("http://169.254.169.254/latest/meta-data/"));
        site.createContext("/to-file", redirect("file:///etc/passwd"));
        site.createContext("/to-other", exchange -> redirect("http://127.0.0.1:" + other.getAddress().getPort() + "/")
                .handle(exchange));
        site.createContext("/big", exchange -> respond(exchange, 200, "text/plain", "x".repeat(5000)));
        site.createContext("/big-chunked", exchange -> {
            exchange.getResponseHeaders().set("Content-Type", "text/plain");
            exchange.sendResponseHeaders(200, 0); // no length: chunked
            try (OutputStream out = exchange.getResponseBody()) {
                for (int i = 0; i < 50; i++) {
                    out.write("y".repeat(200).getBytes(StandardCharsets.US_ASCII));
                }
            }
        });
        site.createContext("/tiny-chunks", exchange -> {
            exchange.getResponseHeaders().set("Content-Type", "text/plain");
            exchange.sendResponseHeaders(200, 0);
            try (OutputStream out = exchange.getResponseBody()) {
                for (int i = 0; i < 20_000; i++) {
                    out.write('z');
                    out.flush(); // one chunk per byte
                }
            }
        });
        site.createContext("/slow", exchange -> {
            try {
                release.await(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            respond(exchange, 200, "text/plain", "too late");
        });
        site.createContext("/trickle", exchange -> {
            exchange.getResponseHeaders().set("Content-Type", "text/plain");
            exchange.sendResponseHeaders(200, 1000);
            try (OutputStream out = exchange.getResponseBody()) {
                for (int i = 0; i < 1000; i++) {
                    out.write('t');
                    out.flush();
                    if (release.await(50, TimeUnit.MILLISECONDS)) {
                        return;
                    }
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        site.start();
        other.start();
        properties.setAllowedHosts(List.of("127.0.0.1:" + site.getAddress().getPort()));
        properties.setTimeout(Duration.ofSeconds(5));
    }

    @AfterEach
    void stopServers() {
        release.countDown();
        site.stop(0);
        other.stop(0);
        threads.shutdownNow();
    }

    private static HttpHandler redirect(String location) {
        return exchange -> {
            exchange.getResponseHeaders().set("Location", location);
            exchange.sendResponseHeaders(302, -1);
            exchange.close();
        };
    }

    private static void respond(HttpExchange exchange, int status, String contentType, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", contentType);
        exchange.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }

    private WebFetchTool tool() {
        return new WebFetchTool(AddressGuard.system(properties.getAllowedHosts()), properties);
    }

    private String site(String path) {
        return "http://127.0.0.1:" + site.getAddress().getPort() + path;
    }

    private String fetch(String url) {
        return tool().run(ToolInput.parse("{\"url\":\"" + url + "\"}"));
    }

    @Test
    void htmlBecomesReadableText() {
        assertThat(fetch(site("/page.html"))).isEqualTo("URL: " + site("/page.html") + "\n"
                + "Title: Caravan Notes\n\n"
                + "Welcome\nFirst paragraph continues here.\none\ntwo\nCaf\u00e9 & more");
    }

    @Test
    void plainTextAndJsonComeBackAsTheyAre() {
        assertThat(fetch(site("/notes.txt"))).isEqualTo("URL: " + site("/notes.txt") + "\nline one\nline two\n");
        assertThat(fetch(site("/data.json"))).endsWith("\n{\"a\":[1,2]}");
    }

    @Test
    void otherContentTypesAreRefused() {
        assertThat(fetch(site("/image.png"))).isEqualTo("refused: content type image/png is not text, HTML or JSON");
    }

    @Test
    void anHttpErrorIsReported() {
        assertThat(fetch(site("/missing"))).isEqualTo("failed: HTTP 404 Not Found");
    }

    @Test
    void aRedirectWithinTheAllowedHostIsFollowed() {
        assertThat(fetch(site("/to-page"))).startsWith("URL: " + site("/page.html") + "\nTitle: Caravan Notes");
    }

    @Test
    void aRedirectToAnotherLoopbackPortIsRefused() {
        assertThat(fetch(site("/to-other"))).isEqualTo("refused: loopback address");
        assertThat(otherHits).hasValue(0);
    }

    @Test
    void aRedirectToTheMetadataAddressIsRefused() {
        assertThat(fetch(site("/to-metadata"))).isEqualTo("refused: link-local address");
    }

    @Test
    void aRedirectToAnotherSchemeIsRefused() {
        assertThat(fetch(site("/to-file"))).isEqualTo("refused: only http and https URLs can be fetched");
    }

    @Test
    void redirectsStopAfterTheLimit() {
        assertThat(fetch(site("/loop"))).isEqualTo("refused: more than 3 redirects");
    }

    @Test
    void loopbackIsRefusedUnlessListedExactly() {
        assertThat(fetch("http://127.0.0.1:" + other.getAddress().getPort() + "/"))
                .isEqualTo("refused: loopback address");
        assertThat(fetch("http://localhost:" + site.getAddress().getPort() + "/notes.txt"))
                .isEqualTo("refused: loopback address");
        assertThat(fetch("http://[::1]:" + site.getAddress().getPort() + "/notes.txt"))
                .isEqualTo("refused: loopback address");
        assertThat(otherHits).hasValue(0);
    }

    @Test
    void theBodySizeLimitHolds() {
        properties.setMaxBytes(DataSize.ofBytes(4096));
        assertThat(fetch(site("/big"))).isEqualTo("refused: the response is larger than 4096 bytes");
        assertThat(fetch(site("/big-chunked"))).isEqualTo("refused: the response is larger than 4096 bytes");
        properties.setMaxBytes(DataSize.ofBytes(10_000));
        assertThat(fetch(site("/big-chunked"))).endsWith("y".repeat(200));
    }

    @Test
    void aBodyInManySmallChunksIsReadWhole() {
        assertThat(fetch(site("/tiny-chunks"))).endsWith("\n" + "z".repeat(20_000));
    }

    @Test
    void theTimeLimitHolds() {
        properties.setTimeout(Duration.ofMillis(400));
        long started = System.nanoTime();

        assertThat(fetch(site("/slow"))).isEqualTo("failed: no complete answer within 400 ms");
        assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(5));
    }

    @Test
    void aBodyTrickledByteByByteDoesNotStretchTheTimeLimit() {
        properties.setTimeout(Duration.ofMillis(400));
        long started = System.nanoTime();

        assertThat(fetch(site("/trickle"))).isEqualTo("failed: no complete answer within 400 ms");
        assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(2));
    }

    @Test
    void longTextIsCutForTheModel() {
        properties.setMaxChars(100);
        assertThat(fetch(site("/big"))).endsWith("x".repeat(100) + "\n[cut: the page is longer than 100 characters]");
    }

    @Test
    void theConnectionGoesToTheAddressCheckedWithoutASecondLookup() {
        int port = site.getAddress().getPort();
        var lookups = new AtomicInteger();
        AddressGuard.Resolver resolver = host -> {
            if (!host.equals("wiki.corp")) {
                throw new UnknownHostException(host);
            }
            // a rebinding resolver: public on first sight would be the attack; here the first answer is what is used
            return new InetAddress[] {lookups.getAndIncrement() == 0 ? InetAddress.getLoopbackAddress()
                    : InetAddress.getByName("192.0.2.1")};
        };
        var listed = new WebFetchTool(new AddressGuard(resolver, List.of("wiki.corp:" + port)), properties);

        String result = listed.run(ToolInput.parse("{\"url\":\"http://wiki.corp:" + port + "/page.html\"}"));

        assertThat(result).contains("Title: Caravan Notes");
        assertThat(lookups).hasValue(1);
        assertThat(hostHeader).hasValue("wiki.corp:" + port);
    }

    @Test
    void aNameResolvingToAPrivateAddressIsRefusedBeforeConnecting() {
        var guard = new AddressGuard(host -> new InetAddress[] {InetAddress.getByName("10.0.0.1")}, List.of());
        String result = new WebFetchTool(guard, properties)
                .run(ToolInput.parse("{\"url\":\"https://intranet.example/\"}"));
        assertThat(result).isEqualTo("refused: private address");
    }

    @Test
    void badUrlsAreRefused() {
        assertThat(fetch("file:///etc/passwd")).isEqualTo("refused: only http and https URLs can be fetched");
        assertThat(fetch("http://exa mple.org/")).isEqualTo("refused: not a valid URL");
    }
}
