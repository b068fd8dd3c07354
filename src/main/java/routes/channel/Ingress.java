package routes.channel;

import java.time.Instant;
import java.util.concurrent.CompletableFuture;
import org.apache.camel.ProducerTemplate;
import org.springframework.stereotype.Component;
import routes.envelope.Envelope;
import routes.envelope.Ids;
import routes.envelope.Priority;
import routes.infra.InstanceIdentity;

/**
 * Accepts a normalised message: completes once it is durably on Kafka (acks=all), which is the moment a channel
 * may tell its client "accepted".
 */
@Component
public class Ingress {

    private final ProducerTemplate producer;
    private final InstanceIdentity identity;

    public Ingress(ProducerTemplate producer, InstanceIdentity identity) {
        this.producer = producer;
        this.identity = identity;
    }

    /** Fills what the channel left out (trace id, instance, time, priority) and publishes to the inbound topic. */
    public CompletableFuture<Envelope> accept(Envelope.Builder builder) {
        return producer.asyncRequestBody("direct:publish", prepare(builder), Envelope.class);
    }

    /**
     * Fills what the channel left out: a new id, trace id, this instance, the time and realtime priority. A route
     * that publishes itself sends the result to {@code direct:publish}.
     */
    public Envelope prepare(Envelope.Builder builder) {
        Envelope draft = builder.build();
        return draft.toBuilder()
                .id(draft.id() != null ? draft.id() : Ids.newId())
                .traceId(draft.traceId() != null ? draft.traceId() : Ids.newTraceId())
                .instance(draft.instance() != null ? draft.instance() : identity.id())
                .receivedAt(draft.receivedAt() != null ? draft.receivedAt() : Instant.now())
                .priority(draft.priority() != null ? draft.priority() : Priority.REALTIME)
                .build();
    }

    /** This instance's id, for envelopes whose replies must come back here. */
    public String instance() {
        return identity.id();
    }
}
