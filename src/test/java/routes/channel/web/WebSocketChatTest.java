package routes.channel.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import routes.support.CaravanIntegrationTest;
import routes.support.WsTestClient;

class WebSocketChatTest extends CaravanIntegrationTest {

    private static final Duration WAIT = Duration.ofSeconds(30);

    @Test
    void messageIsAcceptedThenStreamedThenReplied() {
        String chat = uniqueChat("ws");
        try (WsTestClient ws = WsTestClient.connect(baseUrl())) {
            ws.sendMessage(chat, "m1", "hello there friend");
            JsonNode accepted = ws.awaitType("accepted", WAIT);
            assertThat(accepted.path("id").asText()).isEqualTo("m1");
            JsonNode reply = ws.awaitReplyTo("m1", WAIT);
            assertThat(reply.path("chatId").asText()).isEqualTo(chat);
            assertThat(reply.path("text").asText()).isEqualTo("echo: hello there friend");
            String streamed = ws.framesOfType("delta").stream()
                    .filter(f -> "m1".equals(f.path("inReplyTo").asText()))
                    .map(f -> f.path("text").asText())
                    .reduce("", String::concat);
            assertThat(streamed).isEqualTo("echo: hello there friend");
        }
    }

    @Test
    void concurrentRepliesOnOneConnectionStreamTheirDeltasBeforeTheirReply() {
        int replies = 4;
        try (WsTestClient ws = WsTestClient.connect(baseUrl())) {
            for (int i = 0; i < replies; i++) {
                ws.sendMessage(uniqueChat("ws-order"), "o" + i, ("token" + i + " ").repeat(60).trim());
            }
            for (int i = 0; i < replies; i++) {
                ws.awaitReplyTo("o" + i, WAIT);
            }
            List<JsonNode> frames = ws.frames();
            for (int i = 0; i < replies; i++) {
                String id = "o" + i;
                int replyAt = -1;
                StringBuilder streamed = new StringBuilder();
                for (int at = 0; at < frames.size(); at++) {
                    JsonNode f = frames.get(at);
                    if (!id.equals(f.path("inReplyTo").asText())) {
                        continue;
                    }
                    if ("reply".equals(f.path("type").asText())) {
                        replyAt = at;
                    } else {
                        assertThat(replyAt).as("a delta of %s after its reply", id).isEqualTo(-1);
                        assertThat(f.path("type").asText()).isEqualTo("delta");
                        streamed.append(f.path("text").asText());
                    }
                }
                assertThat(streamed).as(id).hasToString(frames.get(replyAt).path("text").asText());
            }
            // the frame format is a public contract: same fields, same order
            assertThat(ws.framesOfType("delta")).allSatisfy(f ->
                    assertThat(f.fieldNames()).toIterable().containsExactly("type", "inReplyTo", "chatId", "text"));
            assertThat(ws.framesOfType("reply")).allSatisfy(f ->
                    assertThat(f.fieldNames()).toIterable().containsExactly("type", "inReplyTo", "chatId", "text"));
        }
    }

    @Test
    void chatIdDefaultsToTheConnectionAndIdIsGenerated() {
        try (WsTestClient ws = WsTestClient.connect(baseUrl())) {
            ws.send("{\"type\":\"message\",\"text\":\"no ids\"}");
            JsonNode accepted = ws.awaitType("accepted", WAIT);
            String id = accepted.path("id").asText();
            assertThat(id).isNotBlank();
            JsonNode reply = ws.awaitReplyTo(id, WAIT);
            assertThat(reply.path("chatId").asText()).startsWith("ws-");
        }
    }

    @Test
    void twoTurnConversationSendsHistoryToTheModel() {
        String chat = uniqueChat("ws-history");
        try (WsTestClient ws = WsTestClient.connect(baseUrl())) {
            ws.sendMessage(chat, "t1", "my name is Ada");
            ws.awaitReplyTo("t1", WAIT);
            ws.sendMessage(chat, "t2", "what is my name?");
            ws.awaitReplyTo("t2", WAIT);
        }
        JsonNode second = MODEL.requests().stream()
                .filter(r -> r.toString().contains("what is my name?"))
                .findFirst().orElseThrow();
        List<String> contents = second.path("messages").findValuesAsText("content");
        assertThat(contents).containsSubsequence("my name is Ada", "echo: my name is Ada", "what is my name?");
    }

