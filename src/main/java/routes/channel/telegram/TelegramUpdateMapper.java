package routes.channel.telegram;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Locale;
import routes.channel.GroupPolicy;
import routes.envelope.ChatType;
import routes.envelope.Envelope;

/**
 * Maps a Telegram {@code Update} (webhook body or one getUpdates element) to an envelope, or says why it is not
 * answered. Pure: no I/O, never throws on odd input.
 *
 * <p>The envelope id is {@code <bot id>:<update_id>}: Telegram's webhook retries and a getUpdates batch fetched
 * again (after a failure or a change of poller) carry the same update_id, so the pipeline's dedupe gives them one
 * reply.
 */
public final class TelegramUpdateMapper {

    private TelegramUpdateMapper() {
    }

    /** What to do with an update. */
    public sealed interface Outcome permits Publish, Ignore {
    }

    /** Publish this message. */
    public record Publish(Envelope.Builder envelope) implements Outcome {
    }

    /** Acknowledge the update without publishing it, for this reason (no message text in it). */
    public record Ignore(String reason) implements Outcome {
    }

    /** The update's id, or {@code null} when it has none (then it is not a Telegram update). */
    public static Long updateId(JsonNode update) {
        JsonNode id = update == null ? null : update.get("update_id");
        return id != null && id.isIntegralNumber() ? id.asLong() : null;
    }

    /**
     * Maps one update.
     *
     * @param update      the Update object
     * @param botId       the bot's user id (from the token)
     * @param botUsername the bot's username without {@code @}, or {@code null} when unknown
     * @param policy      when to answer in groups
     */
    public static Outcome map(JsonNode update, String botId, String botUsername, GroupPolicy policy) {
        Long updateId = updateId(update);
        if (updateId == null) {
            return new Ignore("no update_id");
        }
        JsonNode message = update.get("message");
        if (message == null || !message.isObject()) {
            return new Ignore("not a new message (" + kind(update) + ")");
        }
        JsonNode chat = message.path("chat");
        String chatId = scalar(chat.get("id"));
        if (chatId == null) {
            return new Ignore("message without chat id");
        }
        String type = chat.path("type").asText("");
        boolean group = type.equals("group") || type.equals("supergroup");
        if (!group && !type.equals("private")) {
            return new Ignore("chat type " + (type.isEmpty() ? "unknown" : type) + " is not answered");
        }
        JsonNode from = message.path("from");
        String senderId = scalar(from.get("id"));
        if (senderId == null) {
            return new Ignore("message without sender");
        }
        if (from.path("is_bot").asBoolean(false)) {
            return new Ignore("message from a bot");
        }
        String text = message.path("text").isTextual() ? message.path("text").asText()
                : message.path("caption").isTextual() ? message.path("caption").asText() : null;
        if (text == null || text.isBlank()) {
            return new Ignore("message without text");
        }
        boolean addressed = group && (mentions(text, botUsername) || repliesToBot(message, botId));
        if (!policy.answers(group, addressed)) {
            return new Ignore("group policy " + policy.name().toLowerCase(Locale.ROOT) + " does not answer it");
        }
        String messageId = scalar(message.get("message_id"));
        Envelope.Builder envelope = Envelope.builder()
                .id(botId + ":" + updateId)
                .channel(TelegramConstants.CHANNEL)
                .account(botId)
                .chatId(chatId)
                .chatType(group ? ChatType.GROUP : ChatType.DIRECT)
                .senderId(senderId)
                .senderName(displayName(from))
                .text(text)
                .mentioned(group ? addressed : null)
                .replyTo(messageId)
                .meta(TelegramConstants.META_UPDATE_ID, String.valueOf(updateId))
                .meta(TelegramConstants.META_MESSAGE_ID, messageId);
        return new Publish(envelope);
    }

    /** Whether {@code text} names the bot as {@code @username} (any case, not as the start of a longer name). */
    static boolean mentions(String text, String botUsername) {
        if (botUsername == null || botUsername.isEmpty()) {
            return false;
        }
        String haystack = text.toLowerCase(Locale.ROOT);
        String needle = "@" + botUsername.toLowerCase(Locale.ROOT);
        for (int at = haystack.indexOf(needle); at >= 0; at = haystack.indexOf(needle, at + 1)) {
            int end = at + needle.length();
            if (end == haystack.length() || !isUsernameChar(haystack.charAt(end))) {
                return true;
            }
        }
        return false;
    }

    /** Whether the message replies to one of the bot's own messages. */
    static boolean repliesToBot(JsonNode message, String botId) {
        JsonNode replied = message.path("reply_to_message").path("from");
        return botId != null && botId.equals(scalar(replied.get("id")));
    }

    private static boolean isUsernameChar(char c) {
        return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
    }

    private static String displayName(JsonNode from) {
        String first = from.path("first_name").asText("").trim();
        String last = from.path("last_name").asText("").trim();
        String name = (first + " " + last).trim();
        if (!name.isEmpty()) {
            return name;
        }
        String username = from.path("username").asText("").trim();
        return username.isEmpty() ? null : username;
    }

    private static String kind(JsonNode update) {
        var names = update.fieldNames();
        while (names.hasNext()) {
            String name = names.next();
            if (!name.equals("update_id")) {
                return name.length() > 40 ? name.substring(0, 40) : name;
            }
        }
        return "empty";
    }

    /** A number or string node as text; {@code null} for anything else. */
    private static String scalar(JsonNode node) {
        if (node == null || node.isNull() || node.isContainerNode()) {
            return null;
        }
        String s = node.asText();
        return s.isEmpty() ? null : s;
    }
}
