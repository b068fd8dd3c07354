package routes.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.env.YamlPropertySourceLoader;
import org.springframework.core.env.StandardEnvironment;
import org.springframework.core.io.FileSystemResource;

/** The files the wizard writes: readable YAML, the secrets owner-only, nothing replaced unless asked. */
class ConfigFilesTest {

    @TempDir
    Path dir;

    @Test
    void settingsImportTheSecretsAndTheSecretsAreOwnerOnly() throws Exception {
        ConfigFiles files = new ConfigFiles(dir);
        files.write(Map.of("caravan.http.bind-address", "127.0.0.1"), Map.of("caravan.auth.token", "t0ken"), false);

        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(files.secretsFile())))
                .isEqualTo("rw-------");
        Binder settings = binderOf(files.settingsFile());
        assertThat(settings.bind("spring.config.import", String.class).get())
                .isEqualTo("optional:file:./caravan-secrets.yaml");
        assertThat(settings.bind("caravan.http.bind-address", String.class).get()).isEqualTo("127.0.0.1");
        assertThat(binderOf(files.secretsFile()).bind("caravan.auth.token", String.class).get()).isEqualTo("t0ken");
        assertThat(Files.readString(files.settingsFile())).doesNotContain("t0ken");
        try (var left = Files.list(dir)) {
            assertThat(left.map(p -> p.getFileName().toString()))
                    .containsExactlyInAnyOrder("caravan.yaml", "caravan-secrets.yaml");
        }
    }

    @Test
    void secretsWithYamlSyntaxInThemSurviveAsTyped() throws Exception {
        String nasty = "a: 'b\" #c {d} - e\\f !g &h *i";
        ConfigFiles files = new ConfigFiles(dir);
        Map<String, Object> secrets = new LinkedHashMap<>();
        secrets.put("caravan.channels.slack.signing-secret", nasty);
        secrets.put("caravan.channels.mqtt.password", "yes");
        secrets.put("caravan.channels.xmpp.password", "0600");
        files.write(Map.of(), secrets, false);

        Binder binder = binderOf(files.secretsFile());
        assertThat(binder.bind("caravan.channels.slack.signing-secret", String.class).get()).isEqualTo(nasty);
        assertThat(binder.bind("caravan.channels.mqtt.password", String.class).get()).isEqualTo("yes");
        assertThat(binder.bind("caravan.channels.xmpp.password", String.class).get()).isEqualTo("0600");
    }

    @Test
    void listsAndNestedMapsBecomeYamlBlocks() throws Exception {
        ConfigFiles files = new ConfigFiles(dir);
        Map<String, Object> settings = new LinkedHashMap<>();
        settings.put("caravan.models.profiles.general.chain", List.of(Map.of("provider", "openai", "model", "m")));
        settings.put("caravan.channels.xmpp.rooms", List.of("a@conference.example.org"));
        files.write(settings, Map.of(), false);

        Binder binder = binderOf(files.settingsFile());
        assertThat(binder.bind("caravan.models.profiles.general.chain[0].model", String.class).get()).isEqualTo("m");
        assertThat(binder.bind("caravan.channels.xmpp.rooms[0]", String.class).get())
                .isEqualTo("a@conference.example.org");
        assertThat(Files.readString(files.settingsFile())).doesNotContain("{", "&id");
    }

    @Test
    void anExistingFileIsNotReplacedUnlessAskedAndThenKeptAsBak() throws Exception {
        ConfigFiles files = new ConfigFiles(dir);
        Files.writeString(files.secretsFile(), "caravan: {auth: {token: old}}\n");
        Files.setPosixFilePermissions(files.secretsFile(), ConfigFiles.OWNER_ONLY);

        assertThatThrownBy(() -> files.write(Map.of(), Map.of("caravan.auth.token", "new"), false))
                .isInstanceOf(FileAlreadyExistsException.class);
        assertThat(Files.readString(files.secretsFile())).contains("old");
        assertThat(files.settingsFile()).doesNotExist();

        files.write(Map.of(), Map.of("caravan.auth.token", "new"), true);
        assertThat(binderOf(files.secretsFile()).bind("caravan.auth.token", String.class).get()).isEqualTo("new");
        Path backup = dir.resolve("caravan-secrets.yaml.bak");
        assertThat(Files.readString(backup)).contains("old");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(backup))).isEqualTo("rw-------");
    }

    @Test
    void theGeneratedTokenIs32HexCharactersAndNeverRepeats() {
        String one = Tokens.hex32();
        assertThat(one).matches("[0-9a-f]{32}");
        assertThat(Tokens.hex32()).isNotEqualTo(one);
    }

    private static Binder binderOf(Path yaml) throws Exception {
        StandardEnvironment environment = new StandardEnvironment();
        environment.getPropertySources().remove(StandardEnvironment.SYSTEM_ENVIRONMENT_PROPERTY_SOURCE_NAME);
        environment.getPropertySources().remove(StandardEnvironment.SYSTEM_PROPERTIES_PROPERTY_SOURCE_NAME);
        new YamlPropertySourceLoader().load(yaml.toString(), new FileSystemResource(yaml))
                .forEach(environment.getPropertySources()::addLast);
        return Binder.get(environment);
    }
}
