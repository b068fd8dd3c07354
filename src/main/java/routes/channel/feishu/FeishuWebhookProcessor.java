package routes.channel.feishu;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import org.apache.camel.Exchange;
import routes.channel.GroupPolicy;
import routes.channel.web.ApiError;
import routes.envelope.EnvelopeCodec;
import routes.envelope.Ids;
import routes.envelope.Priority;

/**
 * The webhook steps as a bean for {@code kamelets/feishu-source.kamelet.yaml}: {@link #classify} verifies and maps
 * the request (the body becomes the envelope JSON when there is a message to publish, and property
 * {@link #PUBLISH} is true), {@link #respond} writes Feishu's answer. The gateway's own route uses
 * {@link #respond} too.
 */
public class FeishuWebhookProcessor {

    /** Exchange property: true when the request carried a message to publish. */
    public static final String PUBLISH = "CaravanFeishuPublish";

    private static final ObjectMapper JSON = new ObjectMapper();

    private String verificationToken = "";
    private String encryptKey = "";
    private String groupPolicy = GroupPolicy.MENTION.name();
    private String botOpenId = "";
    private String signatureMaxAge = "PT1H";
    private long maxTextBytes = 32 * 1024;
    private volatile FeishuWebhook webhook;

    public void setVerificationToken(String v) { verificationToken = v == null ? "" : v.trim(); }
    public void setEncryptKey(String v) { encryptKey = v == null ? "" : v.trim(); }
    public void setGroupPolicy(String v) { groupPolicy = v == null || v.isBlank() ? GroupPolicy.MENTION.name() : v; }
    public void setBotOpenId(String v) { botOpenId = v == null ? "" : v.trim(); }
    public void setSignatureMaxAge(String v) { signatureMaxAge = v == null || v.isBlank() ? "PT1H" : v.trim(); }
    public void setMaxTextBytes(long v) { maxTextBytes = v; }

    /** Verifies and maps the request; a message becomes an envelope JSON body ready for {@code kamelet:sink}. */
    public void classify(Exchange exchange) {
        var in = exchange.getMessage();
        FeishuWebhook.Request request = new FeishuWebhook.Request(in.getBody(byte[].class),
                in.getHeader(FeishuConstants.TIMESTAMP, String.class),
                in.getHeader(FeishuConstants.NONCE, String.class),
                in.getHeader(FeishuConstants.SIGNATURE, String.class));
        in.removeHeaders("*");
        FeishuWebhook.Outcome outcome = webhook().handle(request);
        exchange.setProperty(FeishuConstants.OUTCOME, outcome);
        exchange.setProperty(PUBLISH, outcome instanceof FeishuWebhook.Accept);
        if (outcome instanceof FeishuWebhook.Accept accept) {
            in.setBody(EnvelopeCodec.encodeToString(accept.message()
                    .traceId(Ids.newTraceId())
                    .receivedAt(Instant.now())
                    .priority(Priority.REALTIME)
                    .build()));
            in.setHeader(Exchange.CONTENT_TYPE, "application/json");
        }
    }

    /** Writes Feishu's answer for the outcome {@link #classify} (or the gateway's route) left on the exchange. */
    public static void respond(Exchange exchange) {
        FeishuWebhook.Outcome outcome = exchange.getProperty(FeishuConstants.OUTCOME, FeishuWebhook.Outcome.class);
        var out = exchange.getMessage();
        out.removeHeaders("*");
        out.setHeader(Exchange.CONTENT_TYPE, "application/json");
        if (outcome instanceof FeishuWebhook.Challenge challenge) {
            out.setHeader(Exchange.HTTP_RESPONSE_CODE, 200);
            out.setBody(JSON.createObjectNode().put("challenge", challenge.challenge()).toString());
        } else if (outcome instanceof FeishuWebhook.Reject reject) {
            out.setHeader(Exchange.HTTP_RESPONSE_CODE, reject.status());
            out.setBody(ApiError.json(reject.status(), reject.code(), reject.message()));
        } else {
            out.setHeader(Exchange.HTTP_RESPONSE_CODE, 200);
            out.setBody("{}");
        }
    }

    private FeishuWebhook webhook() {
        FeishuWebhook current = webhook;
        if (current == null) {
            FeishuProperties p = new FeishuProperties();
            p.setVerificationToken(verificationToken);
            p.setEncryptKey(encryptKey);
            p.setGroupPolicy(GroupPolicy.valueOf(groupPolicy.trim().toUpperCase(java.util.Locale.ROOT)));
            p.setSignatureMaxAge(Duration.parse(signatureMaxAge));
            String bot = botOpenId.isEmpty() ? null : botOpenId;
            current = new FeishuWebhook(p, maxTextBytes, () -> bot, Clock.systemUTC());
            webhook = current;
        }
        return current;
    }
}
