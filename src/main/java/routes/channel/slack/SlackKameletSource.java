package routes.channel.slack;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import org.apache.camel.Exchange;
import org.apache.camel.Processor;
import routes.channel.GroupPolicy;
import routes.envelope.Envelope;
import routes.envelope.EnvelopeCodec;
import routes.envelope.Ids;
import routes.envelope.Priority;

/**
 * The step of {@code kamelets/slack-source.kamelet.yaml}: verifies a Slack Events API call and turns it into what
 * the kamelet does next.
 *
 * <p>After it, exchange property {@link #PUBLISH} tells the kamelet whether to hand the body on to
 * {@code kamelet:sink}: when true the body is the envelope as JSON; when false the HTTP answer (URL verification
 * challenge, acknowledgement, or a 4xx JSON error) is already in the message. Configured through the kamelet's
 * properties (setters).
 */
public class SlackKameletSource implements Processor {

    /** Exchange property: true when the body is an envelope to publish. */
    public static final String PUBLISH = "CaravanSlackPublish";

    private String signingSecret = "";
    private GroupPolicy groupPolicy = GroupPolicy.MENTION;
    private String botUserId = "";
    private Duration timestampTolerance = Duration.ofMinutes(5);
    private Clock clock = Clock.systemUTC();

    /** Signing secret of the Slack app; never logged. */
    public void setSigningSecret(String signingSecret) {
        this.signingSecret = signingSecret == null ? "" : signingSecret.trim();
    }

    /** mention, always or never. */
    public void setGroupPolicy(String groupPolicy) {
        this.groupPolicy = groupPolicy == null || groupPolicy.isBlank() ? GroupPolicy.MENTION
                : GroupPolicy.valueOf(groupPolicy.trim().toUpperCase(Locale.ROOT));
    }

    /** The bot's user id; blank = read from each event's authorizations. */
    public void setBotUserId(String botUserId) {
        this.botUserId = botUserId == null ? "" : botUserId.trim();
    }

    void setClock(Clock clock) {
        this.clock = clock;
    }

    @Override
    public void process(Exchange exchange) {
        var in = exchange.getMessage();
        String contentType = in.getHeader(Exchange.CONTENT_TYPE, String.class);
        String timestamp = in.getHeader("X-Slack-Request-Timestamp", String.class);
        String signature = in.getHeader("X-Slack-Signature", String.class);
        String retryNum = in.getHeader("X-Slack-Retry-Num", String.class);
        byte[] body = in.getBody(byte[].class);
        in.removeHeaders("*");
        in.setBody(null);
        exchange.setProperty(PUBLISH, false);
        try {
            if (contentType == null || !contentType.toLowerCase(Locale.ROOT).startsWith("application/json")) {
                throw new SlackWebhookException(415, "unsupported_media_type",
                        "Slack events are accepted as application/json only");
            }
            SlackEvents.verify(signingSecret, timestamp, signature, body == null ? new byte[0] : body,
                    clock.instant(), timestampTolerance);
            SlackEvents.Outcome outcome = SlackEvents.read(body, groupPolicy, botUserId, retryNum);
            exchange.setProperty(SlackConstants.OUTCOME, outcome);
            if (outcome instanceof SlackEvents.Publish publish) {
                Envelope draft = publish.message().build();
                Envelope envelope = draft.toBuilder()
                        .traceId(Ids.newTraceId())
                        .receivedAt(Instant.now(clock))
                        .priority(Priority.REALTIME)
                        .build();
                in.setHeader(Exchange.CONTENT_TYPE, "application/json");
                in.setBody(EnvelopeCodec.encode(envelope));
                exchange.setProperty(PUBLISH, true);
            } else if (outcome instanceof SlackEvents.Challenge) {
                SlackIngressRoutes.answerChallenge(exchange);
            } else {
                SlackIngressRoutes.acknowledgeIgnored(exchange);
            }
        } catch (SlackWebhookException e) {
            exchange.setProperty(Exchange.EXCEPTION_CAUGHT, e);
            SlackWebhookErrors.refuse(exchange);
        }
    }
}
