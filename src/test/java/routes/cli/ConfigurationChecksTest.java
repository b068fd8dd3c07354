package routes.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What the doctor finds in the configuration alone: listening, authentication, channel secrets, model profiles. */
class ConfigurationChecksTest {

    @TempDir
    Path dir;

    private ConfigurationChecks checks(Map<String, Object> settings) {
        Map<String, Object> all = new HashMap<>(settings);
        all.putIfAbsent("caravan.http.port", "0");
        return new ConfigurationChecks(Settings.of(all), dir);
    }

    private static Check only(List<Check> checks, String topic) {
        return checks.stream().filter(c -> c.topic().equals(topic)).findFirst().orElseThrow();
    }

    @Test
    void listeningEverywhereWithoutAuthenticationFails() {
        Check check = only(checks(Map.of("caravan.http.bind-address", "0.0.0.0")).http(), "http");
        assertThat(check.status()).isEqualTo(Check.Status.FAIL);
        assertThat(check.message()).contains("without authentication: the gateway refuses to start");
    }

    @Test
    void listeningEverywhereWithTheGatewayTokenIsFine() {
        List<Check> http = checks(Map.of("caravan.http.bind-address", "0.0.0.0",
                "caravan.auth.token", "0123456789abcdef0123456789abcdef")).http();
        assertThat(http).extracting(Check::status).containsOnly(Check.Status.OK);
        assertThat(http.get(0).message()).startsWith("listens on 0.0.0.0:0; callers need the gateway token");
    }

    @Test
    void withoutAnySettingCaravanListensOnLoopbackOnly() {
        assertThat(only(checks(Map.of()).http(), "http").message())
                .startsWith("listens on 127.0.0.1:0; no authentication");
    }

    @Test
    void slackWithoutItsSigningSecretFails() {
        Check slack = only(checks(Map.of("caravan.channels.slack.bot-token", "xoxb-1")).channels(), "slack");
        assertThat(slack.status()).isEqualTo(Check.Status.FAIL);
        assertThat(slack.message()).contains("signing-secret").contains("every event call is refused");
    }

    @Test
    void telegramInWebhookModeNeedsItsSecret() {
        List<Check> telegram = checks(Map.of("caravan.channels.telegram.token", "123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5",
                "caravan.channels.telegram.mode", "webhook")).channels();
        assertThat(telegram).filteredOn(c -> c.status() == Check.Status.FAIL).extracting(Check::message)
                .containsExactly("webhook mode without caravan.channels.telegram.webhook-secret");
    }

    @Test
    void aChannelThatIsOffAlthoughItsSecretsAreSetIsAWarning() {
        Check whatsApp = only(checks(Map.of("caravan.channels.whatsapp.app-secret", "s")).channels(), "whatsapp");
        assertThat(whatsApp.status()).isEqualTo(Check.Status.WARN);
        assertThat(whatsApp.message()).isEqualTo("off (no access-token) although app-secret is set");
    }

    @Test
    void aFullyConfiguredChannelIsOkAndItsSecretsAreNotShown() {
        List<Check> feishu = checks(Map.of("caravan.channels.feishu.app-id", "cli_1",
                "caravan.channels.feishu.app-secret", "fs-secret-1", "caravan.channels.feishu.encrypt-key", "ek-2"))
                .channels();
        assertThat(feishu).extracting(Check::status).containsOnly(Check.Status.OK);
        assertThat(feishu).extracting(Check::line).allSatisfy(l -> assertThat(l).doesNotContain("fs-secret-1", "ek-2"));
    }

    @Test
    void aProfileNamingAMissingProviderFailsAndAProviderWithoutKeyWarns() {
        List<Check> models = checks(Map.of("caravan.models.profiles.general.chain[0].provider", "nowhere",
                "caravan.models.profiles.general.chain[0].model", "m",
                "caravan.models.profiles.coding.chain[0].provider", "openai",
                "caravan.models.profiles.coding.chain[0].model", "m")).models();
        assertThat(models).extracting(Check::status, Check::message).contains(
                org.assertj.core.groups.Tuple.tuple(Check.Status.FAIL,
                        "profile general names provider nowhere, which is not under caravan.models.providers"),
                org.assertj.core.groups.Tuple.tuple(Check.Status.WARN, "provider openai (https://api.openai.com/v1) "
                        + "has no API key: messages for it get a reply saying so"));
    }

    @Test
    void aSecretsFileOthersCanReadIsAWarning() throws Exception {
        Path secrets = dir.resolve(ConfigFiles.SECRETS);
        Files.writeString(secrets, "caravan: {}\n");
        Files.setPosixFilePermissions(secrets, PosixFilePermissions.fromString("rw-r--r--"));
        assertThat(checks(Map.of()).files()).extracting(Check::message)
                .contains("caravan-secrets.yaml is readable by others (rw-r--r--)");
    }
}
