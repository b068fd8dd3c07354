package routes.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.StandardEnvironment;
import org.springframework.core.env.SystemEnvironmentPropertySource;

/** Every caravan.* value is bound as the gateway binds it; refused values and names nothing reads are reported. */
class SettingsCheckTest {

    private static final SettingsCatalog CATALOG = SettingsCatalog.load();

    @Test
    void theCatalogFindsTheSettingsClassesAndTheSettingsReadWithoutOne() {
        assertThat(CATALOG.classes()).extracting(SettingsCatalog.SettingsClass::prefix)
                .contains("caravan.channels.telegram", "caravan.models", "caravan.auth", "caravan.http");
        assertThat(CATALOG.names()).extracting(Object::toString)
                .contains("caravan.channels.slack.signing-secret", "caravan.storage.path", "caravan.embedded.enabled");
    }

    @Test
    void everySettingInApplicationYamlIsKnownAndValid() {
        List<Check> checks = SettingsCheck.check(Settings.of(Map.of()), CATALOG);
        assertThat(checks).singleElement().satisfies(check -> {
            assertThat(check.status()).isEqualTo(Check.Status.OK);
            assertThat(check.message()).endsWith("caravan.* settings in the files, all known and valid");
        });
    }

    @Test
    void aRefusedValueFailsInTheWordsOfTheRefusedStart() {
        List<Check> checks = SettingsCheck.check(Settings.of(Map.of("caravan.channels.telegram.mode", "pull",
                "caravan.session.ttl", "a week")), CATALOG);
        assertThat(checks).filteredOn(c -> c.status() == Check.Status.FAIL).extracting(Check::message)
                .containsExactlyInAnyOrder(
                        "Invalid setting caravan.channels.telegram.mode=pull (from \"caravan.channels.telegram.mode\" "
                                + "from property source \"test settings\"): must be one of webhook, polling",
                        "Invalid setting caravan.session.ttl=a week (from \"caravan.session.ttl\" from property "
                                + "source \"test settings\"): 'a week' is not a valid duration");
    }

    @Test
    void aSetterThatRefusesAValueNamesTheSettingOnly() {
        assertThat(SettingsCheck.check(Settings.of(Map.of("caravan.channels.mqtt.qos", "5")), CATALOG))
                .extracting(Check::message)
                .containsExactly("Invalid setting caravan.channels.mqtt: caravan.channels.mqtt.qos must be 0, 1 or 2");
    }

    @Test
    void aMisspeltSettingIsAWarningWithTheNearestKnownName() {
        List<Check> checks = SettingsCheck.check(Settings.of(Map.of("caravan.channels.telgram.token", "1:x",
                "caravan.models.providers.openai.tpye", "openai", "caravan.frobnicate", "yes")), CATALOG);
        assertThat(checks).allSatisfy(c -> assertThat(c.status()).isEqualTo(Check.Status.WARN));
        assertThat(checks).extracting(Check::fix).containsExactlyInAnyOrder(
                "did you mean caravan.channels.telegram.token?",
                "did you mean caravan.models.providers.openai.type?",
                "check its spelling (README, Configuration reference)");
        assertThat(checks).extracting(Check::message).allSatisfy(m -> assertThat(m)
                .endsWith("is not a Caravan setting and is ignored").doesNotContain("1:x"));
    }

    @Test
    void environmentVariablesReadThroughPlaceholdersAreNotUnknownSettings() {
        ConfigurableEnvironment environment = Settings.of(Map.of());
        environment.getPropertySources().addFirst(new SystemEnvironmentPropertySource(
                StandardEnvironment.SYSTEM_ENVIRONMENT_PROPERTY_SOURCE_NAME,
                Map.<String, Object>of("CARAVAN_MODEL", "llama3.2", "CARAVAN_ROUTING_CLASSIFIER", "true")));
        assertThat(SettingsCheck.check(environment, CATALOG)).extracting(Check::status)
                .containsExactly(Check.Status.OK);
    }
}
