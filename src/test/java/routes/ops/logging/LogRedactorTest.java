package routes.ops.logging;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.core.env.MapPropertySource;
import org.springframework.core.env.StandardEnvironment;

class LogRedactorTest {

    private final LogRedactor redactor = new LogRedactor(List.of("s3cr3t-admin-token", "short"));

    @Test
    void emailAddressesAreMasked() {
        assertThat(redactor.redact("mail from jane.doe+tag@example.co.uk arrived"))
                .isEqualTo("mail from [email] arrived");
    }

    @Test
    void phoneNumbersAreMaskedButIdsAndTimesAreNot() {
        assertThat(redactor.redact("call +49 151 2345 6789 or +1 (555) 123-4567 or (555) 123-4567 or 555.123.4567"))
                .isEqualTo("call [phone] or [phone] or [phone] or [phone]");
        String ordinary = "2025-06-12T10:33:21.123+02:00 record caravan.inbound-2@18446 offset 1718181818181 "
                + "chat -1001234567890 port 18789 version 4.17.0 ip 192.168.10.200";
        assertThat(redactor.redact(ordinary)).isSameAs(ordinary);
    }

    @Test
    void tokensAndKeysOfKnownShapesAreMasked() {
        assertThat(redactor.redact("Authorization: Bearer abc.DEF-123_xyz"))
                .isEqualTo("Authorization: Bearer [secret]");
        assertThat(redactor.redact("key sk-proj-AbCdEf0123456789xyz used")).isEqualTo("key [secret] used");
        assertThat(redactor.redact("slack xoxb-1234-5678-AbCdEfGh")).isEqualTo("slack [secret]");
        assertThat(redactor.redact("https://api.telegram.org/bot123456789:AAHk9-abcdefghijklmnopqrstuvwxyz01234/getMe"))
                .isEqualTo("https://api.telegram.org/bot[secret]/getMe");
        assertThat(redactor.redact("jwt eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTYifQ.sflKxwRJSMeKKF2QT4fwpM end"))
                .isEqualTo("jwt [secret] end");
        assertThat(redactor.redact("{\"password\":\"hunter22\",\"api_key\": 'abcd1234'}"))
                .isEqualTo("{\"password\":\"[secret]\",\"api_key\": '[secret]'}");
    }

    @Test
    void configuredSecretsAreMaskedVerbatimAlsoInsideJson() {
        assertThat(redactor.redact("token is s3cr3t-admin-token!")).isEqualTo("token is [secret]!");
        LogRedactor quoting = new LogRedactor(List.of("pa\"ss\\word-42"));
        assertThat(quoting.redact("{\"message\":\"got pa\\\"ss\\\\word-42\"}"))
                .isEqualTo("{\"message\":\"got [secret]\"}");
    }

    @Test
    void valuesTooShortToBeSecretsAreLeftAlone() {
        String line = "a short line";
        assertThat(redactor.redact(line)).isSameAs(line);
    }

    @Test
    void secretValuesComeFromPropertiesNamedLikeSecrets() {
        StandardEnvironment environment = new StandardEnvironment();
        environment.getPropertySources().addFirst(new MapPropertySource("test", Map.of(
                "caravan.admin.token", "admin-token-value",
                "caravan.models.providers.openai.api-key", "${MODEL_KEY_FOR_TEST:from-placeholder-key}",
                "caravan.channels.slack.signing-secret", "signing-secret-value",
                "caravan.channels.mqtt.password", "mqtt-password-value",
                "MY_SERVICE_API_KEY", "env-style-key-value",
                "caravan.http.port", "18789",
                "caravan.channels.telegram.token", "")));
        assertThat(SecretValues.of(environment)).contains("admin-token-value", "from-placeholder-key",
                "signing-secret-value", "mqtt-password-value", "env-style-key-value").doesNotContain("18789", "");
        assertThat(SecretValues.isSecretName("caravan.channels.whatsapp.verify-token")).isTrue();
        assertThat(SecretValues.isSecretName("camel.component.kafka.key-serializer")).isFalse();
    }
}
