package routes.channel.feishu;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import routes.channel.GroupPolicy;
import routes.channel.Signatures;
import routes.envelope.ChatType;
import routes.envelope.Envelope;

/**
 * Turns one Feishu event request into what to do with it: answer a challenge, publish a message, acknowledge and
 * drop, or reject. Verification comes first and works on the raw bytes:
 *
 * <ul>
 *   <li>With an Encrypt Key, events are signed: {@code X-Lark-Signature} must match and its timestamp be recent.
 *       Feishu does not sign the request-URL check, so an unsigned {@code url_verification} is answered when its
 *       token matches (or, encrypted and without a configured token, when it decrypts with our key).</li>
 *   <li>Without an Encrypt Key, the Verification Token in the event must match.</li>
 * </ul>
 *
 * Thread-safe; holds no state of its own.
 */
public final class FeishuWebhook {

    /** The event type of a received message. */
    public static final String MESSAGE_RECEIVED = "im.message.receive_v1";

    private static final ObjectMapper JSON = new ObjectMapper();

    static {
        JSON.getFactory().setStreamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(64).build());
    }

    /** What the request asks for. */
    public sealed interface Outcome permits Challenge, Accept, Ignore, Reject {
    }

    /** The request-URL check: answer {@code {"challenge": …}}. */
    public record Challenge(String challenge) implements Outcome {
    }

    /** A message to publish. */
    public record Accept(Envelope.Builder message) implements Outcome {
    }

    /** Authentic, but nothing to answer (another event type, a bot's message, a group the policy skips …). */
    public record Ignore(String reason) implements Outcome {
    }

    /** Refused: answer {@code status} with a JSON error naming {@code code}. */
    public record Reject(int status, String code, String message) implements Outcome {
    }

    /** One webhook request: the raw body and the signature headers (any of them may be null). */
    public record Request(byte[] body, String timestamp, String nonce, String signature) {
    }

    private final String verificationToken;
    private final String encryptKey;
    private final Duration signatureMaxAge;
    private final GroupPolicy groupPolicy;
    private final long maxTextBytes;
    private final Supplier<String> botOpenId;
    private final Clock clock;

    /**
     * @param botOpenId the bot's open_id, or null while unknown (then any mention counts as addressing the bot)
     */
    public FeishuWebhook(FeishuProperties properties, long maxTextBytes, Supplier<String> botOpenId, Clock clock) {
        this.verificationToken = properties.getVerificationToken();
        this.encryptKey = properties.getEncryptKey();
        this.signatureMaxAge = properties.getSignatureMaxAge();
        this.groupPolicy = properties.getGroupPolicy();
        this.maxTextBytes = maxTextBytes;
        this.botOpenId = botOpenId;
        this.clock = clock;
    }

    public Outcome handle(Request request) {
        byte[] body = request.body() == null ? new byte[0] : request.body();
        boolean signed = false;
        if (!encryptKey.isEmpty() && request.signature() != null) {
            Reject bad = checkSignature(request, body);
            if (bad != null) {
                return bad;
            }
            signed = true;
        }
        JsonNode outer = parse(body);
        if (outer == null || !outer.isObject()) {
            return new Reject(400, "bad_json", "the body is not a JSON object");
        }
        JsonNode event = outer;
        boolean decrypted = false;
        if (outer.has("encrypt")) {
            if (encryptKey.isEmpty()) {
                return new Reject(400, "unexpected_encryption",
                        "the event is encrypted but no encrypt key is configured");
            }
            try {
                event = parse(FeishuCrypto.decrypt(outer.path("encrypt").asText(""), encryptKey)
                        .getBytes(StandardCharsets.UTF_8));
            } catch (IllegalArgumentException e) {
                return signed ? new Reject(400, "bad_encryption", e.getMessage())
                        : new Reject(401, "bad_encryption", e.getMessage());
            }
            if (event == null || !event.isObject()) {
                return new Reject(400, "bad_json", "the decrypted event is not a JSON object");
            }
            decrypted = true;
        }

        if ("url_verification".equals(event.path("type").asText())) {
            return challenge(event, signed || decrypted);
        }
        if (!encryptKey.isEmpty() && !signed) {
            return new Reject(401, "missing_signature", "the event carries no X-Lark-Signature");
        }
        JsonNode header = event.path("header");
        String token = header.isObject() ? header.path("token").asText(null) : event.path("token").asText(null);
        if (!verificationToken.isEmpty()) {
            if (!Signatures.constantTimeEquals(verificationToken, token)) {
                return new Reject(401, "bad_token", "the verification token does not match");
            }
        } else if (!signed) {
            return new Reject(401, "not_verifiable",
                    "neither a verification token nor an encrypt key is configured");
        }
        if (!"2.0".equals(event.path("schema").asText())) {
            return new Ignore("event schema 1.0 is not handled");
        }
        if (!MESSAGE_RECEIVED.equals(header.path("event_type").asText())) {
            return new Ignore("event type " + header.path("event_type").asText() + " is not handled");
        }
        String eventId = header.path("event_id").asText("");
        if (eventId.isBlank()) {
            return new Reject(400, "missing_event_id", "the event has no header.event_id");
        }
        return message(eventId, header, event.path("event"));
    }

    private Reject checkSignature(Request request, byte[] body) {
        if (request.timestamp() == null || request.nonce() == null) {
            return new Reject(401, "missing_signature", "X-Lark-Request-Timestamp and X-Lark-Request-Nonce are required");
        }
        long seconds;
        try {
            seconds = Long.parseLong(request.timestamp().trim());
        } catch (NumberFormatException e) {
            return new Reject(401, "bad_timestamp", "X-Lark-Request-Timestamp is not a number");
        }
        String expected = FeishuCrypto.signature(request.timestamp(), request.nonce(), encryptKey, body);
        if (!Signatures.constantTimeEquals(expected, request.signature().trim().toLowerCase(Locale.ROOT))) {
            return new Reject(401, "bad_signature", "X-Lark-Signature does not match");
        }
        Duration age;
        try {
            age = Duration.between(Instant.ofEpochSecond(seconds), clock.instant()).abs();
        } catch (java.time.DateTimeException | ArithmeticException e) {
            // no instant has it: as far from now as a timestamp can be
            age = null;
        }
        if (age == null || age.compareTo(signatureMaxAge) > 0) {
            return new Reject(401, "expired", "the request timestamp is too far from now");
        }
        return null;
    }

    private Outcome challenge(JsonNode event, boolean authenticated) {
        String challenge = event.path("challenge").asText("");
        if (challenge.isEmpty()) {
            return new Reject(400, "missing_challenge", "url_verification without a challenge");
        }
        if (!verificationToken.isEmpty()) {
            if (!Signatures.constantTimeEquals(verificationToken, event.path("token").asText(null))) {
                return new Reject(401, "bad_token", "the verification token does not match");
            }
        } else if (!authenticated) {
            return new Reject(401, "not_verifiable", "no verification token is configured");
        }
        return new Challenge(challenge);
    }

    private Outcome message(String eventId, JsonNode header, JsonNode event) {
        JsonNode sender = event.path("sender");
        JsonNode message = event.path("message");
        if (!"user".equals(sender.path("sender_type").asText("user"))) {
            return new Ignore("message from a " + sender.path("sender_type").asText());
        }
        String chatId = message.path("chat_id").asText("");
        if (chatId.isBlank()) {
            return new Reject(400, "missing_chat_id", "the message has no chat_id");
        }
        if (!"text".equals(message.path("message_type").asText())) {
            return new Ignore("message type " + message.path("message_type").asText() + " is not handled");
        }
        JsonNode content = parse(message.path("content").asText("").getBytes(StandardCharsets.UTF_8));
        if (content == null || !content.path("text").isTextual()) {
            return new Reject(400, "bad_content", "the text message content is not {\"text\": …}");
        }
        boolean group = !"p2p".equals(message.path("chat_type").asText());
        String bot = botOpenId.get();
        boolean mentioned = false;
        String text = content.path("text").asText();
        for (JsonNode mention : message.path("mentions")) {
            String key = mention.path("key").asText("");
            boolean isBot = bot == null || bot.equals(mention.path("id").path("open_id").asText());
            mentioned |= isBot;
            if (!key.isEmpty()) {
                // "@_user_1" must not eat the start of "@_user_10"
                text = text.replaceAll(Pattern.quote(key) + "(?!\\d)",
                        Matcher.quoteReplacement(isBot ? "" : "@" + mention.path("name").asText("")));
            }
        }
        text = text.strip();
        if (!groupPolicy.answers(group, mentioned)) {
            return new Ignore("group policy " + groupPolicy + " skips this message");
        }
        if (text.isEmpty()) {
            return new Ignore("empty text");
        }
        if (text.getBytes(StandardCharsets.UTF_8).length > maxTextBytes) {
            return new Ignore("text longer than caravan.limits.max-text");
        }
        JsonNode senderId = sender.path("sender_id");
        String from = firstText(senderId, "open_id", "user_id", "union_id");
        Envelope.Builder builder = Envelope.builder()
                .id(eventId)
                .channel(FeishuConstants.CHANNEL)
                .account(header.path("app_id").asText(null))
                .chatId(chatId)
                .chatType(group ? ChatType.GROUP : ChatType.DIRECT)
                .senderId(from)
                .text(text)
                .mentioned(group ? mentioned : null)
                .replyTo(message.path("message_id").asText(null))
                .meta(FeishuConstants.META_MESSAGE_ID, message.path("message_id").asText(null))
                .meta(FeishuConstants.META_TENANT_KEY, header.path("tenant_key").asText(null));
        return new Accept(builder);
    }

    private static String firstText(JsonNode node, String... fields) {
        for (String field : fields) {
            String value = node.path(field).asText("");
            if (!value.isBlank()) {
                return value;
            }
        }
        return null;
    }

    private static JsonNode parse(byte[] json) {
        try {
            return json.length == 0 ? null : JSON.readTree(json);
        } catch (JsonProcessingException e) {
            return null;
        } catch (IOException e) {
            return null;
        }
    }
}
