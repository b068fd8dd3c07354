package routes.pipeline;

import java.util.Locale;
import java.util.function.Consumer;
import org.apache.camel.Exchange;
import org.springframework.stereotype.Component;
import routes.envelope.Envelope;
import routes.model.ModelReply;
import routes.pipeline.ContentFilterProperties.Action;

/**
 * The pipeline's content filter steps: an incoming message (after dedupe, before limits, commands and the model)
 * and the model's reply (before it is published) are checked against the {@link SensitiveWords}, and handled by
 * {@code caravan.content-filter.input-action} / {@code output-action}: masked, blocked (the person gets the block
 * reply) or flagged. Every match writes a {@code content.flagged} audit event with the direction, the action and
 * the number of matches — never the words or the text.
 */
@Component
public class ContentFilterStep {

    /** Reply error code: the message or the reply was blocked by the content filter. */
    public static final String BLOCKED = "content_blocked";
    private final ContentFilterProperties properties;
    private final SensitiveWords words;
    private final routes.ops.AuditLog auditLog;

    public ContentFilterStep(ContentFilterProperties properties, SensitiveWords words, routes.ops.AuditLog auditLog) {
        this.properties = properties;
        this.words = words;
        this.auditLog = auditLog;
    }

    /** Checks the incoming message. */
    public void input(Exchange exchange) {
        Envelope inbound = exchange.getProperty(PipelineConstants.INBOUND, Envelope.class);
        ContentFilter.Result result = scan(inbound.text());
        if (!result.found()) {
            return;
        }
        Action action = properties.inputAction(inbound.channel());
        audit(exchange, inbound, "input", action, result.matches());
        switch (action) {
            case MASK -> {
                Envelope masked = inbound.toBuilder().text(result.masked()).build();
                exchange.setProperty(PipelineConstants.INBOUND, masked);
                exchange.getMessage().setBody(masked);
            }
            case BLOCK -> exchange.setProperty(PipelineConstants.REPLY,
                    ModelCall.replyTo(inbound, properties.getBlockReply(), BLOCKED).build());
            case FLAG -> { }
        }
    }

    /** Checks the model's reply, when the model answered. */
    public void output(Exchange exchange) {
        ModelReply answer = exchange.getProperty(PipelineConstants.MODEL_REPLY, ModelReply.class);
        Envelope reply = exchange.getProperty(PipelineConstants.REPLY, Envelope.class);
        if (answer == null || reply == null) {
            return;
        }
        ContentFilter.Result result = scan(reply.text());
        if (!result.found()) {
            return;
        }
        Envelope inbound = exchange.getProperty(PipelineConstants.INBOUND, Envelope.class);
        Action action = properties.outputAction(inbound.channel());
        audit(exchange, inbound, "output", action, result.matches());
        String text = switch (action) {
            case MASK -> result.masked();
            case BLOCK -> properties.getBlockReply();
            case FLAG -> null;
        };
        if (text != null) {
            Envelope.Builder replaced = reply.toBuilder().text(text);
            if (action == Action.BLOCK) {
                replaced.meta(ModelCall.META_ERROR, BLOCKED);
            }
            exchange.setProperty(PipelineConstants.REPLY, replaced.build());
            // the conversation's history keeps what the person was shown
            exchange.setProperty(PipelineConstants.MODEL_REPLY, new ModelReply(text, answer.provider(),
                    answer.model(), answer.inputTokens(), answer.outputTokens(), answer.toolRequests()));
        }
    }

    /**
     * The receiver of a streamed reply's fragments to use instead of {@code shown} while replies are masked or
     * blocked: it passes on only what no listed word can still be completing, masked; call {@link
     * MaskedDeltas#finish()} when the reply is complete. {@code null} when fragments need no masking.
     */
    public MaskedDeltas maskDeltas(String channel, Consumer<String> shown) {
        ContentFilter filter = words.current();
        if (!properties.isEnabled() || filter.isEmpty() || properties.outputAction(channel) == Action.FLAG) {
            return null;
        }
        return new MaskedDeltas(filter.streaming(), shown);
    }

    /** Masks a whole text the way the deltas are masked (a cached reply sent as one fragment). */
    public String maskWhole(String channel, String text) {
        if (!properties.isEnabled() || properties.outputAction(channel) == Action.FLAG) {
            return text;
        }
        return words.current().scan(text).masked();
    }

    /** A streamed reply's fragments, masked on their way to the client. */
    public static final class MaskedDeltas implements Consumer<String> {

        private final ContentFilter.Streaming masking;
        private final Consumer<String> shown;

        MaskedDeltas(ContentFilter.Streaming masking, Consumer<String> shown) {
            this.masking = masking;
            this.shown = shown;
        }

        @Override
        public void accept(String fragment) {
            pass(masking.accept(fragment));
        }

        /** Passes on what was kept back. */
        public void finish() {
            pass(masking.finish());
        }

        private void pass(String text) {
            if (!text.isEmpty()) {
                shown.accept(text);
            }
        }
    }

    private ContentFilter.Result scan(String text) {
        if (!properties.isEnabled()) {
            return new ContentFilter.Result(text, 0);
        }
        return words.current().scan(text);
    }

    /** The audit event of a match, written without holding up the message: never the words or the text. */
    private void audit(Exchange exchange, Envelope inbound, String direction, Action action, int matches) {
        auditLog.record("content.flagged", inbound.channel() + ":" + Guards.user(inbound), java.util.Map.of(
                "direction", direction, "action", action.name().toLowerCase(Locale.ROOT), "words", matches,
                "chatId", String.valueOf(inbound.chatId()), "messageId", String.valueOf(inbound.id())));
    }
}
