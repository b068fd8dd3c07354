package routes.channel.mqtt;

import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import routes.envelope.ChatType;
import routes.envelope.Envelope;

/**
 * Maps a device's MQTT message to an envelope, and a reply envelope to the payload a device gets.
 *
 * <p>In: the topic {@code <prefix>/in/<deviceId>} names the device (chat id = device id, a direct chat). The
 * payload is plain UTF-8 text, or a JSON object {@code {"text": "…", "id": "…"}} whose id makes a device's
 * retry of the same message dedupe; without one, an MQTT 5 user property {@code id} does the same, and otherwise
 * the message gets a new id. Out: {@code {"id": …, "inReplyTo": …, "text": …}} (and {@code "error"} when the reply
 * explains a failure).
 */
public final class MqttMessages {

    private static final ObjectMapper JSON = new ObjectMapper();

    static {
        JSON.getFactory().setStreamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(16).build());
    }

    private MqttMessages() {
    }

    /**
     * The device a topic belongs to.
     *
     * @throws InvalidMqttMessageException when the topic is not {@code <prefix>/in/<one level>}
     */
    public static String deviceId(String topic, String prefix) {
        String head = prefix + "/in/";
        if (topic == null || !topic.startsWith(head)) {
            throw new InvalidMqttMessageException("topic is not " + head + "<deviceId>");
        }
        String device = topic.substring(head.length());
        if (!validDeviceId(device)) {
            throw new InvalidMqttMessageException("device id must be one topic level of 1 to "
                    + MqttConstants.MAX_ID_LENGTH + " characters");
        }
        return device;
    }

    /**
     * The envelope of one message; {@code id} stays unset when neither the payload nor the property names one.
     *
     * @param propertyId the message's MQTT 5 user property {@code id}, or null
     * @throws InvalidMqttMessageException when the payload is empty, not UTF-8, malformed JSON, or too large
     */
    public static Envelope.Builder inbound(String topic, String prefix, byte[] payload, String propertyId,
            long maxTextBytes) {
        String device = deviceId(topic, prefix);
        if (payload == null || payload.length == 0) {
            throw new InvalidMqttMessageException("empty payload");
        }
        String raw;
        try {
            raw = StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(payload)).toString();
        } catch (CharacterCodingException e) {
            throw new InvalidMqttMessageException("payload is not UTF-8 text");
        }
        String text = raw;
        String id = propertyId;
        if (raw.stripLeading().startsWith("{")) {
            JsonNode json;
            try {
                json = JSON.readTree(raw);
            } catch (Exception e) {
                throw new InvalidMqttMessageException("payload starts like JSON but is not valid JSON");
            }
            if (json == null || !json.isObject() || !json.path("text").isTextual()) {
                throw new InvalidMqttMessageException("a JSON payload needs a string field text");
            }
            text = json.path("text").asText();
            if (json.has("id")) {
                if (!json.path("id").isTextual() && !json.path("id").isIntegralNumber()) {
                    throw new InvalidMqttMessageException("id must be a string or an integer");
                }
                id = json.path("id").asText();
            }
        }
        text = text.strip();
        if (text.isEmpty()) {
            throw new InvalidMqttMessageException("the message has no text");
        }
        if (text.getBytes(StandardCharsets.UTF_8).length > maxTextBytes) {
            throw new InvalidMqttMessageException("text longer than " + maxTextBytes + " bytes");
        }
        if (id != null && !validId(id)) {
            throw new InvalidMqttMessageException("id must be 1 to " + MqttConstants.MAX_ID_LENGTH
                    + " characters without control characters");
        }
        return Envelope.builder()
                .id(id)
                .channel(MqttConstants.CHANNEL)
                .chatId(device)
                .chatType(ChatType.DIRECT)
                .senderId(device)
                .text(text)
                .meta(MqttConstants.META_TOPIC, topic);
    }

    /** The payload a device gets for a reply. */
    public static byte[] outbound(Envelope reply) {
        var body = JSON.createObjectNode()
                .put("id", reply.id())
                .put("inReplyTo", reply.inReplyTo())
                .put("text", reply.text());
        String error = reply.meta("error");
        if (error != null) {
            body.put("error", error);
        }
        return body.toString().getBytes(StandardCharsets.UTF_8);
    }

    /** Whether a message id is usable: 1 to 200 characters, no control characters. */
    static boolean validId(String id) {
        return id != null && !id.isBlank() && id.length() <= MqttConstants.MAX_ID_LENGTH
                && id.chars().noneMatch(Character::isISOControl);
    }

    /** Whether a device id can be one topic level: a valid id without '/', '+' or '#'. */
    public static boolean validDeviceId(String id) {
        return validId(id) && id.chars().noneMatch(c -> c == '/' || c == '+' || c == '#');
    }
}
