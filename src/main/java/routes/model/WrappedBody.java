package routes.model;

import java.net.http.HttpRequest.BodyPublisher;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Flow;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A request body handed to the JDK client as one buffer, encoded when the client subscribes, and held by nobody once
 * it is written.
 *
 * <p>Why it matters: the JDK client keeps the request, and with it its body publisher, until the response has
 * ended. {@code BodyPublishers.ofString} holds the encoded bytes and copies them again for each subscription, all of
 * which stay reachable for the whole call. A model request carries the conversation's history and a streamed answer
 * takes seconds, so with thousands of calls in flight those copies were tens of megabytes that every young
 * collection had to move. The text itself is kept anyway (the model client holds its request until the answer
 * ends), so this publisher keeps only the text and its encoded length, and encodes it again for each subscription
 * (the client subscribes again when it resends on a fresh connection).
 */
final class WrappedBody implements BodyPublisher {

    private final String body;
    private final long length;

    WrappedBody(String body) {
        this.body = body;
        this.length = body.getBytes(StandardCharsets.UTF_8).length;
    }

    @Override
    public long contentLength() {
        return length;
    }

    @Override
    public void subscribe(Flow.Subscriber<? super ByteBuffer> subscriber) {
        subscriber.onSubscribe(new Flow.Subscription() {
            private final AtomicBoolean done = new AtomicBoolean();

            @Override
            public void request(long n) {
                if (!done.compareAndSet(false, true)) {
                    return;
                }
                if (n <= 0) {
                    subscriber.onError(new IllegalArgumentException("request(" + n + "): demand must be positive"));
                    return;
                }
                subscriber.onNext(ByteBuffer.wrap(body.getBytes(StandardCharsets.UTF_8)));
                subscriber.onComplete();
            }

            @Override
            public void cancel() {
                done.set(true);
            }
        });
    }
}
