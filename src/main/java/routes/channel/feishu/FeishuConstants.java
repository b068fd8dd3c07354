package routes.channel.feishu;

/** Names the Feishu channel shares between its ingress, egress and tests. */
public final class FeishuConstants {

    /** The channel name in envelopes and topic names. */
    public static final String CHANNEL = "feishu";
    /** The webhook path on the gateway's HTTP port. */
    public static final String WEBHOOK_PATH = "/webhooks/feishu";

    /** Request header: the signature of a signed event. */
    public static final String SIGNATURE = "X-Lark-Signature";
    /** Request header: the seconds timestamp of a signed event. */
    public static final String TIMESTAMP = "X-Lark-Request-Timestamp";
    /** Request header: the nonce of a signed event. */
    public static final String NONCE = "X-Lark-Request-Nonce";

    /** Metadata: the Feishu message id (om_…) of an inbound message. */
    public static final String META_MESSAGE_ID = "feishuMessageId";
    /** Metadata: the tenant the event came from. */
    public static final String META_TENANT_KEY = "feishuTenantKey";

    /** Exchange property: the {@link FeishuWebhook.Outcome} of a webhook request. */
    public static final String OUTCOME = "CaravanFeishuOutcome";
    /** Exchange property: how many pieces of a reply have been sent (a redelivery resumes after them). */
    public static final String PIECES_SENT = "CaravanFeishuPiecesSent";

    private FeishuConstants() {
    }
}
