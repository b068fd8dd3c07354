package routes.cli;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** Which arguments the command line takes and which start the gateway. */
class CliTest {

    @Test
    void onboardAndDoctorRunWithoutTheGateway() {
        assertThat(Cli.handles(new String[] {"onboard"})).isTrue();
        assertThat(Cli.handles(new String[] {"doctor", "--caravan.http.port=1"})).isTrue();
        assertThat(Cli.handles(new String[] {"--help"})).isTrue();
    }

    @Test
    void anythingElseStartsTheGatewayWithRunDropped() {
        assertThat(Cli.handles(new String[] {})).isFalse();
        assertThat(Cli.handles(new String[] {"run"})).isFalse();
        assertThat(Cli.handles(new String[] {"--caravan.http.port=1"})).isFalse();
        assertThat(Cli.gatewayArgs(new String[] {"run", "--caravan.http.port=1"}))
                .containsExactly("--caravan.http.port=1");
        assertThat(Cli.gatewayArgs(new String[] {"--caravan.http.port=1"})).containsExactly("--caravan.http.port=1");
    }
}
