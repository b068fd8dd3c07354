package routes.ops;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import routes.support.CaravanIntegrationTest;

/**
 * The Hawtio console and the JMX it shows: the console is served, Camel's routes are MBeans read over Jolokia, and
 * a route suspended through JMX is suspended in Camel.
 */
class HawtioConsoleTest extends CaravanIntegrationTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @org.springframework.beans.factory.annotation.Autowired
    private org.apache.camel.CamelContext camel;

    private JsonNode jolokia(String json) throws Exception {
        HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(uri("/actuator/jolokia"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json)).timeout(Duration.ofSeconds(20)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).isEqualTo(200);
        return JSON.readTree(response.body());
    }

    @Test
    void theConsoleIsServedAtHawtio() throws Exception {
        HttpResponse<String> redirect = get("/hawtio");
        assertThat(redirect.statusCode()).isEqualTo(302);
        assertThat(redirect.headers().firstValue("Location")).hasValue("/actuator/hawtio/");
        HttpResponse<String> page = get("/actuator/hawtio/");
        assertThat(page.statusCode()).isEqualTo(200);
        assertThat(page.body()).containsIgnoringCase("hawtio");
    }

    @Test
    void aRouteCanBeSuspendedAndResumedOverJmx() throws Exception {
        String route = "org.apache.camel:context=" + camel.getManagementName() + ",type=routes,name=\\\"rest-egress\\\"";
        JsonNode state = jolokia("{\"type\":\"read\",\"mbean\":\"" + route + "\",\"attribute\":\"State\"}");
        assertThat(state.toString()).contains("Started");
        assertThat(jolokia("{\"type\":\"exec\",\"mbean\":\"" + route + "\",\"operation\":\"suspend()\"}").path("status").asInt()).isEqualTo(200);
        try {
            assertThat(jolokia("{\"type\":\"read\",\"mbean\":\"" + route + "\",\"attribute\":\"State\"}").toString())
                    .contains("Suspended");
        } finally {
            jolokia("{\"type\":\"exec\",\"mbean\":\"" + route + "\",\"operation\":\"resume()\"}");
        }
        assertThat(jolokia("{\"type\":\"read\",\"mbean\":\"" + route + "\",\"attribute\":\"State\"}").toString())
                .contains("Started");
    }
}
