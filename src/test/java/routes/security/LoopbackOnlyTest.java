package routes.security;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.Test;
import routes.support.CaravanIntegrationTest;

/** The default configuration (no authentication): the server listens on loopback only and trusts local callers. */
class LoopbackOnlyTest extends CaravanIntegrationTest {

    @Test
    void withoutAuthenticationTheServerListensOnLoopbackOnly() throws Exception {
        assertThat(ListeningSockets.addressesListeningOn(port)).containsExactly("127.0.0.1");
    }

    @Test
    void localCallersNeedNoTokenAndTokensAreIgnored() throws Exception {
        HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(uri("/admin/profile"))
                .header("Authorization", "Bearer whatever-an-sdk-sends").build(), HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body()).contains("\"default\"");
    }
}
