package routes.channel.xmpp;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.List;
import org.apache.camel.Exchange;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.spi.IdempotentRepository;
import org.jivesoftware.smack.packet.Message;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.stereotype.Component;
import routes.channel.EgressErrorHandling;
import routes.channel.EgressSupport;
import routes.channel.PlatformException;
import routes.channel.RedisRateLimiter;
import routes.channel.RedisRateLimiter.Limit;
import routes.channel.TextChunker;
import routes.envelope.ChatType;
import routes.envelope.Envelope;
import routes.envelope.EnvelopeException;
import routes.pipeline.PipelineErrorHandling;

/**
 * Egress: replies on {@code caravan.outbound.xmpp} go out on the account's one connection, as a {@code chat}
 * message to the person's bare JID or a {@code groupchat} message to the room.
 *
 * <p>A long reply goes as several messages of at most {@code max-text} characters; each piece waits for a permit of
 * the cluster-wide limits (per chat and per account, in Redis). A session that is not logged in (the server is
 * down, Smack is reconnecting) is retried with backoff ({@code routeConfiguration("egress")}), then dead-lettered;
 * a reply whose chat id is not a JID, or names a room that is not configured, goes straight to the DLQ. Each piece
 * that went out is remembered, so a retry or a redelivered record never sends it twice.
 */
@Component
@ConditionalOnXmpp
public class XmppEgressRoutes extends RouteBuilder {

    private final EgressSupport egress;
    private final XmppClient client;
    private final XmppProperties properties;
    private final IdempotentRepository deliveries;
    private final RedisRateLimiter limiter;
    private final Counter sent;

    public XmppEgressRoutes(EgressSupport egress, XmppClient client, XmppProperties properties,
            RedisRateLimiter limiter, @Qualifier("deliveryRepository") IdempotentRepository deliveries,
            MeterRegistry meters) {
        this.egress = egress;
        this.client = client;
        this.properties = properties;
        this.limiter = limiter;
        this.deliveries = deliveries;
        this.sent = Counter.builder("caravan.xmpp.messages.sent")
                .description("XMPP reply messages sent").register(meters);
    }

    @Override
    public void configure() {
        String account = properties.accountJid();
        var limits = properties.getRateLimit();
        Limit perChat = new Limit("xmpp-chat", exchange -> account + ":" + reply(exchange).chatId(),
                limits.getChatPerSecond(), Duration.ofSeconds(1));
        Limit perAccount = new Limit("xmpp-account", exchange -> account, limits.getAccountPerSecond(),
                Duration.ofSeconds(1));

        from(egress.consumerUri(XmppConstants.CHANNEL))
                .routeId(XmppConstants.EGRESS_ROUTE)
                .routeConfigurationId("egress")
                .process(PipelineErrorHandling::captureSource)
                .process(EgressSupport::decodeReply)
                .idempotentConsumer(exchangeProperty(EgressSupport.DELIVERY_KEY)).idempotentRepository(deliveries)
                    .eager(false).skipDuplicate(true)
                    .process(this::chunk)
                    .loop(exchangeProperty(XmppConstants.CHUNK_COUNT))
                        .process(limiter.throttle(perChat, perAccount))
                        .process(this::sendPiece)
                    .end()
                .end();
    }

    private static Envelope reply(Exchange exchange) {
        return exchange.getMessage().getBody(Envelope.class);
    }

    /** Checks the recipient and splits the reply into the pieces to send. */
    private void chunk(Exchange exchange) {
        Envelope reply = reply(exchange);
        try {
            XmppMessages.reply(reply, "");
        } catch (IllegalArgumentException e) {
            throw new EnvelopeException(e.getMessage());
        }
        if (reply.chatType() == ChatType.GROUP && !properties.getRooms().contains(reply.chatId())) {
            throw new EnvelopeException("an XMPP reply names a room that is not in caravan.channels.xmpp.rooms");
        }
        List<String> chunks = TextChunker.split(reply.text(), properties.getMaxText());
        exchange.setProperty(XmppConstants.CHUNKS, chunks);
        exchange.setProperty(XmppConstants.CHUNK_COUNT, chunks.size());
    }

    /** Sends piece number {@code CamelLoopIndex}, unless an earlier attempt already did. */
    @SuppressWarnings("unchecked")
    private void sendPiece(Exchange exchange) {
        Envelope reply = reply(exchange);
        List<String> chunks = exchange.getProperty(XmppConstants.CHUNKS, List.class);
        int index = exchange.getProperty(Exchange.LOOP_INDEX, 0, Integer.class);
        String pieceKey = exchange.getProperty(EgressSupport.DELIVERY_KEY, String.class) + "#" + index;
        if (deliveries.contains(pieceKey)) {
            return;
        }
        Message stanza = XmppMessages.reply(reply, chunks.get(index));
        try {
            client.send(exchange, stanza, reply.chatType() == ChatType.GROUP);
        } catch (IllegalArgumentException e) {
            throw new EnvelopeException(e.getMessage());
        } catch (Exception e) {
            throw EgressErrorHandling.fail(exchange, unavailable(e));
        }
        deliveries.add(pieceKey);
        sent.increment();
    }

    private static PlatformException unavailable(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        return new PlatformException(XmppConstants.CHANNEL, 0, "send failed: " + t.getClass().getSimpleName()
                + ": " + t.getMessage(), null);
    }
}