    @Test
    void sameClientIdSentTwiceGivesOneReply() {
        String chat = uniqueChat("ws-dedupe");
        try (WsTestClient ws = WsTestClient.connect(baseUrl())) {
            ws.sendMessage(chat, "dup-1", "only once please");
            ws.sendMessage(chat, "dup-1", "only once please");
            ws.sendMessage(chat, "after", "a later message");
            // the later message of the same chat is answered after both copies were processed (per-chat order)
            ws.awaitReplyTo("after", WAIT);
            assertThat(ws.framesOfType("reply").stream()
                    .filter(f -> "dup-1".equals(f.path("inReplyTo").asText()))).hasSize(1);
        }
        assertThat(modelCallsFor("only once please"))
                .as("a rebalance between test instances may repeat a model call; never the reply")
                .isBetween(1L, 2L);
    }

    @Test
    void badFramesGetErrorFramesAndTheConnectionStaysUsable() {
        String chat = uniqueChat("ws-bad");
        try (WsTestClient ws = WsTestClient.connect(baseUrl())) {
            ws.send("{not json");
            ws.await(f -> "bad_json".equals(f.path("code").asText()), WAIT);
            ws.send("{\"type\":\"message\",\"chatId\":\"" + chat + "\"}");
            ws.await(f -> "missing_text".equals(f.path("code").asText()), WAIT);
            ws.send("{\"type\":\"subscribe\"}");
            ws.await(f -> "unknown_type".equals(f.path("code").asText()), WAIT);
            ws.sendMessage(chat, "big", "x".repeat(32 * 1024 + 1));
            JsonNode tooLarge = ws.await(f -> "text_too_large".equals(f.path("code").asText()), WAIT);
            assertThat(tooLarge.path("type").asText()).isEqualTo("error");
            assertThat(tooLarge.path("id").asText()).isEqualTo("big");
            ws.send("{\"type\":\"message\",\"text\":\"" + "y".repeat(1024 * 1024) + "\"}");
            ws.await(f -> "text_too_large".equals(f.path("code").asText()) && !f.has("id"), WAIT);
            ws.send("[1,2,3]");
            ws.await(f -> f.path("message").asText().contains("JSON object"), WAIT);
            ws.send("{\"type\":\"message\",\"text\":42}");
            ws.await(f -> "invalid_text".equals(f.path("code").asText()), WAIT);

            ws.sendMessage(chat, "ok", "still here?");
            assertThat(ws.awaitReplyTo("ok", WAIT).path("text").asText()).isEqualTo("echo: still here?");
            assertThat(ws.isClosed()).isFalse();
        }
        assertThat(MODEL.requests().stream().filter(r -> r.toString().contains("xxxxxxxx"))).isEmpty();
    }

    @Test
    void providerFailureGivesAClearReply() {
        MODEL.failAlways(500);
        String chat = uniqueChat("ws-fail");
        try (WsTestClient ws = WsTestClient.connect(baseUrl())) {
            ws.sendMessage(chat, "f1", "are you there?");
            JsonNode reply = ws.awaitReplyTo("f1", WAIT);
            assertThat(reply.path("text").asText()).contains("could not answer").contains("HTTP 500");
            assertThat(reply.path("error").asText()).isEqualTo("provider_error");
        } finally {
            MODEL.recover();
        }
    }

    @Test
    void providerTimeoutGivesAClearReply() {
        MODEL.hangNext(1);
        String chat = uniqueChat("ws-timeout");
        try (WsTestClient ws = WsTestClient.connect(baseUrl())) {
            ws.sendMessage(chat, "h1", "hello?");
            JsonNode reply = ws.awaitReplyTo("h1", WAIT);
            assertThat(reply.path("text").asText()).contains("took too long");
            assertThat(reply.path("error").asText()).isEqualTo("provider_timeout");
            // the conversation goes on afterwards
            ws.sendMessage(chat, "h2", "now?");
            await().atMost(WAIT).until(() -> ws.framesOfType("reply").stream()
                    .anyMatch(f -> "h2".equals(f.path("inReplyTo").asText())
                            && "echo: now?".equals(f.path("text").asText())));
        }
    }
}
