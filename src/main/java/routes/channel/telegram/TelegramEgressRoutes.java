package routes.channel.telegram;

import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import org.apache.camel.AsyncProcessor;
import org.apache.camel.Exchange;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.spi.IdempotentRepository;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.boot.autoconfigure.condition.ConditionalOnExpression;
import org.springframework.stereotype.Component;
import routes.channel.EgressSupport;
import routes.channel.RedisRateLimiter;
import routes.channel.RedisRateLimiter.Limit;
import routes.envelope.Envelope;
import routes.pipeline.PipelineErrorHandling;

/**
 * Egress: replies on {@code caravan.outbound.telegram} are sent with sendMessage.
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

    public TelegramEgressRoutes(EgressSupport egress, TelegramBotApi api, TelegramProperties properties,
            RedisRateLimiter limiter, @Qualifier("deliveryRepository") IdempotentRepository deliveries,
            MeterRegistry meters) {
        this.egress = egress;
        this.deliveries = deliveries;
        this.sender = new TelegramSender(api, deliveries, meters);
        var limits = properties.getRateLimit();
        String bot = properties.botId();
        Limit perChat = new Limit("telegram-chat", exchange -> bot + ":" + chatId(exchange),
                limits.getChatPerSecond(), Duration.ofSeconds(1));
        Limit perBot = new Limit("telegram-bot", exchange -> bot, limits.getBotPerSecond(), Duration.ofSeconds(1));
        Limit perGroup = new Limit("telegram-group", exchange -> bot + ":" + chatId(exchange),
                limits.getGroupPerMinute(), Duration.ofMinutes(1));
        this.directLimits = limiter.throttle(perChat, perBot);
        // the per-minute group permit last: the limiter takes permits one by one, and a permit taken before a
        // later limit says "wait" is spent; a spent group permit costs a minute, a chat permit a second
        this.groupLimits = limiter.throttle(perChat, perBot, perGroup);
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

    private static String chatId(Exchange exchange) {
        return exchange.getMessage().getBody(Envelope.class).chatId();
    }
}
