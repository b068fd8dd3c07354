package routes.support;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.awaitility.Awaitility;

/** A real WebSocket client (the JDK's) that records every frame the server sends. */
public final class WsTestClient implements AutoCloseable {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final List<JsonNode> frames = new CopyOnWriteArrayList<>();
    private final List<String> raw = new CopyOnWriteArrayList<>();
    private volatile boolean closed;
    private volatile int pings;
    private final WebSocket socket;

    private WsTestClient(URI uri) {
        this.socket = HttpClient.newHttpClient().newWebSocketBuilder()
                .connectTimeout(Duration.ofSeconds(5))
                .buildAsync(uri, new WebSocket.Listener() {
                    private final StringBuilder partial = new StringBuilder();

                    @Override
                    public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
                        partial.append(data);
                        if (last) {
                            String text = partial.toString();
                            partial.setLength(0);
                            raw.add(text);
                            try {
                                frames.add(JSON.readTree(text));
                            } catch (Exception e) {
                                frames.add(JSON.createObjectNode().put("type", "unparseable").put("raw", text));
                            }
                        }
                        ws.request(1);
                        return null;
                    }

                    @Override
                    public CompletionStage<?> onPing(WebSocket ws, ByteBuffer message) {
                        pings++;
                        return WebSocket.Listener.super.onPing(ws, message);
                    }

                    @Override
                    public CompletionStage<?> onClose(WebSocket ws, int statusCode, String reason) {
                        closed = true;
                        return null;
                    }

                    @Override
                    public void onError(WebSocket ws, Throwable error) {
                        closed = true;
                    }
                })
                .orTimeout(10, TimeUnit.SECONDS)
                .join();
    }

    /** Connects to exactly {@code uri} ({@code ws://…/ws?…}). */
    public static WsTestClient connect(URI uri) {
        return new WsTestClient(uri);
    }

    public static WsTestClient connect(String baseHttpUrl) {
        return new WsTestClient(URI.create(baseHttpUrl.replaceFirst("^http", "ws") + "/ws"));
    }

    /** Connects as a returning client of {@code chatId} ({@code /ws?chatId=…}). */
    public static WsTestClient connect(String baseHttpUrl, String chatId) {
        return new WsTestClient(URI.create(baseHttpUrl.replaceFirst("^http", "ws") + "/ws?chatId="
                + java.net.URLEncoder.encode(chatId, java.nio.charset.StandardCharsets.UTF_8)));
    }

    public void send(String text) {
        socket.sendText(text, true).orTimeout(5, TimeUnit.SECONDS).join();
    }

    public void sendMessage(String chatId, String id, String text) {
        var node = JSON.createObjectNode().put("type", "message").put("text", text);
        if (chatId != null) {
            node.put("chatId", chatId);
        }
        if (id != null) {
            node.put("id", id);
        }
        send(node.toString());
    }

    /** Waits for a frame matching {@code test} and returns the first one. */
    public JsonNode await(Predicate<JsonNode> test, Duration timeout) {
        return Awaitility.await().atMost(timeout).until(
                () -> frames.stream().filter(test).findFirst().orElse(null), f -> f != null);
    }

    public JsonNode awaitType(String type, Duration timeout) {
        return await(f -> type.equals(f.path("type").asText()), timeout);
    }

    public JsonNode awaitReplyTo(String id, Duration timeout) {
        return await(f -> "reply".equals(f.path("type").asText()) && id.equals(f.path("inReplyTo").asText()),
                timeout);
    }

    public List<JsonNode> frames() {
        return new ArrayList<>(frames);
    }

    public List<JsonNode> framesOfType(String type) {
        return frames.stream().filter(f -> type.equals(f.path("type").asText())).toList();
    }

    public boolean isClosed() {
        return closed;
    }

    public int pings() {
        return pings;
    }

    @Override
    public void close() {
        if (!closed) {
            socket.sendClose(WebSocket.NORMAL_CLOSURE, "bye");
        }
    }
}
