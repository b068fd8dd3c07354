package routes.channel;

import io.micrometer.tracing.Span;
import io.micrometer.tracing.Tracer;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import org.apache.camel.AsyncProducer;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.ExchangePattern;
import org.apache.camel.support.service.ServiceHelper;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.stereotype.Component;
import org.springframework.util.function.SingletonSupplier;
import routes.envelope.Envelope;
import routes.envelope.Ids;
import routes.envelope.Priority;
import routes.infra.InstanceIdentity;

/**
 * Accepts a normalised message: completes once it is durably on Kafka (acks=all), which is the moment a channel
 * may tell its client "accepted".
 *
 * <p>Publishing does not hold a thread while Kafka acknowledges: the caller's thread runs the publish route up to
 * the send, and the returned future completes on the Kafka producer's callback. So the number of messages being
 * accepted at once is bounded by Kafka's buffers, not by a thread pool, and the caller's trace context is the one
 * the publish route runs in: logs and spans of the request, the pipeline and the reply share one trace id.
 */
@Component
public class Ingress implements DisposableBean {

    private final CamelContext camel;
    private final InstanceIdentity identity;
    /* looked up once, on the first message: a lookup per message resolved the bean every time */
    private final SingletonSupplier<Optional<Tracer>> tracer;
    private volatile AsyncProducer publisher;

    public Ingress(CamelContext camel, InstanceIdentity identity, ObjectProvider<Tracer> tracer) {
        this.camel = camel;
        this.identity = identity;
        this.tracer = SingletonSupplier.of(() -> Optional.ofNullable(tracer.getIfAvailable()));
    }

    /**
     * Fills what the channel left out (trace id, instance, time, priority) and publishes to the inbound topic.
     *
     * @return completes with the published envelope once Kafka has it, or exceptionally when it could not be sent
     */
    public CompletableFuture<Envelope> accept(Envelope.Builder builder) {
        try {
            Envelope message = prepare(builder);
            AsyncProducer producer = publisher();
            Exchange exchange = producer.getEndpoint().createExchange(ExchangePattern.InOut);
            exchange.getMessage().setBody(message);
            return producer.processAsync(exchange).thenApply(done -> {
                if (done.getException() != null) {
                    throw new CompletionException(done.getException());
                }
                return done.getMessage().getBody(Envelope.class);
            });
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    private AsyncProducer publisher() {
        AsyncProducer current = publisher;
        if (current == null) {
            synchronized (this) {
                current = publisher;
                if (current == null) {
                    try {
                        current = camel.getEndpoint("direct:publish").createAsyncProducer();
                    } catch (Exception e) {
                        throw new IllegalStateException("cannot publish to direct:publish", e);
                    }
                    ServiceHelper.startService(current);
                    publisher = current;
                }
            }
        }
        return current;
    }

    /**
     * Fills what the channel left out: a new id, trace id, this instance, the time and realtime priority. A route
     * that publishes itself sends the result to {@code direct:publish}.
     */
    public Envelope prepare(Envelope.Builder builder) {
        Envelope draft = builder.build();
        return draft.toBuilder()
                .id(draft.id() != null ? draft.id() : Ids.newId())
                .traceId(draft.traceId() != null ? draft.traceId() : traceId())
                .instance(draft.instance() != null ? draft.instance() : identity.id())
                .receivedAt(draft.receivedAt() != null ? draft.receivedAt() : Instant.now())
                .priority(draft.priority() != null ? draft.priority() : Priority.REALTIME)
                .build();
    }

    /** This instance's id, for envelopes whose replies must come back here. */
    public String instance() {
        return identity.id();
    }

    /** The id of the current trace when tracing is on and a span is current, else a new one of the same form. */
    private String traceId() {
        Tracer current = tracer.obtain().orElse(null);
        Span span = current == null ? null : current.currentSpan();
        String id = span == null ? null : span.context().traceId();
        return id != null && id.length() == 32 && !id.chars().allMatch(c -> c == '0') ? id : Ids.newTraceId();
    }

    @Override
    public void destroy() {
        ServiceHelper.stopService(publisher);
    }
}
