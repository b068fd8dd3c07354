package routes.channel.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import org.junit.jupiter.api.Test;
import routes.support.CaravanIntegrationTest;
import routes.support.WsTestClient;

/** The server pings every interval (2 s in tests); a client that never answers is closed, one that does stays. */
class WebSocketHeartbeatTest extends CaravanIntegrationTest {

    @Test
    void liveClientIsPingedAndKept() {
        try (WsTestClient ws = WsTestClient.connect(baseUrl())) {
            await().atMost(Duration.ofSeconds(15)).until(() -> ws.pings() >= 2);
            assertThat(ws.isClosed()).isFalse();
            ws.sendMessage(uniqueChat("alive"), "a1", "still talking");
            ws.awaitReplyTo("a1", Duration.ofSeconds(30));
        }
    }

    @Test
    void deadClientIsClosed() throws Exception {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", port), 5000);
            socket.setSoTimeout(20_000);
            String key = Base64.getEncoder().encodeToString("caravan-heartbeat".getBytes(StandardCharsets.UTF_8));
            OutputStream out = socket.getOutputStream();
            out.write(("GET /ws HTTP/1.1\r\nHost: 127.0.0.1:" + port + "\r\nUpgrade: websocket\r\n"
                    + "Connection: Upgrade\r\nSec-WebSocket-Key: " + key + "\r\nSec-WebSocket-Version: 13\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = socket.getInputStream();
            long started = System.nanoTime();
            // read pings and never answer them, until the server closes the connection
            int pings = 0;
            boolean sawCloseOrEnd = false;
            byte[] head = readUntilHeadersEnd(in);
            assertThat(new String(head, StandardCharsets.US_ASCII)).startsWith("HTTP/1.1 101");
            while (!sawCloseOrEnd) {
                int b0 = in.read();
                if (b0 < 0) {
                    sawCloseOrEnd = true;
                    break;
                }
                int opcode = b0 & 0x0f;
                int len = in.read() & 0x7f;
                if (len == 126) {
                    len = (in.read() << 8) | in.read();
                }
                in.readNBytes(len);
                if (opcode == 0x9) {
                    pings++;
                } else if (opcode == 0x8) {
                    sawCloseOrEnd = true;
                }
            }
            long elapsedMs = (System.nanoTime() - started) / 1_000_000;
            assertThat(pings).isGreaterThanOrEqualTo(1);
            assertThat(elapsedMs).isBetween(3_000L, 15_000L);
        }
    }

    private static byte[] readUntilHeadersEnd(InputStream in) throws Exception {
        var buffer = new java.io.ByteArrayOutputStream();
        int matched = 0;
        byte[] end = {'\r', '\n', '\r', '\n'};
        while (matched < 4) {
            int b = in.read();
            if (b < 0) {
                break;
            }
            buffer.write(b);
            matched = b == end[matched] ? matched + 1 : (b == '\r' ? 1 : 0);
        }
        return buffer.toByteArray();
    }
}
