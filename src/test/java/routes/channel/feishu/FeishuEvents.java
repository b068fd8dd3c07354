package routes.channel.feishu;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HexFormat;
import javax.crypto.Cipher;
import javax.crypto.spec.IvParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * Builds Feishu event requests the way Feishu sends them, for tests. Encryption and signing are written here
 * independently of the production code, straight from Feishu's description.
 */
final class FeishuEvents {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final SecureRandom RANDOM = new SecureRandom();

    private FeishuEvents() {
    }

    static String challenge(String challenge, String token) {
        return JSON.createObjectNode().put("challenge", challenge).put("token", token)
                .put("type", "url_verification").toString();
    }

    /** A schema 2.0 im.message.receive_v1 text message; {@code mentions} is pairs of (open_id, name). */
    static String textMessage(String eventId, String token, String chatId, String chatType, String text,
            String... mentions) {
        return message(eventId, token, chatId, chatType, "text",
                JSON.createObjectNode().put("text", text).toString(), "user", mentions);
    }

    static String message(String eventId, String token, String chatId, String chatType, String messageType,
            String content, String senderType, String... mentions) {
        ObjectNode root = JSON.createObjectNode().put("schema", "2.0");
        root.putObject("header").put("event_id", eventId).put("token", token)
                .put("create_time", String.valueOf(System.currentTimeMillis()))
                .put("event_type", "im.message.receive_v1").put("tenant_key", "tenant-1").put("app_id", "cli_fake");
        ObjectNode event = root.putObject("event");
        ObjectNode sender = event.putObject("sender").put("sender_type", senderType).put("tenant_key", "tenant-1");
        sender.putObject("sender_id").put("open_id", "ou_person").put("user_id", "person").put("union_id", "on_p");
        ObjectNode message = event.putObject("message").put("message_id", "om_" + eventId)
                .put("create_time", String.valueOf(System.currentTimeMillis())).put("chat_id", chatId)
                .put("chat_type", chatType).put("message_type", messageType).put("content", content);
        ArrayNode list = message.putArray("mentions");
        for (int i = 0; i + 1 < mentions.length; i += 2) {
            ObjectNode mention = list.addObject().put("key", "@_user_" + (i / 2 + 1)).put("name", mentions[i + 1])
                    .put("tenant_key", "tenant-1");
            mention.putObject("id").put("open_id", mentions[i]).put("user_id", "u" + i).put("union_id", "on" + i);
        }
        return root.toString();
    }

    /** {@code {"encrypt": …}}: AES-256-CBC, key SHA-256(encrypt key), random IV prepended, base64. */
    static String encrypted(String json, String encryptKey) {
        try {
            byte[] iv = new byte[16];
            RANDOM.nextBytes(iv);
            byte[] key = MessageDigest.getInstance("SHA-256").digest(encryptKey.getBytes(StandardCharsets.UTF_8));
            Cipher cipher = Cipher.getInstance("AES/CBC/PKCS5Padding");
            cipher.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(key, "AES"), new IvParameterSpec(iv));
            byte[] sealed = cipher.doFinal(json.getBytes(StandardCharsets.UTF_8));
            byte[] all = new byte[iv.length + sealed.length];
            System.arraycopy(iv, 0, all, 0, iv.length);
            System.arraycopy(sealed, 0, all, iv.length, sealed.length);
            return JSON.createObjectNode().put("encrypt", Base64.getEncoder().encodeToString(all)).toString();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** hex(SHA-256(timestamp + nonce + encrypt key + body)). */
    static String sign(String timestamp, String nonce, String encryptKey, byte[] body) {
        try {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            digest.update((timestamp + nonce + encryptKey).getBytes(StandardCharsets.UTF_8));
            digest.update(body);
            return HexFormat.of().formatHex(digest.digest());
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    static String nonce() {
        byte[] bytes = new byte[8];
        RANDOM.nextBytes(bytes);
        return HexFormat.of().formatHex(bytes);
    }
}
