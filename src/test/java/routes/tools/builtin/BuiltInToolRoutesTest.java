package routes.tools.builtin;

import static org.assertj.core.api.Assertions.assertThat;

import org.apache.camel.CamelContext;
import org.apache.camel.ProducerTemplate;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import routes.support.CaravanIntegrationTest;

/** The built-in tools as the running gateway has them, with the shipped defaults. */
class BuiltInToolRoutesTest extends CaravanIntegrationTest {

    @Autowired
    CamelContext camel;

    @Autowired
    ProducerTemplate template;

    @Test
    void theDefaultToolsHaveRoutesAndTheOthersNone() {
        assertThat(camel.getRoute("tool-current-time")).isNotNull();
        assertThat(camel.getRoute("tool-web-fetch")).isNotNull();
        assertThat(camel.getRoute("tool-file-search")).isNull();
        assertThat(camel.getRoute("tool-run-command")).isNull();
    }

    @Test
    void webFetchCannotReachTheGatewayItself() {
        String result = template.requestBody("direct:tool-web-fetch",
                "{\"url\":\"http://127.0.0.1:" + port + "/actuator/health\"}", String.class);
        assertThat(result).isEqualTo("refused: loopback address");
    }

    @Test
    void currentTimeAnswersThroughItsRoute() {
        assertThat(template.requestBody("direct:tool-current-time", "{\"timeZone\":\"Europe/Berlin\"}", String.class))
                .contains("time zone: Europe/Berlin (UTC+0");
    }
}
