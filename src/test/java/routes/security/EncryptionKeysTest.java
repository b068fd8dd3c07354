package routes.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.Base64;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Where the encryption key comes from: configuration, a file, or generated once under the storage path. */
class EncryptionKeysTest {

    private static final String KEY = Base64.getEncoder().encodeToString(new byte[32]);

    @TempDir
    Path storage;

    @Test
    void withoutAConfiguredKeyOneIsGeneratedOnceOwnerOnlyAndKept() throws Exception {
        EncryptionProperties properties = new EncryptionProperties();
        EncryptionKeys first = EncryptionKeys.load(properties, storage);
        Path file = storage.resolve("encryption.key");
        assertThat(file).exists();
        assertThat(Files.getPosixFilePermissions(file))
                .isEqualTo(Set.of(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE));
        assertThat(first.currentId()).isEqualTo("k1");
        assertThat(first.keys().get("k1")).hasSize(32);
        EncryptionKeys again = EncryptionKeys.load(properties, storage);
        assertThat(again.keys().get("k1")).isEqualTo(first.keys().get("k1"));
    }

    @Test
    void aConfiguredKeyOrKeyFileIsUsedAndNothingIsGenerated() throws Exception {
        EncryptionProperties properties = new EncryptionProperties();
        properties.setKey(KEY);
        properties.setKeyId("2026-01");
        EncryptionKeys keys = EncryptionKeys.load(properties, storage);
        assertThat(keys.currentId()).isEqualTo("2026-01");
        assertThat(keys.keys().get("2026-01")).isEqualTo(new byte[32]);
        assertThat(storage.resolve("encryption.key")).doesNotExist();

        Path file = storage.resolve("mounted.key");
        Files.writeString(file, KEY + "\n", StandardCharsets.UTF_8);
        EncryptionProperties fromFile = new EncryptionProperties();
        fromFile.setKeyFile(file.toString());
        fromFile.getPreviousKeys().put("old", Base64.getEncoder().encodeToString(new byte[32]));
        EncryptionKeys loaded = EncryptionKeys.load(fromFile, storage);
        assertThat(loaded.keys()).containsOnlyKeys("k1", "old");
    }

    @Test
    void aBadKeyStopsTheStartWithoutShowingTheKey() {
        EncryptionProperties shortKey = new EncryptionProperties();
        shortKey.setKey(Base64.getEncoder().encodeToString("sixteen byte key".getBytes(StandardCharsets.UTF_8)));
        assertThatThrownBy(() -> EncryptionKeys.load(shortKey, storage))
                .hasMessageContaining("32 bytes").hasMessageNotContaining(shortKey.getKey());

        EncryptionProperties notBase64 = new EncryptionProperties();
        notBase64.setKey("not base64 at all!");
        assertThatThrownBy(() -> EncryptionKeys.load(notBase64, storage))
                .hasMessageContaining("not valid base64").hasMessageNotContaining("at all");

        EncryptionProperties both = new EncryptionProperties();
        both.setKey(KEY);
        both.setKeyFile(storage.resolve("x").toString());
        assertThatThrownBy(() -> EncryptionKeys.load(both, storage)).hasMessageContaining("not both");

        EncryptionProperties clash = new EncryptionProperties();
        clash.setKey(KEY);
        clash.getPreviousKeys().put("k1", KEY);
        assertThatThrownBy(() -> EncryptionKeys.load(clash, storage)).hasMessageContaining("new key-id");

        EncryptionProperties badId = new EncryptionProperties();
        badId.setKey(KEY);
        badId.setKeyId("k:1");
        assertThatThrownBy(() -> EncryptionKeys.load(badId, storage)).hasMessageContaining("key id");

        EncryptionProperties configured = new EncryptionProperties();
        configured.setKey(KEY);
        assertThat(configured.toString()).doesNotContain(KEY);
    }
}
