package routes.security;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The keys of {@link DataCipher}, read from {@link EncryptionProperties}: the current one (configured, read from a
 * file, or generated once under the storage path) and the retired ones. Never logs a key.
 *
 * @param currentId id of the key that encrypts
 * @param keys      every known key by id, the current one included (32 bytes each)
 */
public record EncryptionKeys(String currentId, Map<String, byte[]> keys) {

    private static final Logger LOG = LoggerFactory.getLogger(EncryptionKeys.class);

    /** The file a generated key is kept in, under {@code caravan.storage.path}. */
    static final String GENERATED_FILE = "encryption.key";

    static final int KEY_BYTES = 32;
    private static final Pattern ID = Pattern.compile("[A-Za-z0-9_.-]{1,64}");

    public EncryptionKeys {
        keys = Map.copyOf(keys);
        if (!keys.containsKey(currentId)) {
            throw new IllegalArgumentException("the current key id has no key");
        }
    }

    /** Reads the keys that {@code properties} name; {@code storage} is where a generated key is kept. */
    public static EncryptionKeys load(EncryptionProperties properties, Path storage) {
        String id = checkedId(properties.getKeyId(), "caravan.encryption.key-id");
        boolean hasKey = properties.getKey() != null && !properties.getKey().isBlank();
        boolean hasFile = properties.getKeyFile() != null && !properties.getKeyFile().isBlank();
        if (hasKey && hasFile) {
            throw new IllegalStateException("set either caravan.encryption.key or caravan.encryption.key-file, "
                    + "not both");
        }
        byte[] current;
        if (hasKey) {
            current = decode(properties.getKey(), "caravan.encryption.key");
        } else if (hasFile) {
            current = decode(read(Path.of(properties.getKeyFile()), "caravan.encryption.key-file"),
                    "the file of caravan.encryption.key-file");
        } else {
            Path file = storage.resolve(GENERATED_FILE);
            current = decode(readOrGenerate(file), file.toString());
            LOG.warn("No caravan.encryption.key is configured: conversation data in Redis is encrypted with the key "
                    + "generated in {}. Several instances sharing one Redis must all be configured with the same "
                    + "key (caravan.encryption.key or key-file).", file);
        }
        Map<String, byte[]> keys = new LinkedHashMap<>();
        keys.put(id, current);
        properties.getPreviousKeys().forEach((previousId, value) -> {
            String checked = checkedId(previousId, "caravan.encryption.previous-keys");
            if (checked.equals(id)) {
                throw new IllegalStateException("caravan.encryption.previous-keys." + checked
                        + " has the id of the current key; give the new key a new key-id");
            }
            keys.put(checked, decode(value, "caravan.encryption.previous-keys." + checked));
        });
        return new EncryptionKeys(id, keys);
    }

    /** Names the key ids only. */
    @Override
    public String toString() {
        return "EncryptionKeys[current=" + currentId + ", ids=" + keys.keySet() + "]";
    }

    private static String checkedId(String id, String property) {
        if (id == null || !ID.matcher(id).matches()) {
            throw new IllegalStateException(property + ": a key id is 1 to 64 letters, digits, '.', '_' or '-'");
        }
        return id;
    }

    private static byte[] decode(String base64, String source) {
        byte[] key;
        try {
            key = Base64.getDecoder().decode(base64.trim());
        } catch (IllegalArgumentException e) {
            throw new IllegalStateException(source + " is not valid base64");
        }
        if (key.length != KEY_BYTES) {
            throw new IllegalStateException(source + " must be base64 of " + KEY_BYTES + " bytes (it has "
                    + key.length + "); make one with: openssl rand -base64 32");
        }
        return key;
    }

    private static String read(Path file, String property) {
        try {
            return Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IllegalStateException(property + ": cannot read " + file + " (" + e.getClass().getSimpleName()
                    + ")", e);
        }
    }

    /** The key kept in {@code file}, generated and written (owner read/write only) when there is none. */
    private static String readOrGenerate(Path file) {
        try {
            if (Files.exists(file)) {
                return Files.readString(file, StandardCharsets.UTF_8);
            }
            Files.createDirectories(file.getParent());
            byte[] fresh = new byte[KEY_BYTES];
            new SecureRandom().nextBytes(fresh);
            String encoded = Base64.getEncoder().encodeToString(fresh);
            try {
                if (file.getFileSystem().supportedFileAttributeViews().contains("posix")) {
                    Files.createFile(file, PosixFilePermissions.asFileAttribute(
                            PosixFilePermissions.fromString("rw-------")));
                } else {
                    Files.createFile(file);
                }
            } catch (FileAlreadyExistsException raced) {
                // another process on the same storage wrote it first: use that one
                return Files.readString(file, StandardCharsets.UTF_8);
            }
            Files.writeString(file, encoded, StandardCharsets.UTF_8, StandardOpenOption.TRUNCATE_EXISTING);
            return encoded;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot keep the generated encryption key in " + file, e);
        }
    }
}
