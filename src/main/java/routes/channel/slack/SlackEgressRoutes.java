package routes.channel.slack;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import org.apache.camel.AsyncCallback;
import org.apache.camel.Exchange;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.spi.IdempotentRepository;
import org.apache.camel.support.AsyncProcessorSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.stereotype.Component;
import routes.channel.DraftStore;
import routes.channel.EgressErrorHandling;
import routes.channel.EgressSupport;
import routes.channel.PlatformException;
import routes.channel.RedisRateLimiter;
import routes.channel.TextChunker;
import routes.envelope.Envelope;
import routes.pipeline.PipelineErrorHandling;

/**
 * Egress of the Slack channel: replies on {@code caravan.outbound.slack} are posted with {@code chat.postMessage}
 * into the thread of the message they answer; a reply whose draft is shown (streamed edits,
 * {@link routes.channel.StreamedDrafts}) updates the draft into its first piece with {@code chat.update} instead.
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
    private final DraftStore drafts;

    public SlackEgressRoutes(EgressSupport egress, SlackApi api, SlackProperties properties, RedisRateLimiter limiter,
            @Qualifier("deliveryRepository") IdempotentRepository deliveries, DraftStore drafts) {
        this.egress = egress;
        this.api = api;
        this.properties = properties;
        this.limiter = limiter;
        this.deliveries = deliveries;
        this.drafts = drafts;
    }

    @Override
    public void configure() {
        var limits = new SlackLimits(properties);

        from(egress.consumerUri(SlackConstants.CHANNEL))
                .routeId("slack-egress")
                .routeConfigurationId("egress")
                .process(PipelineErrorHandling::captureSource)
                .process(EgressSupport::decodeReply)
                .idempotentConsumer(exchangeProperty(EgressSupport.DELIVERY_KEY)).idempotentRepository(deliveries)
                    .eager(false).skipDuplicate(true)
                    .process(this::chunk)
                    // a reply whose draft is shown updates it; waits for a draft call on its way, at most one call
                    .process(drafts.takeOver(SlackConstants.CHANNEL, properties.getEditInterval(),
                            properties.getTimeout().plus(properties.getEditInterval())))
                    .loop(exchangeProperty(CHUNK_COUNT))
                        .process(limiter.throttle(limits.forEgress()))
                        .process(new PostChunk())
                    .end()
                .end();
    }

    private static final String CHUNK_COUNT = "CaravanSlackChunkCount";
    private static final Logger LOG = LoggerFactory.getLogger(SlackEgressRoutes.class);

    private static Throwable unwrap(Throwable error) {
        return error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
    }

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
            String draft = index == 0 ? exchange.getProperty(DraftStore.DRAFT_ID, String.class) : null;
            CompletableFuture<String> call = draft == null
                    ? api.postMessage(reply.chatId(), chunks.get(index), reply.replyTo())
                    : api.update(reply.chatId(), draft, chunks.get(index)).exceptionallyCompose(error -> {
                        // a draft Slack no longer lets us update (deleted, edit window closed) stays as it is;
                        // the reply goes out as a new message
                        if (unwrap(error) instanceof PlatformException p && !p.retriable()) {
                            LOG.info("draft of reply {} in Slack conversation {} cannot be updated ({}); posting "
                                    + "the reply as a new message", reply.id(), reply.chatId(), p.getMessage());
                            exchange.removeProperty(DraftStore.DRAFT_ID);
                            return api.postMessage(reply.chatId(), chunks.get(index), reply.replyTo());
                        }
                        return CompletableFuture.failedFuture(error);
                    });
            call.whenComplete((ts, error) -> {
                try {
                    if (error != null) {
                        Throwable cause = unwrap(error);
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
