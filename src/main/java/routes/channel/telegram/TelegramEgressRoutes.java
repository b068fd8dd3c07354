package routes.channel.telegram;

import io.micrometer.core.instrument.MeterRegistry;
import org.apache.camel.AsyncProcessor;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.spi.IdempotentRepository;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.boot.autoconfigure.condition.ConditionalOnExpression;
import org.springframework.stereotype.Component;
import routes.channel.DraftStore;
import routes.channel.EgressSupport;
import routes.channel.RedisRateLimiter;
import routes.pipeline.PipelineErrorHandling;

/**
 * Egress: replies on {@code caravan.outbound.telegram} are sent with sendMessage; a reply whose draft is shown
 * (streamed edits, {@link routes.channel.StreamedDrafts}) edits the draft into its first piece instead.
 *
 * <p>Every piece waits for a permit of Telegram's limits, counted cluster-wide in Redis: 1 message/s per chat,
 * 30/s per bot, and 20/min per group. A 429 is retried after the {@code retry_after} Telegram gave; 5xx and
 * timeouts back off; other refusals (bot blocked, chat not found) go to the DLQ with Telegram's description. A reply
 * record seen twice is delivered once.
 */
@Component
@ConditionalOnExpression(TelegramConfig.ENABLED)
public class TelegramEgressRoutes extends RouteBuilder {

    private final EgressSupport egress;
    private final IdempotentRepository deliveries;
    private final TelegramSender sender;
    private final AsyncProcessor directLimits;
    private final AsyncProcessor groupLimits;
    private final AsyncProcessor takeOverDraft;

    public TelegramEgressRoutes(EgressSupport egress, TelegramBotApi api, TelegramProperties properties,
            RedisRateLimiter limiter, @Qualifier("deliveryRepository") IdempotentRepository deliveries,
            MeterRegistry meters, DraftStore drafts) {
        this.egress = egress;
        this.deliveries = deliveries;
        this.sender = new TelegramSender(api, deliveries, meters);
        var limits = new TelegramLimits(properties);
        this.directLimits = limiter.throttle(limits.forEgress(false));
        this.groupLimits = limiter.throttle(limits.forEgress(true));
        // a reply whose draft is shown edits it; the egress waits for a draft call on its way, at most one call
        this.takeOverDraft = drafts.takeOver(TelegramConstants.CHANNEL, properties.getEditInterval(),
                properties.getRequestTimeout().plus(properties.getEditInterval()));
    }

    @Override
    public void configure() {
        from(egress.consumerUri(TelegramConstants.CHANNEL))
                .routeId("telegram-egress")
                .routeConfigurationId("egress")
                .process(PipelineErrorHandling::captureSource)
                .process(EgressSupport::decodeReply)
                .idempotentConsumer(exchangeProperty(EgressSupport.DELIVERY_KEY)).idempotentRepository(deliveries)
                    .eager(false).skipDuplicate(true)
                    .process(TelegramSender::prepare)
                    .process(takeOverDraft)
                    .loopDoWhile(TelegramSender::hasMore)
                        .to("direct:telegram-send-piece")
                    .end()
                .end();

        from("direct:telegram-send-piece").routeId("telegram-send-piece")
                .errorHandler(noErrorHandler())
                .choice()
                    .when(TelegramSender::toGroup).process(groupLimits)
                    .otherwise().process(directLimits)
                .end()
                .process(sender);
    }
}
