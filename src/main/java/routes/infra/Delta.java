package routes.infra;

/**
 * A token fragment of a reply on its way to the connection that waits for it. Ephemeral: never put on Kafka.
 *
 * @param channel    the channel of the conversation
 * @param chatId     the conversation
 * @param inReplyTo  the id of the message being answered
 * @param connection the connection id that sent the message, when the channel has one
 * @param text       the fragment
 */
public record Delta(String channel, String chatId, String inReplyTo, String connection, String text) {
}
