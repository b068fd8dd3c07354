package routes.pipeline;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import org.apache.camel.AsyncCallback;
import org.apache.camel.Exchange;
import org.apache.camel.support.AsyncProcessorSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;
import routes.channel.DraftReplies;
import routes.envelope.Envelope;
import routes.envelope.Ids;
import routes.envelope.Turn;
import routes.infra.InstanceBus;
import routes.model.ModelException;
import routes.model.ModelGateway;
import routes.model.ModelProperties;
import routes.model.ModelReply;
import routes.model.ResponseCache;
import routes.model.ToolBox;
import routes.tools.ToolRunner;
import routes.model.ModelRouter;
import routes.ops.logging.MessageMdc;

/**
 * The model step: asks the chosen profile for a reply and builds the reply envelope.
 *
 * <p>Asynchronous: the exchange waits for the provider without holding a thread, and continues on a pipeline
 * continuation thread once the answer is complete (the model I/O threads only read streams). Token fragments go straight to the connection holder when the client streams, and to the
 * reply's draft on channels that edit one ({@link DraftReplies}). A model
 * failure is not a message failure: the person gets a clear reply saying what went wrong, and the error is logged
 * with the trace id.
 */
@Component
public class ModelCall extends AsyncProcessorSupport implements org.springframework.beans.factory.DisposableBean {

    private static final Logger LOG = LoggerFactory.getLogger(ModelCall.class);

    /** Metadata: the model profile the message asks for. */
    public static final String META_PROFILE = "profile";
    /** Metadata: "true" when the client wants token deltas. */
    public static final String META_STREAM = "stream";
    /** Metadata: "true" when the conversation keeps no server-side history (context travels in the envelope). */
    public static final String META_STATELESS = "stateless";
    /** Metadata on a reply: the error code when the reply explains a failure. */
    public static final String META_ERROR = "error";

    private final ModelGateway gateway;
    private final InstanceBus bus;

    private final ModelProperties models;
    private final ResponseCache cache;
    private final ToolRunner toolRunner;
    private final DraftReplies drafts;
    private final ContentFilterStep contentFilter;
    private final java.util.concurrent.ExecutorService continuation;

    public ModelCall(ModelGateway gateway, InstanceBus bus, ModelProperties models, ResponseCache cache,
            ToolRunner toolRunner, DraftReplies drafts, PipelineProperties pipeline, ContentFilterStep contentFilter) {
        this.gateway = gateway;
        this.bus = bus;
        this.models = models;
        this.cache = cache;
        this.toolRunner = toolRunner;
        this.drafts = drafts;
        this.contentFilter = contentFilter;
        java.util.concurrent.atomic.AtomicInteger n = new java.util.concurrent.atomic.AtomicInteger();
        this.continuation = java.util.concurrent.Executors.newFixedThreadPool(
                Math.max(1, pipeline.getContinuationThreads()), r -> {
                    Thread t = new Thread(r, "caravan-pipeline-" + n.incrementAndGet());
                    t.setDaemon(true);
                    return t;
                });
    }

    static boolean isStateless(Envelope inbound) {
        return "true".equals(inbound.meta(META_STATELESS));
    }

