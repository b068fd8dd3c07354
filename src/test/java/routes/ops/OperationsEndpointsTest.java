package routes.ops;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.Test;
import routes.support.CaravanIntegrationTest;

class OperationsEndpointsTest extends CaravanIntegrationTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void healthIsUpWithKafkaAndRedisReachable() throws Exception {
        HttpResponse<String> response = get("/actuator/health");
        assertThat(response.statusCode()).isEqualTo(200);
        JsonNode health = JSON.readTree(response.body());
        assertThat(health.path("status").asText()).isEqualTo("UP");
        assertThat(health.path("components").path("kafka").path("status").asText()).isEqualTo("UP");
        assertThat(health.path("components").path("redis").path("status").asText()).isEqualTo("UP");
        assertThat(health.path("components").path("routes").path("details").path("camel").asText())
                .isEqualTo("Started");
    }

    @Test
    void prometheusShowsCaravanAndCamelMetrics() throws Exception {
        HttpResponse<String> response = get("/actuator/prometheus");
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body())
                .contains("caravan_consumer_inflight{", "caravan_consumer_restarts_total{", "caravan_websocket_connections",
                        "caravan_http_pending_replies")
                .contains("camel_exchanges_total", "camel_route_policy_seconds_count{")
                // per route, not per endpoint sent to as well
                .doesNotContain("camel_exchange_event_notifier");
    }

    @org.springframework.beans.factory.annotation.Autowired
    private KafkaLagMonitor lagMonitor;

    @Test
    void prometheusShowsTrafficLagAndDeadLetters() throws Exception {
        String chat = uniqueChat("metrics");
        assertThat(postJson("/api/v1/messages", "{\"chatId\":\"" + chat + "\",\"text\":\"count me\"}")
                .statusCode()).isEqualTo(202);
        lagMonitor.refresh();
        String metrics = get("/actuator/prometheus").body();
        assertThat(metrics).containsPattern("caravan_messages_in_total\\{[^}]*channel=\"rest\"[^}]*} [1-9]")
                .containsPattern("caravan_kafka_consumer_lag\\{[^}]*group=\"caravan-pipeline\"[^}]*"
                        + "topic=\"caravan.inbound\"")
                .contains("caravan_dlq_messages");
    }

    @Test
    void lagIsReportedForAnInboundTopicThePipelineHasNotConsumedYet() throws Exception {
        lagMonitor.refresh();
        // nothing in the tests is low priority: the group has never committed on that topic
        assertThat(get("/actuator/prometheus").body())
                .containsPattern("caravan_kafka_consumer_lag\\{[^}]*group=\"caravan-pipeline\"[^}]*"
                        + "topic=\"caravan.inbound.low\"} 0");
    }

    @Test
    void webChatPageIsServedAtTheRoot() throws Exception {
        HttpResponse<String> page = get("/");
        assertThat(page.statusCode()).isEqualTo(200);
        assertThat(page.body()).contains("<title>").contains("Caravan").contains("app.js");
        assertThat(get("/app.js").body()).contains("/ws");
    }

    @Test
    void unknownPathsGetAJsonError() throws Exception {
        HttpResponse<String> response = get("/api/v1/nothing-here");
        assertThat(response.statusCode()).isEqualTo(404);
        assertThat(JSON.readTree(response.body()).path("error").path("code").asText()).isEqualTo("not_found");
    }
}
