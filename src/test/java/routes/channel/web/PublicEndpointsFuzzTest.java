package routes.channel.web;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import routes.support.CaravanIntegrationTest;

/**
 * Fuzzed requests to every public endpoint of the running gateway, over real HTTP: whatever comes in, the answer is
 * never a 5xx, a 4xx carries a JSON error, and the gateway keeps answering. A normal build replays the stored
 * inputs ({@code PublicEndpointsFuzzTestInputs}); {@code JAZZER_FUZZ=1 ./mvnw test -Dtest=PublicEndpointsFuzzTest}
 * fuzzes for {@code maxDuration}.
 */
class PublicEndpointsFuzzTest extends CaravanIntegrationTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    private static final String[][] ENDPOINTS = {
        {"POST", "/api/v1/messages"}, {"GET", "/api/v1/messages/"}, {"POST", "/v1/chat/completions"},
        {"GET", "/v1/models/"}, {"PUT", "/admin/profile"}, {"POST", "/admin/pairing"}, {"POST", "/mcp"},
        {"POST", "/admin/dlq/redrive"}, {"DELETE", "/admin/users/"}, {"POST", "/webhooks/telegram"},
        {"POST", "/webhooks/slack"}, {"POST", "/webhooks/whatsapp"}, {"POST", "/webhooks/feishu"}};

    private static final String[] CONTENT_TYPES = {"application/json", "text/plain", "application/x-www-form-urlencoded",
        "multipart/form-data; boundary=x", "application/json; charset=latin1", ""};

    @FuzzTest(maxDuration = "60s")
    void noInputMakesTheGatewayFail(FuzzedDataProvider data) throws Exception {
        String[] endpoint = data.pickValue(ENDPOINTS);
        String path = endpoint[1];
        if (path.endsWith("/")) {
            path += java.net.URLEncoder.encode(data.consumeString(40), java.nio.charset.StandardCharsets.UTF_8);
        }
        String contentType = data.pickValue(CONTENT_TYPES);
        boolean stream = data.consumeBoolean();
        byte[] body = data.consumeRemainingAsBytes();
        HttpRequest.Builder request = HttpRequest.newBuilder(uri(path)).timeout(Duration.ofSeconds(30))
                .method(endpoint[0], endpoint[0].equals("GET") || endpoint[0].equals("DELETE")
                        ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofByteArray(body));
        if (!contentType.isEmpty()) {
            request.header("Content-Type", contentType);
        }
        if (stream) {
            request.header("Accept", "text/event-stream");
        }
        HttpResponse<String> response = HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as(endpoint[0] + " " + path + " → " + response.body()).isLessThan(500);
        if (response.statusCode() >= 400 && !response.body().isEmpty()) {
            assertThat(JSON.readTree(response.body()).isObject()).as(response.body()).isTrue();
        }
        assertThat(get("/actuator/health").statusCode()).isEqualTo(200);
    }
}
