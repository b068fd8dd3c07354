package routes.channel.whatsapp;

import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import routes.channel.Signatures;
import routes.envelope.ChatType;
import routes.envelope.Envelope;

/**
 * What a WhatsApp Cloud API webhook call means: the subscription check, the signature check over the raw bytes,
 * and the messages of a (batched) payload in timestamp order. No I/O here.
 */
public final class WhatsAppWebhook {

    private static final int MAX_NESTING = 64;
    private static final ObjectMapper JSON = new ObjectMapper();

    static {
        JSON.getFactory().setStreamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(MAX_NESTING).build());
    }

    private WhatsAppWebhook() {
    }

    /**
     * One message a person sent.
     *
     * @param id            WhatsApp's message id (wamid…), stable across webhook redeliveries
     * @param from          the person's WhatsApp id (phone number)
     * @param timestamp     when they sent it (epoch seconds)
     * @param type          text, image, button, interactive …
     * @param text          the text, or null when the message carries none Caravan can answer
     * @param name          the person's profile name, when given
     * @param phoneNumberId the business phone number it reached
     * @param contextId     the message it replies to, when it quotes one
     */
    public record Inbound(String id, String from, long timestamp, String type, String text, String name,
            String phoneNumberId, String contextId) {

        /** Whether Caravan answers it (it has text). */
        public boolean answerable() {
            return text != null && !text.isBlank();
        }

        /** The envelope, not yet prepared by the ingress (no trace id, instance or time). */
        public Envelope.Builder toEnvelope() {
            return Envelope.builder()
                    // WhatsApp's own id: a redelivered webhook maps to the same envelope and gets no second reply
                    .id(id)
                    .channel(WhatsAppConstants.CHANNEL)
                    .account(phoneNumberId)
                    .chatId(from)
                    .chatType(ChatType.DIRECT)
                    .senderId(from)
                    .senderName(name)
                    .text(text)
                    .replyTo(id)
                    .meta(WhatsAppConstants.META_TIMESTAMP, String.valueOf(timestamp))
                    .meta(WhatsAppConstants.META_TYPE, type)
                    .meta(WhatsAppConstants.META_CONTEXT_ID, contextId);
        }
    }

    /**
     * Meta's subscription check: {@code hub.mode=subscribe} and our verify token.
     *
     * @return the challenge to echo
     * @throws WhatsAppWebhookException 403 otherwise
     */
    public static String verifySubscription(String verifyToken, String mode, String token, String challenge) {
        if (verifyToken == null || verifyToken.isBlank()) {
            throw new WhatsAppWebhookException(403, "not_configured", "the WhatsApp verify token is not configured");
        }
        if (!"subscribe".equals(mode) || !Signatures.constantTimeEquals(verifyToken, token)) {
            throw new WhatsAppWebhookException(403, "verification_failed",
                    "hub.mode must be subscribe and hub.verify_token must match");
        }
        if (challenge == null || challenge.isEmpty() || challenge.length() > 200) {
            throw new WhatsAppWebhookException(400, "missing_challenge", "hub.challenge is missing");
        }
        return challenge;
    }

    /**
     * Checks {@code X-Hub-Signature-256} = {@code sha256=} hex(HMAC-SHA256(app secret, raw body)).
     *
     * @throws WhatsAppWebhookException 401 when the call is not provably from Meta
     */
    public static void verifySignature(String appSecret, String header, byte[] body) {
        if (appSecret == null || appSecret.isBlank()) {
            throw new WhatsAppWebhookException(401, "not_configured",
                    "the WhatsApp app secret is not configured; every call is refused");
        }
        if (header == null || header.isBlank()) {
            throw new WhatsAppWebhookException(401, "missing_signature", "X-Hub-Signature-256 is required");
        }
        String expected = "sha256=" + Signatures.hmacSha256Hex(appSecret, body);
        if (!Signatures.constantTimeEquals(expected, header.trim())) {
            throw new WhatsAppWebhookException(401, "invalid_signature", "X-Hub-Signature-256 does not match the body");
        }
    }

    /**
     * The messages of one webhook call.
     *
     * @param messages the messages, oldest first
     * @param skipped  messages left out because they lack an id, a sender or a timestamp
     */
    public record Batch(List<Inbound> messages, int skipped) {
    }

    /**
     * The messages of a verified payload, oldest first (Meta does not keep them in order across entries and
     * changes). Status updates and other fields are left out; so is a message without id, sender or timestamp,
     * rather than refusing the others of its batch.
     *
     * @throws WhatsAppWebhookException 400 when the body is not a webhook payload
     */
    public static Batch read(byte[] body) {
        JsonNode root = parse(body);
        JsonNode entries = root.path("entry");
        if (!entries.isArray()) {
            throw new WhatsAppWebhookException(400, "invalid_payload", "the payload has no entry array");
        }
        List<Inbound> messages = new ArrayList<>();
        int skipped = 0;
        for (JsonNode entry : entries) {
            for (JsonNode change : entry.path("changes")) {
                if (!"messages".equals(change.path("field").asText("messages"))) {
                    continue;
                }
                JsonNode value = change.path("value");
                String phoneNumberId = value.path("metadata").path("phone_number_id").asText(null);
                Map<String, String> names = new HashMap<>();
                for (JsonNode contact : value.path("contacts")) {
                    String name = contact.path("profile").path("name").asText("");
                    if (contact.hasNonNull("wa_id") && !name.isEmpty()) {
                        names.put(contact.path("wa_id").asText(), name);
                    }
                }
                for (JsonNode message : value.path("messages")) {
                    Inbound inbound = message(message, phoneNumberId, names);
                    if (inbound == null) {
                        skipped++;
                    } else {
                        messages.add(inbound);
                    }
                }
            }
        }
        // stable: messages with the same second keep the order Meta gave them
        messages.sort(Comparator.comparingLong(Inbound::timestamp));
        return new Batch(List.copyOf(messages), skipped);
    }

    /** The message, or null when it lacks a usable id, sender or timestamp (one that is a representable time). */
    private static Inbound message(JsonNode message, String phoneNumberId, Map<String, String> names) {
        String id = message.path("id").asText("");
        String from = message.path("from").asText("");
        if (id.isEmpty() || from.isEmpty() || id.length() > 256 || from.length() > 64
                || !from.matches("[A-Za-z0-9._-]+")) {
            return null;
        }
        long timestamp;
        try {
            timestamp = Long.parseLong(message.path("timestamp").asText(""));
        } catch (NumberFormatException e) {
            return null;
        }
        if (timestamp < Instant.MIN.getEpochSecond() || timestamp > Instant.MAX.getEpochSecond()) {
            // no instant has it: not a time a message was sent
            return null;
        }
        String type = message.path("type").asText("unknown");
        String text = switch (type) {
            case "text" -> message.path("text").path("body").asText(null);
            // quick-reply buttons of templates and interactive replies carry the label the person chose
            case "button" -> message.path("button").path("text").asText(null);
            case "interactive" -> {
                JsonNode interactive = message.path("interactive");
                JsonNode reply = interactive.has("button_reply") ? interactive.path("button_reply")
                        : interactive.path("list_reply");
                yield reply.path("title").asText(null);
            }
            default -> null;
        };
        String contextId = message.path("context").path("id").asText(null);
        return new Inbound(id, from, timestamp, type, text, names.get(from), phoneNumberId, contextId);
    }

    /** The time of a message, not later than {@code now} (a sender's clock may run ahead). */
    static Instant sentAt(Inbound message, Instant now) {
        Instant sent = Instant.ofEpochSecond(message.timestamp());
        return sent.isAfter(now) ? now : sent;
    }

    private static JsonNode parse(byte[] body) {
        if (body == null || body.length == 0) {
            throw new WhatsAppWebhookException(400, "invalid_json", "the body is empty");
        }
        try {
            JsonNode root = JSON.readTree(body);
            if (root == null || !root.isObject()) {
                throw new WhatsAppWebhookException(400, "invalid_json", "the body is not a JSON object");
            }
            return root;
        } catch (IOException e) {
            throw new WhatsAppWebhookException(400, "invalid_json", "the body is not valid JSON");
        }
    }
}
