package routes.channel.web;

import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import routes.envelope.Envelope;

/**
 * Requests on this instance that wait for the reply to a message (the OpenAI-compatible API), by message id.
 *
 * <p>A waiter is registered before its message is published, so a fast reply cannot arrive before anyone waits.
 */
class PendingReplies {

    /** One waiting request: completes with the reply; optionally takes deltas while the reply is generated. */
    record Waiter(CompletableFuture<Envelope> reply, Consumer<String> deltas) {
    }

    private final Map<String, Waiter> waiters = new ConcurrentHashMap<>();

    Waiter expect(String messageId, Consumer<String> deltas) {
        Waiter waiter = new Waiter(new CompletableFuture<>(), deltas);
        waiters.put(messageId, waiter);
        waiter.reply().whenComplete((r, e) -> waiters.remove(messageId, waiter));
        return waiter;
    }

    boolean complete(Envelope reply) {
        Waiter waiter = waiters.get(reply.inReplyTo());
        return waiter != null && waiter.reply().complete(reply);
    }

    void delta(String messageId, String text) {
        Waiter waiter = waiters.get(messageId);
        if (waiter != null && waiter.deltas() != null) {
            waiter.deltas().accept(text);
        }
    }

    int size() {
        return waiters.size();
    }
}
