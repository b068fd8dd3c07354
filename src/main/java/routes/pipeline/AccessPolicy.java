package routes.pipeline;

import java.util.Map;
import org.apache.camel.Exchange;
import org.springframework.stereotype.Component;
import routes.envelope.ChatType;
import routes.envelope.Envelope;
import routes.ops.AuditLog;
import routes.security.AccessProperties;
import routes.security.Pairings;

/**
 * The access policy step: on a platform channel with policy {@code pairing} or {@code allowlist}, only allowlisted
 * and approved senders reach the model. An unknown sender's direct message is answered with a pairing code (under
 * {@code pairing}) or a refusal (under {@code allowlist}); in a group, an unknown sender's message is ignored
 * without a word, so a stranger cannot use the bot by adding it to a group nor make it spam codes there.
 */
@Component
public class AccessPolicy {

    /** Reply error code: the sender must pair first. */
    public static final String PAIRING_REQUIRED = "pairing_required";
    /** Reply error code: the sender is not on the allowlist. */
    public static final String NOT_ALLOWED = "not_allowed";

    private final AccessProperties properties;
    private final Pairings pairings;
    private final AuditLog audit;

    public AccessPolicy(AccessProperties properties, Pairings pairings, AuditLog audit) {
        this.properties = properties;
        this.pairings = pairings;
        this.audit = audit;
    }

    public void check(Exchange exchange) {
        Envelope in = exchange.getProperty(PipelineConstants.INBOUND, Envelope.class);
        AccessProperties.Policy policy = properties.policy(in.channel());
        if (policy == AccessProperties.Policy.OPEN || in.senderId() == null
                || properties.allowlisted(in.channel(), in.senderId())
                || (policy == AccessProperties.Policy.PAIRING && pairings.approved(in.channel(), in.senderId()))) {
            return;
        }
        if (in.chatType() != ChatType.DIRECT) {
            exchange.setProperty(PipelineConstants.REPLY, ModelCall.replyTo(in, "", NOT_ALLOWED).build());
            exchange.setProperty(PipelineConstants.SILENT, Boolean.TRUE);
            return;
        }
        if (policy == AccessProperties.Policy.ALLOWLIST) {
            exchange.setProperty(PipelineConstants.REPLY, ModelCall.replyTo(in, "Sorry, this assistant only talks "
                    + "to people its operator has added. Your id here is " + in.senderId() + ".", NOT_ALLOWED)
                    .build());
            return;
        }
        Map.Entry<String, Boolean> code = pairings.codeFor(in.channel(), in.senderId(), in.senderName());
        if (code.getValue()) {
            audit.record("pairing.requested", in.channel() + ":" + in.senderId(),
                    Map.of("channel", in.channel(), "code", code.getKey()));
        }
        exchange.setProperty(PipelineConstants.REPLY, ModelCall.replyTo(in, "Hello! I don't know you yet. Your "
                + "pairing code is " + Pairings.display(code.getKey()) + ". Ask the operator to approve it; it is "
                + "valid for " + describe(properties.getCodeTtl()) + ".", PAIRING_REQUIRED).build());
    }

    private static String describe(java.time.Duration ttl) {
        return ttl.toMinutes() % 60 == 0 ? ttl.toHours() + (ttl.toHours() == 1 ? " hour" : " hours")
                : ttl.toMinutes() + " minutes";
    }
}
