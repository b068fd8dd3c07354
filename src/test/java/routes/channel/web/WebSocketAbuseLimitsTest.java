package routes.channel.web;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.net.http.WebSocketHandshakeException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import routes.support.CaravanIntegrationTest;
import routes.support.WsTestClient;

/** Limits that keep one client from exhausting the server: connections per address, frames per connection. */
class WebSocketAbuseLimitsTest extends CaravanIntegrationTest {

    private static final HttpClient CLIENT = HttpClient.newHttpClient();

    private WebSocket open() {
        return CLIENT.newWebSocketBuilder().connectTimeout(Duration.ofSeconds(5))
                .buildAsync(URI.create(baseUrl().replace("http", "ws") + "/ws"), new WebSocket.Listener() { })
                .orTimeout(10, TimeUnit.SECONDS).join();
    }

    @Test
    void oneAddressCannotHoldMoreThanItsShareOfConnections() {
        List<WebSocket> held = new ArrayList<>();
        WebSocketHandshakeException refused = null;
        try {
            while (held.size() <= 40 && refused == null) {
                try {
                    held.add(open());
                } catch (CompletionException e) {
                    refused = (WebSocketHandshakeException) e.getCause();
                }
            }
            assertThat(refused).as("refused at or before the 41st connection").isNotNull();
            assertThat(refused.getResponse().statusCode()).isEqualTo(429);
            assertThat(String.valueOf(refused.getResponse().body())).contains("too_many_connections");
            held.remove(0).sendClose(WebSocket.NORMAL_CLOSURE, "bye").join();
            org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(10)).ignoreExceptions()
                    .until(() -> held.add(open()));
        } finally {
            held.forEach(ws -> ws.abort());
        }
    }

    @Test
    void aConnectionSendingTooFastGetsRateLimitedFrames() {
        try (WsTestClient ws = WsTestClient.connect(baseUrl())) {
            for (int i = 0; i < 25; i++) {
                ws.send("{\"type\":\"noise\"}");
            }
            ws.await(f -> ws.frames().stream().filter(x -> "error".equals(x.path("type").asText())).count() >= 25,
                    Duration.ofSeconds(10));
            List<String> codes = ws.frames().stream().filter(f -> "error".equals(f.path("type").asText()))
                    .map(f -> f.path("code").asText()).toList();
            assertThat(codes).filteredOn("unknown_type"::equals).hasSize(20);
            assertThat(codes).filteredOn("rate_limited"::equals).hasSize(5);
        }
    }
}
