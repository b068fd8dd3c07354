package routes.channel.telegram;

/** Names the Telegram channel's routes share: the channel, metadata keys, exchange properties. */
public final class TelegramConstants {

    /** The channel name in envelopes and the reply topic {@code caravan.outbound.telegram}. */
    public static final String CHANNEL = "telegram";

    /** The webhook path on Caravan's HTTP port. */
    public static final String WEBHOOK_PATH = "/webhooks/telegram";

    /** The header Telegram sends the webhook secret in. */
    public static final String SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token";

    /** Envelope metadata: the Telegram update_id the message came in. */
    public static final String META_UPDATE_ID = "updateId";
    /** Envelope metadata: the Telegram message_id of the message. */
    public static final String META_MESSAGE_ID = "messageId";

    /** Exchange property: the update being processed (a Jackson JsonNode). */
    public static final String UPDATE = "CaravanTelegramUpdate";
    /** Exchange property: the pieces of a reply still to send (List of String). */
    public static final String CHUNKS = "CaravanTelegramChunks";
    /** Exchange property: index of the next piece to send. */
    public static final String NEXT_CHUNK = "CaravanTelegramNextChunk";

    private TelegramConstants() {
    }
}
