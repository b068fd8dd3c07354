package routes.model;

import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.camel.Message;
import routes.envelope.Envelope;

/**
 * The headers a routing rule in YAML can test (model routing, priority rules). Public contract: documented in
 * README, kept stable.
 */
public final class RoutingHeaders {

    /** Channel name: telegram, slack, whatsapp, feishu, mqtt, xmpp, websocket, rest, openai … */
    public static final String CHANNEL = "CaravanChannel";
    /** Conversation id within the channel. */
    public static final String CHAT_ID = "CaravanChatId";
    /** {@code direct} or {@code group}. */
    public static final String CHAT_TYPE = "CaravanChatType";
    /** Sender id within the channel. */
    public static final String SENDER = "CaravanSender";
    /** The message text (also the body). */
    public static final String TEXT = "CaravanText";
    /** The slash command the text starts with, lower case, e.g. {@code /code}; absent otherwise. */
    public static final String COMMAND = "CaravanCommand";
    /** The classified intent, e.g. {@code coding}, or {@code none}. */
    public static final String INTENT = "CaravanIntent";
    /** {@code true} when the bot was mentioned in a group. */
    public static final String MENTIONED = "CaravanMentioned";
    /** The message's priority: urgent, realtime, batch or low. A priority rule may set it. */
    public static final String PRIORITY = "CaravanPriority";
    /** The model profile chosen; what a model routing rule sets. */
    public static final String PROFILE = "CaravanProfile";

    /** All of the above, removed by {@link #removeAll} once the rules ran. */
    private static final java.util.List<String> ALL = java.util.List.of(CHANNEL, CHAT_ID, CHAT_TYPE, SENDER, TEXT,
            COMMAND, INTENT, MENTIONED, PRIORITY, PROFILE);

    private static final Pattern COMMAND_PATTERN = Pattern.compile("^\\s*(/[A-Za-z][A-Za-z0-9_-]*)(?:@\\S+)?");

    private RoutingHeaders() {
    }

    /**
     * Removes the headers above from {@code message}, by name: a pattern given to Camel's removeHeaders is compiled
     * as a regular expression for every header of every message.
     */
    public static void removeAll(Message message) {
        for (String name : ALL) {
            message.removeHeader(name);
        }
    }

    /** Sets the headers that describe {@code message} on {@code target}, and the text as the body. */
    public static void describe(Envelope message, Message target) {
        target.setHeader(CHANNEL, message.channel());
        target.setHeader(CHAT_ID, message.chatId());
        target.setHeader(CHAT_TYPE, message.chatType() == null ? "direct" : message.chatType().json());
        target.setHeader(SENDER, message.senderId());
        target.setHeader(TEXT, message.text());
        target.setHeader(MENTIONED, Boolean.TRUE.equals(message.mentioned()));
        target.setHeader(PRIORITY, message.priority() == null ? "realtime" : message.priority().json());
        String command = command(message.text());
        if (command != null) {
            target.setHeader(COMMAND, command);
        } else {
            target.removeHeader(COMMAND);
        }
        target.setBody(message.text());
    }

    /** The slash command {@code text} starts with ({@code /model@MyBot x} gives {@code /model}), or null. */
    public static String command(String text) {
        if (text == null) {
            return null;
        }
        Matcher m = COMMAND_PATTERN.matcher(text);
        return m.find() ? m.group(1).toLowerCase(Locale.ROOT) : null;
    }
}
