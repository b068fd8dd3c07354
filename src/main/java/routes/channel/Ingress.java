package routes.channel;

import io.micrometer.context.ContextExecutorService;
import io.micrometer.context.ContextSnapshotFactory;
import io.micrometer.tracing.Span;
import io.micrometer.tracing.Tracer;
import java.time.Instant;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import org.apache.camel.CamelContext;
import org.apache.camel.ProducerTemplate;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.stereotype.Component;
import routes.envelope.Envelope;
import routes.envelope.Ids;
import routes.envelope.Priority;
import routes.infra.InstanceIdentity;

/**
 * Accepts a normalised message: completes once it is durably on Kafka (acks=all), which is the moment a channel
 * may tell its client "accepted".
 *
 * <p>The message's trace id is the trace of the request that brought it when tracing is on, and the publishing
 * runs in that trace (the caller's trace context goes along to the publishing thread), so logs and spans of the
 * request, the pipeline and the reply share one trace id.
 */
@Component
public class Ingress implements DisposableBean {

    private static final ContextSnapshotFactory SNAPSHOTS = ContextSnapshotFactory.builder().build();

    private final ProducerTemplate producer;
    private final InstanceIdentity identity;
    private final ObjectProvider<Tracer> tracer;
    private final ExecutorService publishing;

    public Ingress(ProducerTemplate producer, InstanceIdentity identity, ObjectProvider<Tracer> tracer,
            CamelContext camel) {
        this.producer = producer;
        this.identity = identity;
        this.tracer = tracer;
        // the pool a ProducerTemplate's async methods use, made here so that the caller's trace context goes along
        this.publishing = ContextExecutorService.wrap(
                camel.getExecutorServiceManager().newDefaultThreadPool(this, "ingress"), SNAPSHOTS::captureAll);
    }

    /** Fills what the channel left out (trace id, instance, time, priority) and publishes to the inbound topic. */
    public CompletableFuture<Envelope> accept(Envelope.Builder builder) {
        Envelope message = prepare(builder);
        return CompletableFuture.supplyAsync(
                () -> producer.requestBody("direct:publish", message, Envelope.class), publishing);
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
        Tracer current = tracer.getIfAvailable();
        Span span = current == null ? null : current.currentSpan();
        String id = span == null ? null : span.context().traceId();
        return id != null && id.length() == 32 && !id.chars().allMatch(c -> c == '0') ? id : Ids.newTraceId();
    }

    @Override
    public void destroy() {
        publishing.shutdown();
    }
}
