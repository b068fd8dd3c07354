package routes.channel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Duration;
import java.util.Map;
import org.apache.camel.CamelExecutionException;
import org.apache.camel.ProducerTemplate;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import routes.support.CaravanIntegrationTest;
import routes.support.WsTestClient;

/** A broadcast reaches every member chat of its group through each channel's egress, once. */
class BroadcastRouteTest extends CaravanIntegrationTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Autowired
    ProducerTemplate producer;

    @Test
    void everyMemberChatGetsTheMessageOnce() throws Exception {
        String id = uniqueChat("b");
        try (WsTestClient ws = WsTestClient.connect(baseUrl(), "bcast-ws")) {
            Object members = producer.requestBodyAndHeaders("direct:broadcast", "maintenance at noon",
                    Map.of(BroadcastRoute.GROUP, "ops", BroadcastRoute.BROADCAST_ID, id));
            assertThat(members).isEqualTo(2);
            // the same broadcast id again is delivered once
            producer.requestBodyAndHeaders("direct:broadcast", "maintenance at noon",
                    Map.of(BroadcastRoute.GROUP, "ops", BroadcastRoute.BROADCAST_ID, id));
            ws.await(f -> "reply".equals(f.path("type").asText())
                    && ("broadcast-" + id).equals(f.path("inReplyTo").asText()), Duration.ofSeconds(30));
            await().atMost(Duration.ofSeconds(30)).until(() -> "replied".equals(
                    JSON.readTree(get("/api/v1/messages/broadcast-" + id).body()).path("status").asText()));
            await().during(Duration.ofSeconds(1)).atMost(Duration.ofSeconds(3)).until(() ->
                    ws.framesOfType("reply").stream()
                            .filter(f -> ("broadcast-" + id).equals(f.path("inReplyTo").asText())).count() == 1);
        }
    }

    @Test
    void unknownGroupIsRefused() {
        assertThatThrownBy(() -> producer.requestBodyAndHeader("direct:broadcast", "x", BroadcastRoute.GROUP, "nope"))
                .isInstanceOf(CamelExecutionException.class)
                .hasRootCauseMessage("no broadcast group 'nope'");
    }
}
