package routes.infra;

import routes.envelope.Envelope;

/** Hands replies and token deltas to the client connections this instance holds. */
public interface LocalDelivery {

    /**
     * Delivers a final reply to whatever on this instance waits for it.
     *
     * @return whether a connection or waiting request took it
     */
    boolean deliverReply(Envelope reply);

    /**
     * Offers a reply the pipeline has just put on its outbound topic, before its egress route has read it back, to a
     * request on this instance that waits for exactly that one reply (the OpenAI-compatible API). Such a waiter
     * takes a reply at most once, so the egress route's copy later finds nobody waiting; whatever could take a reply
     * twice (a WebSocket connection: its deliveries are marked in Redis by the egress route) declines.
     *
     * @return whether a waiting request took it
     */
    default boolean offerPublishedReply(Envelope reply) {
        return false;
    }

    /** Delivers a token fragment of a reply still being generated; best effort. */
    void deliverDelta(Delta delta);
}
