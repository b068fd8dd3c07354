package routes.security;

import java.util.LinkedHashMap;
import java.util.Map;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * The key that encrypts conversation data in Redis ({@code caravan.encryption.*}). Without {@code key} or
 * {@code key-file}, a key is generated once into {@code <storage>/encryption.key}.
 */
@ConfigurationProperties("caravan.encryption")
public class EncryptionProperties {

    /** The current key: base64 of 32 random bytes (AES-256); env CARAVAN_ENCRYPTION_KEY. */
    private String key;

    /** A file holding the current key (base64), instead of {@code key}. */
    private String keyFile;

    /** Id of the current key, stored with every value it encrypts. */
    private String keyId = "k1";

    /** Retired keys (base64) by their id: used only to read values written with them. */
    private Map<String, String> previousKeys = new LinkedHashMap<>();

    public String getKey() { return key; }
    public void setKey(String key) { this.key = key; }
    public String getKeyFile() { return keyFile; }
    public void setKeyFile(String keyFile) { this.keyFile = keyFile; }
    public String getKeyId() { return keyId; }
    public void setKeyId(String keyId) { this.keyId = keyId; }
    public Map<String, String> getPreviousKeys() { return previousKeys; }
    public void setPreviousKeys(Map<String, String> previousKeys) { this.previousKeys = previousKeys; }

    /** Names the settings without their secrets. */
    @Override
    public String toString() {
        return "EncryptionProperties[keyId=" + keyId + ", key=" + (key == null || key.isBlank() ? "unset" : "set")
                + ", keyFile=" + keyFile + ", previousKeys=" + previousKeys.keySet() + "]";
    }
}
