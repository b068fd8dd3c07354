package routes.ops;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.springframework.stereotype.Component;
import routes.envelope.Envelope;

/**
 * Traffic metrics of the pipeline, per channel: {@code caravan_messages_in_total} (accepted onto Kafka),
 * {@code caravan_messages_out_total{outcome}} (replies published: {@code ok} or the reply's error code) and
 * {@code caravan_reply_latency_seconds} (from acceptance to the reply on its outbound topic, with histogram buckets
 * for p50/p95/p99 in Prometheus); and per provider {@code caravan_model_calls_total{provider,outcome}}.
 */
@Component
public class PipelineMetrics {

    private final MeterRegistry meters;
    private final Map<String, Counter> counters = new ConcurrentHashMap<>();
    private final Map<String, Timer> latencies = new ConcurrentHashMap<>();

    public PipelineMetrics(MeterRegistry meters) {
        this.meters = meters;
    }

    /** A message was accepted onto its inbound topic. */
    public void received(Envelope message) {
        counter("caravan.messages.in", "channel", channel(message), null, null).increment();
    }

    /** The reply to {@code inbound} was published; {@code errorCode} null for an answer. */
    public void replied(Envelope inbound, String errorCode) {
        String channel = channel(inbound);
        counter("caravan.messages.out", "channel", channel, "outcome", errorCode == null ? "ok" : errorCode)
                .increment();
        if (inbound.receivedAt() != null) {
            Duration took = Duration.between(inbound.receivedAt(), Instant.now());
            if (!took.isNegative()) {
                latencies.computeIfAbsent(channel, c -> Timer.builder("caravan.reply.latency")
                        .description("From acceptance of a message to its reply on the outbound topic")
                        .tag("channel", c)
                        .publishPercentileHistogram()
                        .minimumExpectedValue(Duration.ofMillis(1))
                        .maximumExpectedValue(Duration.ofMinutes(2))
                        .register(meters)).record(took);
            }
        }
    }

    /** One call to a model provider ended: {@code ok}, or the kind of failure. */
    public void modelCall(String provider, String outcome) {
        counter("caravan.model.calls", "provider", provider, "outcome", outcome).increment();
    }

    private Counter counter(String name, String k1, String v1, String k2, String v2) {
        String key = name + '|' + v1 + '|' + v2;
        return counters.computeIfAbsent(key, k -> {
            Counter.Builder builder = Counter.builder(name).tag(k1, v1);
            if (k2 != null) {
                builder.tag(k2, v2);
            }
            return builder.register(meters);
        });
    }

    private static String channel(Envelope message) {
        return message.channel() == null ? "unknown" : message.channel();
    }
}
