package routes.channel.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.Socket;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import routes.support.CaravanIntegrationTest;

class MessagesApiTest extends CaravanIntegrationTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void postIsAcceptedAndTheReplyCanBeFetched() throws Exception {
        String chat = uniqueChat("rest");
        HttpResponse<String> posted = postJson("/api/v1/messages",
                "{\"chatId\":\"" + chat + "\",\"senderId\":\"u1\",\"text\":\"ping over rest\"}");
        assertThat(posted.statusCode()).isEqualTo(202);
        JsonNode body = JSON.readTree(posted.body());
        assertThat(body.path("status").asText()).isEqualTo("accepted");
        String id = body.path("id").asText();
        assertThat(id).isNotBlank();

        JsonNode replied = await().atMost(Duration.ofSeconds(30)).until(
                () -> JSON.readTree(get("/api/v1/messages/" + id).body()),
                n -> "replied".equals(n.path("status").asText()));
        assertThat(replied.path("chatId").asText()).isEqualTo(chat);
        assertThat(replied.path("reply").path("text").asText()).isEqualTo("echo: ping over rest");
    }

    @Test
    void clientIdMakesARetryIdempotent() throws Exception {
        String chat = uniqueChat("rest-dup");
        String payload = "{\"id\":\"" + chat + "-m\",\"chatId\":\"" + chat + "\",\"text\":\"say it once\"}";
        assertThat(postJson("/api/v1/messages", payload).statusCode()).isEqualTo(202);
        assertThat(postJson("/api/v1/messages", payload).statusCode()).isEqualTo(202);
        assertThat(postJson("/api/v1/messages", "{\"chatId\":\"" + chat + "\",\"text\":\"after\"}").statusCode())
                .isEqualTo(202);
        await().atMost(Duration.ofSeconds(30)).until(
                () -> modelCallsFor("after") == 1);
        assertThat(modelCallsFor("say it once"))
                .as("a rebalance between test instances may repeat a model call; never the reply")
                .isBetween(1L, 2L);
    }

    @Test
    void unknownIdIs404WithJsonError() throws Exception {
        HttpResponse<String> response = get("/api/v1/messages/does-not-exist");
        assertThat(response.statusCode()).isEqualTo(404);
        assertThat(JSON.readTree(response.body()).path("error").path("code").asText()).isEqualTo("not_found");
    }

    @Test
    void badInputGetsA4xxJsonError() throws Exception {
        assertError(postJson("/api/v1/messages", "{\"chatId\":"), 400, "bad_json");
        assertError(postJson("/api/v1/messages", "{\"chatId\":\"c\"}"), 400, "missing_text");
        assertError(postJson("/api/v1/messages", "{\"chatId\":\"c\",\"text\":\"   \"}"), 400, "missing_text");
        assertError(postJson("/api/v1/messages", "{\"text\":\"hi\"}"), 400, "missing_chatId");
        assertError(postJson("/api/v1/messages", "{\"chatId\":\"c\",\"text\":[1]}"), 400, "invalid_text");
        assertError(postJson("/api/v1/messages", "[]"), 400, "bad_json");
        assertError(postJson("/api/v1/messages",
                "{\"chatId\":\"c\",\"text\":\"" + "é".repeat(16 * 1024 + 1) + "\"}"), 413, "text_too_large");
        HttpResponse<String> wrongType = HTTP.send(java.net.http.HttpRequest.newBuilder(uri("/api/v1/messages"))
                .header("Content-Type", "text/plain")
                .POST(java.net.http.HttpRequest.BodyPublishers.ofString("hi")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertError(wrongType, 415, "unsupported_media_type");
        byte[] huge = new byte[9 * 1024 * 1024];
        Arrays.fill(huge, (byte) 'a');
        HttpResponse<String> tooBig = HTTP.send(java.net.http.HttpRequest.newBuilder(uri("/api/v1/messages"))
                .header("Content-Type", "application/json")
                .POST(java.net.http.HttpRequest.BodyPublishers.ofByteArray(huge)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertError(tooBig, 413, "body_too_large");
    }

    @Test
    void aClientThatSendsTheWholeOversizedBodyFirstStillReadsThe413() throws Exception {
        // like an HTTP/1.1 client that writes its whole request before reading: the server must take the body it
        // refuses, or closing the connection with the body unread resets it and the 413 is lost on the way
        int size = 9 * 1024 * 1024;
        try (var socket = new Socket("127.0.0.1", uri("/").getPort())) {
            socket.setSoTimeout(30_000);
            var out = socket.getOutputStream();
            out.write(("POST /api/v1/messages HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                    + "Content-Length: " + size + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            byte[] chunk = new byte[64 * 1024];
            Arrays.fill(chunk, (byte) 'a');
            for (int sent = 0; sent < size; sent += chunk.length) {
                out.write(chunk, 0, Math.min(chunk.length, size - sent));
            }
            out.flush();
            String answer = new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(answer).startsWith("HTTP/1.1 413").contains("\"body_too_large\"");
        }
    }

    @Test
    void acceptHeaderNoAnswerCanMeetIs406WithJsonError() throws Exception {
        String chat = uniqueChat("rest-accept");
        HttpResponse<String> post = HTTP.send(java.net.http.HttpRequest.newBuilder(uri("/api/v1/messages"))
                .header("Content-Type", "application/json")
                .header("Accept", "text/plain")
                .POST(java.net.http.HttpRequest.BodyPublishers.ofString(
                        "{\"chatId\":\"" + chat + "\",\"text\":\"not for plain text\"}")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertError(post, 406, "not_acceptable");
        HttpResponse<String> status = HTTP.send(java.net.http.HttpRequest.newBuilder(uri("/api/v1/messages/m1"))
                .header("Accept", "application/xml").GET().build(), HttpResponse.BodyHandlers.ofString());
        assertError(status, 406, "not_acceptable");
        HttpResponse<String> models = HTTP.send(java.net.http.HttpRequest.newBuilder(uri("/v1/models"))
                .header("Accept", "garbage").GET().build(), HttpResponse.BodyHandlers.ofString());
        assertError(models, 406, "not_acceptable");
    }

    @Test
    void unreadableMultipartBodyIs400WithJsonError() throws Exception {
        HttpResponse<String> response = HTTP.send(java.net.http.HttpRequest.newBuilder(uri("/api/v1/messages"))
                .header("Content-Type", "multipart/form-data; boundary=x")
                .POST(java.net.http.HttpRequest.BodyPublishers.ofString("{\"chatId\":\"c\",\"text\":\"hi\"}")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertError(response, 400, "bad_multipart");
    }

    private static void assertError(HttpResponse<String> response, int status, String code) throws Exception {
        assertThat(response.statusCode()).as(response.body()).isEqualTo(status);
        assertThat(response.headers().firstValue("Content-Type").orElse("")).startsWith("application/json");
        JsonNode error = JSON.readTree(response.body()).path("error");
        assertThat(error.path("code").asText()).isEqualTo(code);
        assertThat(error.path("message").asText()).isNotBlank();
    }
}
