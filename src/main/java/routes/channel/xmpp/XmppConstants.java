package routes.channel.xmpp;

/** Names the XMPP channel shares between its ingress, egress, kamelets and tests. */
public final class XmppConstants {

    /** The channel name in envelopes and the reply topic {@code caravan.outbound.xmpp}. */
    public static final String CHANNEL = "xmpp";

    /** Route id of the ingress (the camel-xmpp consumer of the account's one connection). */
    public static final String INGRESS_ROUTE = "xmpp-ingress";
    /** Route id of the egress. */
    public static final String EGRESS_ROUTE = "xmpp-egress";

    /** Envelope metadata: the stanza id of the message, when it had one. */
    public static final String META_STANZA_ID = "stanzaId";
    /** Envelope metadata: the full JID the message came from (user's resource, or room/nick). */
    public static final String META_FROM = "from";

    /** Exchange property: the pieces of a reply (List of String). */
    public static final String CHUNKS = "CaravanXmppChunks";
    /** Exchange property: how many pieces a reply has. */
    public static final String CHUNK_COUNT = "CaravanXmppChunkCount";

    /** Longest stanza id used as is in an envelope id; longer ones are hashed. */
    public static final int MAX_ID_LENGTH = 200;

    private XmppConstants() {
    }
}
