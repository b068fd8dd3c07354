package routes.pipeline;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.TimeUnit;
import org.apache.camel.Exchange;
import org.apache.camel.component.kafka.KafkaConstants;
import org.springframework.stereotype.Component;
import routes.envelope.Envelope;
import routes.envelope.EnvelopeCodec;
import routes.model.ModelReply;
import routes.model.ModelRouter;
import routes.model.UsageStore;

/**
 * Records what an answered message cost: a record on the usage topic (per message: sender, conversation, profile,
 * provider, model, tokens, latency), the sender's daily counters in Redis ({@code /usage}, budgets), and metrics
 * per provider, model and profile ({@code caravan_model_tokens_total}, {@code caravan_model_latency_seconds}).
 */
@Component
public class UsageRecorder {

    private final UsageStore store;
    private final MeterRegistry meters;

    public UsageRecorder(UsageStore store, MeterRegistry meters) {
        this.store = store;
        this.meters = meters;
    }

    /** Leaves the usage record in the body, ready for the usage topic; counts it in Redis and metrics. */
    public void record(Exchange exchange) {
        Envelope in = exchange.getProperty(PipelineConstants.INBOUND, Envelope.class);
        ModelReply reply = exchange.getProperty(PipelineConstants.MODEL_REPLY, ModelReply.class);
        Envelope out = exchange.getProperty(PipelineConstants.REPLY, Envelope.class);
        String profile = exchange.getProperty(ModelRouter.CHOSEN, String.class);
        long input = reply.inputTokens() == null ? 0 : reply.inputTokens();
        long output = reply.outputTokens() == null ? 0 : reply.outputTokens();
        long latencyMs = out == null || out.meta("latencyMs") == null ? 0 : Long.parseLong(out.meta("latencyMs"));
        boolean cached = out != null && "true".equals(out.meta("cached"));

        if (!cached) {
            store.add(in.channel(), Guards.user(in), input, output);
            String provider = reply.provider() == null ? "unknown" : reply.provider();
            String model = reply.model() == null ? "unknown" : reply.model();
            String p = profile == null ? "unknown" : profile;
            Counter.builder("caravan.model.tokens").description("Model tokens used")
                    .tags("provider", provider, "model", model, "profile", p, "direction", "input")
                    .register(meters).increment(input);
            Counter.builder("caravan.model.tokens").description("Model tokens used")
                    .tags("provider", provider, "model", model, "profile", p, "direction", "output")
                    .register(meters).increment(output);
            Timer.builder("caravan.model.latency").description("Time from model call to its whole answer")
                    .tags("provider", provider, "model", model, "profile", p)
                    .register(meters).record(Duration.ofMillis(latencyMs).toNanos(), TimeUnit.NANOSECONDS);
        }

        ObjectNode record = EnvelopeCodec.mapper().createObjectNode();
        record.put("messageId", in.id());
        record.put("traceId", in.traceId());
        record.put("channel", in.channel());
        record.put("chatId", in.chatId());
        record.put("user", Guards.user(in));
        record.put("profile", profile);
        record.put("provider", reply.provider());
        record.put("model", reply.model());
        record.put("inputTokens", input);
        record.put("outputTokens", output);
        record.put("latencyMs", latencyMs);
        record.put("cached", cached);
        record.put("at", Instant.now().toString());
        exchange.getMessage().removeHeaders("*");
        exchange.getMessage().setHeader(KafkaConstants.KEY, in.kafkaKey());
        exchange.getMessage().setBody(record.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }
}
