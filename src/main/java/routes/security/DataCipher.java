package routes.security;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.Mac;
import javax.crypto.SecretKey;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.stereotype.Component;

/**
 * Encrypts the conversation text Caravan keeps in Redis: AES-256-GCM, a random 12-byte IV per value, and the id of
 * the key stored with the value, so keys can rotate (values of a retired key stay readable while that key is listed
 * under {@code caravan.encryption.previous-keys}).
 *
 * <p>A sealed value reads {@code c1:<keyId>:<base64 of IV, ciphertext and tag>}. Each value is bound to a context
 * (the Redis key it is stored under) as associated data, so a value copied to another key does not decrypt there.
 * A value that does not decrypt (unknown key id, altered, not sealed) counts in
 * {@code caravan_encryption_failures_total} and reads as missing.
 */
@Component
public class DataCipher {

    private static final Logger LOG = LoggerFactory.getLogger(DataCipher.class);

    private static final String VERSION = "c1";
    private static final String TRANSFORMATION = "AES/GCM/NoPadding";
    private static final int IV_BYTES = 12;
    private static final int TAG_BITS = 128;
    private static final byte[] NAME_KEY_LABEL = "caravan redis key names".getBytes(StandardCharsets.UTF_8);

    private final String currentId;
    private final String currentPrefix;
    private final SecretKey current;
    private final Map<String, SecretKey> keys = new LinkedHashMap<>();
    private final SecretKeySpec nameKey;
    private final SecureRandom random = new SecureRandom();
    private final Counter unknownKey;
    private final Counter unreadable;
    private final java.util.Set<String> unknownIdsSeen = java.util.concurrent.ConcurrentHashMap.newKeySet();
    /*
     * One cipher and one MAC per thread, initialised again for each value: looking a transformation up among the
     * providers costs more than the sealing of a short value, and a cipher given the key it had last time skips the
     * key expansion. Neither object is thread-safe, hence per thread.
     */
    private final ThreadLocal<Cipher> ciphers = ThreadLocal.withInitial(() -> {
        try {
            return Cipher.getInstance(TRANSFORMATION);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-GCM is not available", e);
        }
    });
    private final ThreadLocal<Mac> nameMacs;

    @Autowired
    public DataCipher(EncryptionProperties properties, @Value("${caravan.storage.path:./data}") String storage,
            MeterRegistry meters) {
        this(EncryptionKeys.load(properties, Path.of(storage)), meters);
    }

    public DataCipher(EncryptionKeys loaded, MeterRegistry meters) {
        loaded.keys().forEach((id, key) -> keys.put(id, new SecretKeySpec(key, "AES")));
        this.currentId = loaded.currentId();
        this.currentPrefix = VERSION + ":" + currentId + ":";
        this.current = keys.get(currentId);
        this.nameKey = new SecretKeySpec(hmac(new SecretKeySpec(loaded.keys().get(currentId), "HmacSHA256"))
                .doFinal(NAME_KEY_LABEL), "HmacSHA256");
        this.nameMacs = ThreadLocal.withInitial(() -> hmac(nameKey));
        this.unknownKey = failures(meters, "unknown_key");
        this.unreadable = failures(meters, "unreadable");
    }

    private static Counter failures(MeterRegistry meters, String reason) {
        return Counter.builder("caravan.encryption.failures")
                .description("stored values that could not be decrypted and were treated as missing")
                .tag("reason", reason).register(meters);
    }

    /** {@code plaintext} encrypted with the current key, bound to {@code context} (the Redis key it goes under). */
    public String seal(String plaintext, String context) {
        byte[] iv = new byte[IV_BYTES];
        random.nextBytes(iv);
        try {
            Cipher cipher = ciphers.get();
            cipher.init(Cipher.ENCRYPT_MODE, current, new GCMParameterSpec(TAG_BITS, iv));
            cipher.updateAAD(associated(currentId, context));
            byte[] sealed = cipher.doFinal(plaintext.getBytes(StandardCharsets.UTF_8));
            byte[] out = ByteBuffer.allocate(IV_BYTES + sealed.length).put(iv).put(sealed).array();
            return currentPrefix + Base64.getEncoder().withoutPadding().encodeToString(out);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-GCM is not available", e);
        }
    }

    /**
     * The plaintext of a value {@link #seal sealed} for {@code context}, with the current or a retired key; null
     * (and counted as a failure) when it cannot be decrypted. Null stays null without counting.
     */
    public String open(String sealed, String context) {
        if (sealed == null) {
            return null;
        }
        int first = sealed.indexOf(':');
        int second = first < 0 ? -1 : sealed.indexOf(':', first + 1);
        if (second < 0 || !VERSION.equals(sealed.substring(0, first))) {
            return failed(unreadable, "a value that is not sealed", context);
        }
        String id = sealed.substring(first + 1, second);
        SecretKey key = keys.get(id);
        if (key == null) {
            if (unknownIdsSeen.size() < 100 && unknownIdsSeen.add(id)) {
                LOG.warn("Values encrypted with the key id {} are in Redis, but no such key is configured (current: "
                        + "{}, previous: {}); they read as missing", id, currentId, keys.keySet());
            }
            return failed(unknownKey, "a value of the unknown key id " + id, context);
        }
        byte[] in;
        try {
            in = Base64.getDecoder().decode(sealed.substring(second + 1));
        } catch (IllegalArgumentException e) {
            return failed(unreadable, "a value that is not base64", context);
        }
        if (in.length < IV_BYTES + TAG_BITS / 8) {
            return failed(unreadable, "a value too short to be sealed", context);
        }
        try {
            Cipher cipher = ciphers.get();
            cipher.init(Cipher.DECRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, in, 0, IV_BYTES));
            cipher.updateAAD(associated(id, context));
            byte[] plain = cipher.doFinal(in, IV_BYTES, in.length - IV_BYTES);
            return new String(plain, StandardCharsets.UTF_8);
        } catch (AEADBadTagException e) {
            return failed(unreadable, "a value that fails authentication (altered, or another key under id " + id
                    + ")", context);
        } catch (GeneralSecurityException e) {
            return failed(unreadable, "a value that does not decrypt", context);
        }
    }

    /** Whether {@code value} has the form of a sealed value at all (values from before encryption do not). */
    public static boolean isSealed(String value) {
        return value != null && value.startsWith(VERSION + ":");
    }

    /** Whether {@code sealed} was written with the current key (else it is due to be written again). */
    public boolean isCurrent(String sealed) {
        return sealed != null && sealed.startsWith(currentPrefix);
    }

    /**
     * A Redis key name part derived from {@code parts} with a key of its own (HMAC-SHA256, hex): equal parts give
     * equal names, but the name tells nothing about the parts. Names change when the current key changes.
     */
    public String keyedName(Iterable<String> parts) {
        Mac mac = nameMacs.get();
        mac.reset();
        for (String part : parts) {
            mac.update(String.valueOf(part).getBytes(StandardCharsets.UTF_8));
            mac.update((byte) 0);
        }
        return HexFormat.of().formatHex(mac.doFinal());
    }

    private static byte[] associated(String keyId, String context) {
        return (VERSION + ":" + keyId + ":" + context).getBytes(StandardCharsets.UTF_8);
    }

    /** An HMAC-SHA256 initialised with {@code key}. */
    private static Mac hmac(SecretKeySpec key) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(key);
            return mac;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is not available", e);
        }
    }

    private static String failed(Counter counter, String what, String context) {
        counter.increment();
        LOG.debug("treating {} under {} as missing", what, context);
        return null;
    }
}
