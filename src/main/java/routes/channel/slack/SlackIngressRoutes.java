package routes.channel.slack;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.Locale;
import java.util.Map;
import org.apache.camel.Exchange;
import org.apache.camel.builder.RouteBuilder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;
import routes.channel.Ingress;
import routes.envelope.Envelope;

/**
 * Ingress of the Events API: {@code POST /webhooks/slack/events}.
 *
 * <p>The signature is checked over the exact bytes Slack sent, before any parsing; a URL verification is answered
 * with its challenge; a message the bot should answer is published to Kafka, and only then does Slack get its 200
 * (it retries after 3 s without one). A retried event maps to the same envelope id, so it gets no second reply.
 */
@Component
@ConditionalOnSlack
public class SlackIngressRoutes extends RouteBuilder {

    private static final Logger LOG = LoggerFactory.getLogger(SlackIngressRoutes.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final SlackProperties properties;
    private final Ingress ingress;
    private final Clock clock;

    public SlackIngressRoutes(SlackProperties properties, Ingress ingress) {
        this.properties = properties;
        this.ingress = ingress;
        this.clock = Clock.systemUTC();
    }

    @Override
    public void configure() {
        from("platform-http:" + SlackConstants.EVENTS_PATH + "?httpMethodRestrict=POST")
                .routeId("slack-ingress")
                .routeConfigurationId("slack-webhook")
                .process(this::verifyAndRead)
                .choice()
                    .when(exchange -> exchange.getProperty(SlackConstants.OUTCOME) instanceof SlackEvents.Publish)
                        .to("direct:slack-publish")
                    .when(exchange -> exchange.getProperty(SlackConstants.OUTCOME) instanceof SlackEvents.Challenge)
                        .process(SlackIngressRoutes::answerChallenge)
                    .otherwise()
                        .process(SlackIngressRoutes::acknowledgeIgnored)
                .end();

        from("direct:slack-publish").routeId("slack-publish")
                .process(this::prepare)
                .to("direct:publish")
                .process(SlackIngressRoutes::acknowledge);
    }

    /** Content type, signature and timestamp, then what the event means; inbound headers are dropped here. */
    void verifyAndRead(Exchange exchange) {
        var in = exchange.getMessage();
        String contentType = in.getHeader(Exchange.CONTENT_TYPE, String.class);
        String timestamp = in.getHeader("X-Slack-Request-Timestamp", String.class);
        String signature = in.getHeader("X-Slack-Signature", String.class);
        String retryNum = in.getHeader("X-Slack-Retry-Num", String.class);
        String retryReason = in.getHeader("X-Slack-Retry-Reason", String.class);
        byte[] body = in.getBody(byte[].class);
        // nothing the caller sent may steer a Camel component further on
        in.removeHeaders("*");
        in.setBody(null);
        if (contentType == null || !contentType.toLowerCase(Locale.ROOT).startsWith("application/json")) {
            throw new SlackWebhookException(415, "unsupported_media_type",
                    "Slack events are accepted as application/json only");
        }
        SlackEvents.verify(properties.getSigningSecret(), timestamp, signature, body == null ? new byte[0] : body,
                clock.instant(), properties.getTimestampTolerance());
        if (retryNum != null && LOG.isDebugEnabled()) {
            LOG.debug("Slack retry {} of an event ({})", retryNum, retryReason);
        }
        SlackEvents.Outcome outcome = SlackEvents.read(body, properties.getGroupPolicy(), properties.getBotUserId(),
                retryNum);
        exchange.setProperty(SlackConstants.OUTCOME, outcome);
    }

    void prepare(Exchange exchange) {
        var publish = exchange.getProperty(SlackConstants.OUTCOME, SlackEvents.Publish.class);
        Envelope envelope = ingress.prepare(publish.message());
        exchange.getMessage().setBody(envelope);
        LOG.debug("accepting Slack message {} in {} (trace {})", envelope.id(), envelope.chatId(), envelope.traceId());
    }

    static void answerChallenge(Exchange exchange) {
        var challenge = exchange.getProperty(SlackConstants.OUTCOME, SlackEvents.Challenge.class);
        var out = exchange.getMessage();
        out.removeHeaders("*");
        out.setHeader(Exchange.HTTP_RESPONSE_CODE, 200);
        out.setHeader(Exchange.CONTENT_TYPE, "application/json");
        try {
            out.setBody(JSON.writeValueAsString(Map.of("challenge", challenge.challenge())));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
        LOG.info("answered Slack's URL verification");
    }

    static void acknowledgeIgnored(Exchange exchange) {
        var ignore = exchange.getProperty(SlackConstants.OUTCOME, SlackEvents.Ignore.class);
        if (ignore != null && ignore.reason().startsWith("app_rate_limited")) {
            LOG.warn("Slack reports {}", ignore.reason());
        } else if (ignore != null) {
            LOG.debug("Slack event not answered: {}", ignore.reason());
        }
        acknowledge(exchange);
    }

    static void acknowledge(Exchange exchange) {
        var out = exchange.getMessage();
        out.removeHeaders("*");
        out.setHeader(Exchange.HTTP_RESPONSE_CODE, 200);
        out.setHeader(Exchange.CONTENT_TYPE, "text/plain; charset=utf-8");
        out.setBody("".getBytes(StandardCharsets.UTF_8));
    }
}