    @Override
    @SuppressWarnings("unchecked")
    public boolean process(Exchange exchange, AsyncCallback callback) {
        Envelope inbound = exchange.getProperty(PipelineConstants.INBOUND, Envelope.class);
        List<Turn> history = exchange.getProperty(PipelineConstants.HISTORY, List.class);
        List<Turn> turns = new ArrayList<>(history == null ? List.of() : history);
        turns.add(Turn.user(inbound.text(), inbound.id()));
        boolean stream = "true".equals(inbound.meta(META_STREAM));
        long started = System.nanoTime();
        String chosen = exchange.getProperty(ModelRouter.CHOSEN, String.class);
        String profile = chosen != null ? chosen : inbound.meta(META_PROFILE) != null ? inbound.meta(META_PROFILE)
                : gateway.defaultProfile();
        ModelProperties.Profile settings = models.getProfiles().get(profile);
        boolean cacheable = settings != null && settings.isCache();
        if (cacheable) {
            String cached = cache.get(inbound.channel(), inbound.chatId(), profile, turns, settings.getCacheTtl());
            if (cached != null) {
                if (stream) {
                    bus.delta(inbound, contentFilter.maskWhole(inbound.channel(), cached));
                }
                ModelReply reply = new ModelReply(cached, "cache", "cache", 0, 0);
                exchange.setProperty(PipelineConstants.MODEL_REPLY, reply);
                exchange.setProperty(PipelineConstants.REPLY, replyTo(inbound, cached, null)
                        .meta(META_PROFILE, profile).meta("cached", "true").meta("latencyMs", "0").build());
                callback.done(true);
                return true;
            }
        }
        ToolBox tools = settings != null && settings.isTools() && !cacheable ? toolRunner.forMessage(inbound)
                : ToolBox.NONE;
        Consumer<String> toClient = stream ? delta -> bus.delta(inbound, delta) : delta -> { };
        Consumer<String> draft = drafts.draftFor(inbound);
        Consumer<String> shown = draft == null ? toClient : draft.andThen(toClient);
        // fragments are shown before the whole reply passes the content filter: they are masked on the way
        ContentFilterStep.MaskedDeltas masked = stream || draft != null ? contentFilter.maskDeltas(inbound.channel(), shown) : null;
        // nobody shown fragments (no stream, no draft): none are handed on, so a stream cut short may be retried
        Consumer<String> onDelta = masked != null ? masked : stream || draft != null ? shown : null;
        gateway.chat(profile, turns, onDelta, tools)
                .whenCompleteAsync((reply, error) -> {
                    try {
                        if (masked != null) {
                            masked.finish();
                        }
                        if (error == null) {
                            exchange.setProperty(PipelineConstants.MODEL_REPLY, reply);
                            if (cacheable && !reply.text().isEmpty()) {
                                cache.put(inbound.channel(), inbound.chatId(), profile, turns, reply.text(),
                                        settings.getCacheTtl());
                            }
                            exchange.setProperty(PipelineConstants.REPLY, replyTo(inbound, reply.text(), null)
                                    .meta("provider", reply.provider())
                                    .meta("model", reply.model())
                                    .meta(META_PROFILE, profile)
                                    .meta("latencyMs", String.valueOf((System.nanoTime() - started) / 1_000_000))
                                    .meta("inputTokens", reply.inputTokens() == null ? null
                                            : String.valueOf(reply.inputTokens()))
                                    .meta("outputTokens", reply.outputTokens() == null ? null
                                            : String.valueOf(reply.outputTokens()))
                                    .build());
                        } else {
                            ModelException failure = error instanceof ModelException me ? me
                                    : new ModelException(ModelException.PROVIDER_ERROR,
                                            "The model could not answer right now. Please try again later.", error);
                            logFailure(inbound, failure);
                            exchange.setProperty(PipelineConstants.REPLY,
                                    replyTo(inbound, failure.getMessage(), failure.code()).build());
                        }
                    } catch (RuntimeException e) {
                        exchange.setException(e);
                    } finally {
                        callback.done(false);
                    }
                }, continuation);
        return false;
    }

    /** A reply envelope to {@code inbound}: same conversation and connection, deterministic id. */
    static Envelope.Builder replyTo(Envelope inbound, String text, String errorCode) {
        Envelope.Builder b = Envelope.builder()
                .id(Ids.replyId(inbound.id()))
                .inReplyTo(inbound.id())
                .traceId(inbound.traceId())
                .channel(inbound.channel())
                .account(inbound.account())
                .chatId(inbound.chatId())
                .chatType(inbound.chatType())
                .replyTo(inbound.replyTo())
                .priority(inbound.priority())
                .instance(inbound.instance())
                .receivedAt(Instant.now())
                .text(text)
                .meta("connection", inbound.meta("connection"))
                .meta(META_STREAM, inbound.meta(META_STREAM))
                .meta(META_ERROR, errorCode);
        return b;
    }

    private static void logFailure(Envelope inbound, ModelException failure) {
        // on a continuation thread, outside any route step: name the message here
        try (var keys = MessageMdc.open(inbound)) {
            if (ModelException.NOT_CONFIGURED.equals(failure.code())) {
                LOG.warn("no model provider configured; answered message {} with setup instructions", inbound.id());
            } else {
                LOG.error("model call failed for message {} in {}: {} ({})", inbound.id(), inbound.channel(),
                        failure.code(), failure.getMessage());
            }
        }
    }

    @Override
    public void destroy() {
        continuation.shutdown();
    }
}
