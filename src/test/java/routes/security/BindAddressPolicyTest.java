package routes.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.junit.jupiter.api.extension.ExtendWith;
import routes.CaravanApplication;

/** Where Caravan may listen: beyond this machine only with authentication. */
@ExtendWith(OutputCaptureExtension.class)
class BindAddressPolicyTest {

    @Test
    void withoutAuthenticationItListensOnLoopbackOnly() {
        assertThat(BindAddressPolicy.decide(null, false)).isEqualTo("127.0.0.1");
        assertThat(BindAddressPolicy.decide("::1", false)).isEqualTo("::1");
        assertThat(BindAddressPolicy.decide("localhost", false)).isEqualTo("localhost");
    }

    @Test
    void withAuthenticationItListensWhereAskedOrEverywhere() {
        assertThat(BindAddressPolicy.decide(null, true)).isEqualTo("0.0.0.0");
        assertThat(BindAddressPolicy.decide("10.1.2.3", true)).isEqualTo("10.1.2.3");
    }

    @Test
    void bindingBeyondLoopbackWithoutAuthenticationRefusesToStart(CapturedOutput output) {
        assertThatThrownBy(() -> new SpringApplicationBuilder(CaravanApplication.class)
                .run("--caravan.http.bind-address=0.0.0.0", "--caravan.embedded.enabled=false",
                        "--spring.main.web-application-type=none"))
                .isInstanceOf(InsecureBindingException.class)
                .hasMessageContaining("caravan.http.bind-address=0.0.0.0 needs authentication")
                .hasMessageContaining("caravan.auth.token");
        assertThat(output.getAll()).contains("APPLICATION FAILED TO START")
                .contains("caravan.http.bind-address=0.0.0.0 needs authentication");
    }
}
