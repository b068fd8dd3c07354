package routes.security;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.springframework.mock.web.MockFilterChain;
import org.springframework.mock.web.MockHttpServletRequest;
import org.springframework.mock.web.MockHttpServletResponse;

/** The filter's rules that need a caller from another address than the test's own: the IP allowlist. */
class GatewayAuthenticationTest {

    private static GatewayAuthentication filter(List<String> allowlist) {
        AuthProperties properties = new AuthProperties();
        properties.setToken("t0ken-abcdefabcdefabcdefabcdef");
        properties.setIpAllowlist(allowlist);
        return new GatewayAuthentication(properties, List.of(), null,
                new routes.ops.AuditLog(new org.apache.camel.impl.DefaultCamelContext(), null), r -> false);
    }

    private static MockHttpServletResponse call(GatewayAuthentication filter, String remote) throws Exception {
        MockHttpServletRequest request = new MockHttpServletRequest("GET", "/admin/profile");
        request.setRemoteAddr(remote);
        request.addHeader("Authorization", "Bearer t0ken-abcdefabcdefabcdefabcdef");
        MockHttpServletResponse response = new MockHttpServletResponse();
        filter.doFilter(request, response, new MockFilterChain());
        return response;
    }

    @Test
    void anAddressOutsideTheAllowlistIsRefusedEvenWithTheToken() throws Exception {
        GatewayAuthentication filter = filter(List.of("10.0.0.0/8", "2001:db8::/32"));
        MockHttpServletResponse refused = call(filter, "192.168.1.20");
        assertThat(refused.getStatus()).isEqualTo(403);
        assertThat(refused.getContentAsString()).contains("ip_not_allowed");
        assertThat(call(filter, "10.20.30.40").getStatus()).isEqualTo(200);
        assertThat(call(filter, "2001:db8::7").getStatus()).isEqualTo(200);
    }

    @Test
    void anEmptyAllowlistAllowsEveryAddress() throws Exception {
        assertThat(call(filter(List.of()), "203.0.113.9").getStatus()).isEqualTo(200);
    }

    @Test
    void theHighestOfCaravansRolesInTheClaimCounts() {
        assertThat(GatewayAuthentication.highestRole(List.of("staff", "dev", "user"))).isEqualTo(Role.DEV);
        assertThat(GatewayAuthentication.highestRole("user admin")).isEqualTo(Role.ADMIN);
        assertThat(GatewayAuthentication.highestRole(null)).isEqualTo(Role.USER);
        assertThat(GatewayAuthentication.highestRole(List.of("superuser"))).isEqualTo(Role.USER);
    }
}
