package routes.channel.whatsapp;

/** Names the WhatsApp channel's routes and envelopes share. */
public final class WhatsAppConstants {

    /** The channel name, as in envelopes and the reply topic {@code caravan.outbound.whatsapp}. */
    public static final String CHANNEL = "whatsapp";

    /** The webhook path (Callback URL of the app's WhatsApp webhook configuration). */
    public static final String WEBHOOK_PATH = "/webhooks/whatsapp";

    /** Metadata: the message's timestamp as WhatsApp gave it (epoch seconds). */
    public static final String META_TIMESTAMP = "whatsappTimestamp";
    /** Metadata: the WhatsApp message type (text, button, interactive). */
    public static final String META_TYPE = "whatsappType";
    /** Metadata: the id of the message this one replies to, when the person quoted one. */
    public static final String META_CONTEXT_ID = "whatsappContextId";

    /** Exchange property: the envelopes of one webhook call, in timestamp order. */
    public static final String MESSAGES = "CaravanWhatsAppMessages";
    /** Exchange property: the pieces of a reply still to be sent (List of {@link WhatsAppApi.Outgoing}). */
    public static final String PIECES = "CaravanWhatsAppPieces";

    private WhatsAppConstants() {
    }
}
