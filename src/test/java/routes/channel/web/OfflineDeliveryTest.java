package routes.channel.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.data.redis.core.StringRedisTemplate;
import routes.support.CaravanIntegrationTest;
import routes.support.WsTestClient;

/** A WebSocket client that goes away before its reply is ready gets it when it comes back with the same chat. */
class OfflineDeliveryTest extends CaravanIntegrationTest {

    private static final Duration WAIT = Duration.ofSeconds(30);

    @Autowired
    StringRedisTemplate redis;

    @Test
    void replyReadyWhileAwayIsDeliveredOnReconnect() {
        MODEL.delay(Duration.ofMillis(800));
        String chat = uniqueChat("offline");
        try (WsTestClient first = WsTestClient.connect(baseUrl())) {
            first.sendMessage(chat, "away-1", "answer me later");
            first.awaitType("accepted", WAIT);
        }
        await().atMost(WAIT).until(() -> Boolean.TRUE.equals(redis.hasKey("caravan:mailbox:websocket:" + chat)));
        try (WsTestClient back = WsTestClient.connect(baseUrl(), chat)) {
            JsonNode reply = back.awaitReplyTo("away-1", WAIT);
            assertThat(reply.path("text").asText()).isEqualTo("echo: answer me later");
        }
        assertThat(redis.hasKey("caravan:mailbox:websocket:" + chat)).isFalse();
    }

    @Test
    void replyGoesToTheNewConnectionOfTheChatWhenTheSenderLeft() {
        MODEL.delay(Duration.ofMillis(1500));
        String chat = uniqueChat("moved");
        try (WsTestClient first = WsTestClient.connect(baseUrl())) {
            first.sendMessage(chat, "moved-1", "follow me");
            first.awaitType("accepted", WAIT);
        }
        try (WsTestClient second = WsTestClient.connect(baseUrl(), chat)) {
            assertThat(second.awaitReplyTo("moved-1", WAIT).path("text").asText()).isEqualTo("echo: follow me");
            assertThat(second.framesOfType("reply")).hasSize(1);
        }
    }
}
