package routes.ops;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.springframework.mock.web.MockHttpServletRequest;
import routes.model.ModelGateway;
import routes.model.ModelProperties;

/** Who may use the admin API: the token holder, or with no token set, this machine only. */
class AdminControllerTest {

    private static AdminController controller(String token) {
        AdminProperties properties = new AdminProperties();
        properties.setToken(token);
        return new AdminController(properties, new ModelGateway(new ModelProperties(), null), null);
    }

    private static MockHttpServletRequest request(String remote, String authorization) {
        MockHttpServletRequest r = new MockHttpServletRequest("PUT", "/api/v1/admin/profile");
        r.setRemoteAddr(remote);
        if (authorization != null) {
            r.addHeader("Authorization", authorization);
        }
        return r;
    }

    @Test
    void withoutATokenOnlyLoopbackCallersGetIn() {
        assertThat(controller("").clearProfile(request("10.1.2.3", null), null, null).getStatusCode().value())
                .isEqualTo(403);
    }

    @Test
    void withATokenTheRightBearerIsNeededFromAnywhere() {
        AdminController c = controller("s3cret-admin");
        assertThat(c.clearProfile(request("127.0.0.1", null), null, null).getStatusCode().value()).isEqualTo(401);
        assertThat(c.clearProfile(request("10.1.2.3", "Bearer wrong"), null, null).getStatusCode().value())
                .isEqualTo(401);
        assertThat(c.switchProfile(request("10.1.2.3", "Bearer s3cret-admin"), null).getStatusCode().value())
                .isEqualTo(400);
        assertThat(new AdminProperties().toString()).doesNotContain("s3cret");
    }
}
