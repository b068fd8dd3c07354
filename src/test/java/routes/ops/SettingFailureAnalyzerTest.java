package routes.ops;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.boot.context.properties.bind.BindException;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.MapConfigurationPropertySource;
import routes.security.AccessProperties;
import routes.security.AuthProperties;

/** An invalid setting is reported in one line that names it. */
class SettingFailureAnalyzerTest {

    private static String report(String prefix, Class<?> type, Map<String, String> settings) {
        Binder binder = new Binder(new MapConfigurationPropertySource(settings));
        BindException failure = catchThrowableOfType(BindException.class, () -> binder.bind(prefix, type));
        return new SettingFailureAnalyzer().analyze(failure).getDescription();
    }

    @Test
    void aWrongChoiceNamesTheSettingAndTheChoices() {
        String line = report("caravan.access", AccessProperties.class,
                Map.of("caravan.access.default-policy", "sometimes"));
        assertThat(line).isEqualTo("Invalid setting caravan.access.default-policy=sometimes (from \"caravan.access"
                + ".default-policy\" from property source \"source\"): must be one of open, pairing, allowlist");
        assertThat(line).doesNotContain("\n");
    }

    @Test
    void aWrongNumberOrDurationNamesTheSetting() {
        assertThat(report("caravan.access", AccessProperties.class, Map.of("caravan.access.code-ttl", "forever")))
                .startsWith("Invalid setting caravan.access.code-ttl=forever").doesNotContain("\n");
    }

    @Test
    void aSecretsValueIsNotRepeated() {
        assertThat(report("caravan.auth", AuthProperties.class, Map.of("caravan.auth.tokens[0].role", "root",
                "caravan.auth.tokens[0].token", "s3cret")))
                .startsWith("Invalid setting caravan.auth.tokens[0].role=root").contains("must be one of user, dev, admin")
                .doesNotContain("s3cret");
    }
}
