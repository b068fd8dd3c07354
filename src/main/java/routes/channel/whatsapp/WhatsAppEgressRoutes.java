package routes.channel.whatsapp;

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
import routes.channel.EgressErrorHandling;
import routes.channel.EgressSupport;
import routes.channel.PlatformException;
import routes.channel.RedisRateLimiter;
import routes.channel.RedisRateLimiter.Limit;
import routes.channel.TextChunker;
import routes.envelope.Envelope;
import routes.pipeline.PipelineErrorHandling;

/**
 * Egress of the WhatsApp channel: replies on {@code caravan.outbound.whatsapp} are sent with the Cloud API.
 *
 * <p>Within 24 hours of the person's last message the reply goes out as text (split at 4096 characters); after
 * that WhatsApp accepts only an approved template, so the configured one is sent instead. Throttled cluster-wide
 * per business number, retried on 429, 5xx and Meta's throttling codes (waiting what Retry-After says),
 * dead-lettered when Meta refuses for good. Each piece that went out is remembered, so a retry or a redelivered
 * record never sends it twice.
 */
@Component
@ConditionalOnWhatsApp
public class WhatsAppEgressRoutes extends RouteBuilder {

    private static final Logger LOG = LoggerFactory.getLogger(WhatsAppEgressRoutes.class);
    private static final String PIECE_COUNT = "CaravanWhatsAppPieceCount";
    private static final String NUMBER = "CaravanWhatsAppNumber";
    /** Exchange property: the template went out instead of the text, nothing more to send. */
    private static final String TEMPLATED = "CaravanWhatsAppTemplated";

    private final EgressSupport egress;
    private final WhatsAppApi api;
    private final WhatsAppProperties properties;
    private final ServiceWindow window;
    private final RedisRateLimiter limiter;
    private final IdempotentRepository deliveries;

    public WhatsAppEgressRoutes(EgressSupport egress, WhatsAppApi api, WhatsAppProperties properties,
            ServiceWindow window, RedisRateLimiter limiter,
            @Qualifier("deliveryRepository") IdempotentRepository deliveries) {
        this.egress = egress;
        this.api = api;
        this.properties = properties;
        this.window = window;
        this.limiter = limiter;
        this.deliveries = deliveries;
    }

    @Override
    public void configure() {
        Limit perNumber = new Limit("whatsapp-number", exchange -> exchange.getProperty(NUMBER, String.class),
                properties.getNumberRateLimit(), properties.getNumberRateWindow());

        from(egress.consumerUri(WhatsAppConstants.CHANNEL))
                .routeId("whatsapp-egress")
                .routeConfigurationId("egress")
                .process(PipelineErrorHandling::captureSource)
                .process(EgressSupport::decodeReply)
                .idempotentConsumer(exchangeProperty(EgressSupport.DELIVERY_KEY)).idempotentRepository(deliveries)
                    .eager(false).skipDuplicate(true)
                    .process(this::plan)
                    .loop(exchangeProperty(PIECE_COUNT))
                        .process(limiter.throttle(perNumber))
                        .process(new SendPiece())
                    .end()
                .end();
    }

    /** Text pieces inside the service window, the template outside it. */
    void plan(Exchange exchange) {
        Envelope reply = exchange.getMessage().getBody(Envelope.class);
        String number = reply.account() != null && !reply.account().isBlank() ? reply.account()
                : properties.getPhoneNumberId();
        if (number == null || number.isBlank()) {
            throw new PlatformException(WhatsAppConstants.CHANNEL, 400,
                    "no business phone number to send from (set caravan.channels.whatsapp.phone-number-id)", null);
        }
        exchange.setProperty(NUMBER, number);
        List<WhatsAppApi.Outgoing> pieces;
        if (window.isOpen(number, reply.chatId())) {
            pieces = TextChunker.split(reply.text() == null ? "" : reply.text(), properties.getMaxText()).stream()
                    .<WhatsAppApi.Outgoing>map(WhatsAppApi.Text::new).toList();
        } else if (!properties.getTemplateName().isBlank()) {
            LOG.info("reply {} goes out as template {}: the person's 24-hour window is closed", reply.id(),
                    properties.getTemplateName());
            pieces = List.of(new WhatsAppApi.Template(properties.getTemplateName(), properties.getTemplateLanguage()));
        } else {
            throw new PlatformException(WhatsAppConstants.CHANNEL, 400,
                    "the 24-hour window is closed and no template is configured (caravan.channels.whatsapp."
                            + "template-name)", null);
        }
        exchange.setProperty(WhatsAppConstants.PIECES, pieces);
        exchange.setProperty(PIECE_COUNT, pieces.size());
    }

    private static Throwable unwrap(Throwable error) {
        return error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
    }

    /** Sends piece number {@code CamelLoopIndex}, unless an earlier attempt already did. */
    private final class SendPiece extends AsyncProcessorSupport {
        @Override
        @SuppressWarnings("unchecked")
        public boolean process(Exchange exchange, AsyncCallback callback) {
            Envelope reply = exchange.getMessage().getBody(Envelope.class);
            List<WhatsAppApi.Outgoing> pieces = exchange.getProperty(WhatsAppConstants.PIECES, List.class);
            int index = exchange.getProperty(Exchange.LOOP_INDEX, 0, Integer.class);
            String pieceKey = pieces.size() > 1
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
            if (exchange.getProperty(TEMPLATED, false, Boolean.class)) {
                callback.done(true);
                return true;
            }
            String number = exchange.getProperty(NUMBER, String.class);
            WhatsAppApi.Outgoing piece = pieces.get(index);
            api.send(number, reply.chatId(), piece)
                    .exceptionallyCompose(error -> {
                        Throwable cause = unwrap(error);
                        // WhatsApp knows better than our record of the window: answer with the template instead
                        if (cause instanceof GraphApiException g && g.errorCode() == GraphApiException.WINDOW_CLOSED
                                && piece instanceof WhatsAppApi.Text && !properties.getTemplateName().isBlank()) {
                            LOG.info("reply {} goes out as template {}: WhatsApp says the window is closed",
                                    reply.id(), properties.getTemplateName());
                            return api.send(number, reply.chatId(), new WhatsAppApi.Template(
                                    properties.getTemplateName(), properties.getTemplateLanguage()))
                                    .thenApply(id -> {
                                        exchange.setProperty(TEMPLATED, true);
                                        return id;
                                    });
                        }
                        return CompletableFuture.failedFuture(cause);
                    })
                    .whenComplete((id, error) -> {
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
