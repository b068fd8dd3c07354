package routes.channel.slack;

import java.util.List;
import org.apache.camel.AsyncCallback;
import org.apache.camel.Exchange;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.spi.IdempotentRepository;
import org.apache.camel.support.AsyncProcessorSupport;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.stereotype.Component;
import routes.channel.EgressErrorHandling;
import routes.channel.EgressSupport;
import routes.channel.PlatformException;
import routes.channel.RedisRateLimiter;
import routes.channel.RedisRateLimiter.Limit;
import routes.channel.TextChunker;
import routes.envelope.Envelope;
import routes.pipeline.PipelineErrorHandling;

/**
 * Egress of the Slack channel: replies on {@code caravan.outbound.slack} are posted with {@code chat.postMessage}
 * into the thread of the message they answer.
 *
 * <p>Throttled cluster-wide (per conversation and per workspace), retried on 429 (waiting what Retry-After says)
 * and on Slack's own failures, dead-lettered when Slack refuses for good. A long reply goes out as several
 * messages; each piece that went out is remembered, so a retry or a redelivered record never posts it twice.
 */
@Component
@ConditionalOnSlack
public class SlackEgressRoutes extends RouteBuilder {

    private final EgressSupport egress;
    private final SlackApi api;
    private final SlackProperties properties;
    private final RedisRateLimiter limiter;
    private final IdempotentRepository deliveries;

    public SlackEgressRoutes(EgressSupport egress, SlackApi api, SlackProperties properties, RedisRateLimiter limiter,
            @Qualifier("deliveryRepository") IdempotentRepository deliveries) {
        this.egress = egress;
        this.api = api;
        this.properties = properties;
        this.limiter = limiter;
        this.deliveries = deliveries;
    }

    @Override
    public void configure() {
        Limit perConversation = new Limit("slack-conversation", exchange -> reply(exchange).chatId(),
                properties.getChannelRateLimit(), properties.getChannelRateWindow());
        Limit perWorkspace = new Limit("slack-workspace",
                exchange -> reply(exchange).account() == null ? "default" : reply(exchange).account(),
                properties.getWorkspaceRateLimit(), properties.getWorkspaceRateWindow());

        from(egress.consumerUri(SlackConstants.CHANNEL))
                .routeId("slack-egress")
                .routeConfigurationId("egress")
                .process(PipelineErrorHandling::captureSource)
                .process(EgressSupport::decodeReply)
                .idempotentConsumer(exchangeProperty(EgressSupport.DELIVERY_KEY)).idempotentRepository(deliveries)
                    .eager(false).skipDuplicate(true)
                    .process(this::chunk)
                    .loop(exchangeProperty(CHUNK_COUNT))
                        .process(limiter.throttle(perConversation, perWorkspace))
                        .process(new PostChunk())
                    .end()
                .end();
    }

    private static final String CHUNK_COUNT = "CaravanSlackChunkCount";

    private static Envelope reply(Exchange exchange) {
        return exchange.getMessage().getBody(Envelope.class);
    }

    /** Splits the reply into the pieces Slack accepts, each escaped for Slack's mrkdwn. */
    void chunk(Exchange exchange) {
        Envelope reply = reply(exchange);
        List<String> chunks = TextChunker.split(reply.text() == null ? "" : reply.text(), properties.getMaxText())
                .stream().map(SlackText::escape).toList();
        exchange.setProperty(SlackConstants.CHUNKS, chunks);
        exchange.setProperty(CHUNK_COUNT, chunks.size());
    }

    /** Posts chunk number {@code CamelLoopIndex}, unless an earlier attempt already did. */
    private final class PostChunk extends AsyncProcessorSupport {
        @Override
        @SuppressWarnings("unchecked")
        public boolean process(Exchange exchange, AsyncCallback callback) {
            Envelope reply = reply(exchange);
            List<String> chunks = exchange.getProperty(SlackConstants.CHUNKS, List.class);
            int index = exchange.getProperty(Exchange.LOOP_INDEX, 0, Integer.class);
            String pieceKey = chunks.size() > 1
                    ? exchange.getProperty(EgressSupport.DELIVERY_KEY, String.class) + "#" + index : null;
            try {
                if (pieceKey != null && deliveries.contains(pieceKey)) {
                    callback.done(true);
                    return true;
                }
            } catch (RuntimeException e) {
                exchange.setException(e);
                callback.done(true);
                return true;
            }
            api.postMessage(reply.chatId(), chunks.get(index), reply.replyTo()).whenComplete((ts, error) -> {
                try {
                    if (error != null) {
                        Throwable cause = error instanceof java.util.concurrent.CompletionException && error.getCause() != null
                                ? error.getCause() : error;
                        exchange.setException(cause instanceof PlatformException p
                                ? EgressErrorHandling.fail(exchange, p) : cause);
                    } else if (pieceKey != null) {
                        deliveries.add(pieceKey);
                    }
                } catch (RuntimeException e) {
                    exchange.setException(e);
                } finally {
                    callback.done(false);
                }
            });
            return false;
        }
    }
}
