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

    /** Delivers a token fragment of a reply still being generated; best effort. */
    void deliverDelta(Delta delta);
}
