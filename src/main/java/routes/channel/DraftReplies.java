package routes.channel;

import java.util.function.Consumer;
import routes.envelope.Envelope;

/**
 * Shows a reply while the model is still writing it, on channels that can edit a message they sent: a draft is
 * posted with the first text and edited as more arrives; the final reply, delivered by the channel's egress,
 * edits the draft one last time.
 */
public interface DraftReplies {

    /**
     * A receiver of the token fragments of the reply to {@code inbound} that keeps its draft up to date, or
     * {@code null} when the message's channel does not show drafts. The receiver is called on model I/O threads
     * and returns at once.
     */
    Consumer<String> draftFor(Envelope inbound);
}
