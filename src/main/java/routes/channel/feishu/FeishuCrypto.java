package routes.channel.feishu;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.Base64;
import javax.crypto.Cipher;
import javax.crypto.spec.IvParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import routes.channel.Signatures;

/**
 * Feishu's event encryption and request signature (PLATFORMS.md, Feishu / Lark).
 *
 * <ul>
 *   <li>Encrypted events: {@code {"encrypt": base64}}; the AES-256-CBC key is SHA-256 of the Encrypt Key, the
 *       first 16 decoded bytes are the IV, and the JSON lies between the first {@code {} and the last {@code }}.</li>
 *   <li>Signature: hex(SHA-256(timestamp + nonce + Encrypt Key + raw body)) — a plain digest, not an HMAC.</li>
 * </ul>
 */
public final class FeishuCrypto {

    private static final int IV_LENGTH = 16;

    private FeishuCrypto() {
    }

    /**
     * Decrypts an {@code encrypt} field.
     *
     * @throws IllegalArgumentException when it is not base64, not a whole number of AES blocks, or not JSON inside
     */
    public static String decrypt(String encrypt, String encryptKey) {
        String text = decryptRaw(encrypt, encryptKey);
        int start = text.indexOf('{');
        int end = text.lastIndexOf('}');
        if (start < 0 || end < start) {
            throw new IllegalArgumentException("decrypted event is not JSON");
        }
        return text.substring(start, end + 1);
    }

    /** The decrypted text as it is, before the JSON is cut out of it. */
    static String decryptRaw(String encrypt, String encryptKey) {
        byte[] data;
        try {
            data = Base64.getDecoder().decode(encrypt.trim());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("encrypt is not base64");
        }
        if (data.length < IV_LENGTH * 2 || (data.length - IV_LENGTH) % IV_LENGTH != 0) {
            throw new IllegalArgumentException("encrypt has the wrong length");
        }
        byte[] plain;
        try {
            Cipher cipher = Cipher.getInstance("AES/CBC/PKCS5Padding");
            cipher.init(Cipher.DECRYPT_MODE, new SecretKeySpec(key(encryptKey), "AES"),
                    new IvParameterSpec(Arrays.copyOf(data, IV_LENGTH)));
            plain = cipher.doFinal(data, IV_LENGTH, data.length - IV_LENGTH);
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException("encrypt cannot be decrypted with the configured key");
        }
        return new String(plain, StandardCharsets.UTF_8);
    }

    /** The expected {@code X-Lark-Signature} of a request. */
    public static String signature(String timestamp, String nonce, String encryptKey, byte[] rawBody) {
        byte[] prefix = (timestamp + nonce + encryptKey).getBytes(StandardCharsets.UTF_8);
        return Signatures.sha256Hex(Signatures.concat(prefix, rawBody));
    }

    private static byte[] key(String encryptKey) throws GeneralSecurityException {
        return MessageDigest.getInstance("SHA-256").digest(encryptKey.getBytes(StandardCharsets.UTF_8));
    }
}
