package routes.channel;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import routes.envelope.Envelope;

/**
 * What a channel that edits drafts ({@link DraftReplies}) provides: its settings, how a draft looks, the
 * platform's send permits, and the two platform calls. Calls complete, never block; a refusal completes the future
 * with a {@link PlatformException}.
 */
public interface DraftChannel {

    /** The channel name, as in envelopes. */
    String channel();

    /** Whether drafts are shown ({@code caravan.channels.<name>.stream-edits}). */
    boolean streamEdits();

    /** Shortest time between two calls for one draft ({@code caravan.channels.<name>.edit-interval}). */
    Duration editInterval();

    /** What the draft shows of the text so far: the first piece the egress would deliver, formatted the same. */
    String show(String textSoFar);

    /** Takes the platform's permits for a message into the chat without waiting; false when a limit says wait. */
    boolean tryPermits(Envelope inbound);

    /** Posts the draft where the final reply to {@code inbound} would go; completes with its message id. */
    CompletableFuture<String> post(Envelope inbound, String text);

    /** Replaces the text of the draft {@code messageId}; an edit to the same text counts as done. */
    CompletableFuture<Void> edit(Envelope inbound, String messageId, String text);
}
