package routes.model;

import java.net.http.HttpRequest.BodyPublisher;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Flow;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A request body handed to the JDK client as one buffer over its bytes, without the copy
 * {@code BodyPublishers.ofString} makes for each subscription.
 *
 * <p>Why it matters: the JDK client keeps the request, and with it its body publisher and the buffers it handed
 * out, until the response has ended. A model request carries the conversation's history, and a streamed answer
 * takes seconds, so with thousands of calls in flight the copies were megabytes that every young collection had to
 * move. Each subscription (the client subscribes again when it resends on a fresh connection) gets its own buffer
 * over the same bytes; the client only reads from it.
 */
final class WrappedBody implements BodyPublisher {

    private final byte[] bytes;

    WrappedBody(String body) {
        this.bytes = body.getBytes(StandardCharsets.UTF_8);
    }

    @Override
    public long contentLength() {
        return bytes.length;
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
                subscriber.onNext(ByteBuffer.wrap(bytes));
                subscriber.onComplete();
            }

            @Override
            public void cancel() {
                done.set(true);
            }
        });
    }
}
