package routes.channel.telegram;

import com.fasterxml.jackson.databind.JsonNode;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import org.apache.camel.Exchange;
import org.apache.camel.builder.RouteBuilder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.autoconfigure.condition.ConditionalOnExpression;
import org.springframework.stereotype.Component;
import routes.channel.Ingress;

/**
 * {@code direct:telegram-update}: one Telegram update (a JsonNode body) from the webhook or the poller, mapped to
 * an envelope and published to the inbound topic; updates Caravan does not answer (edits, stickers, group
 * messages the group policy skips …) are acknowledged without publishing.
 *
 * <p>Completes once Kafka has the message, so the caller may then acknowledge the update to Telegram. It has no
 * error handler of its own: a failure reaches the calling route, which answers the webhook 503 or retries the
 * poll.
 */
@Component
@ConditionalOnExpression(TelegramConfig.ENABLED)
public class TelegramUpdateRoutes extends RouteBuilder {

    private static final Logger LOG = LoggerFactory.getLogger(TelegramUpdateRoutes.class);

    private final Ingress ingress;
    private final TelegramBot bot;
    private final TelegramProperties properties;
    private final Counter published;
    private final Counter ignored;

    public TelegramUpdateRoutes(Ingress ingress, TelegramBot bot, TelegramProperties properties,
            MeterRegistry meters) {
        this.ingress = ingress;
        this.bot = bot;
        this.properties = properties;
        this.published = Counter.builder("caravan.telegram.updates").tag("outcome", "published")
                .description("Telegram updates accepted onto Kafka").register(meters);
        this.ignored = Counter.builder("caravan.telegram.updates").tag("outcome", "ignored")
                .description("Telegram updates acknowledged without an answer").register(meters);
    }

    @Override
    public void configure() {
        from("direct:telegram-update").routeId("telegram-update")
                .errorHandler(noErrorHandler())
                .process(this::map)
                .filter(body().isNotNull())
                    .to("direct:publish")
                    .process(exchange -> published.increment())
                .end();
    }

    private void map(Exchange exchange) {
        JsonNode update = exchange.getMessage().getBody(JsonNode.class);
        exchange.setProperty(TelegramConstants.UPDATE, update);
        var outcome = TelegramUpdateMapper.map(update, bot.id(), usernameIfNeeded(update),
                properties.getGroupPolicy());
        if (outcome instanceof TelegramUpdateMapper.Publish publish) {
            exchange.getMessage().setBody(ingress.prepare(publish.envelope()));
        } else {
            ignored.increment();
            LOG.debug("Telegram update {} not answered: {}", TelegramUpdateMapper.updateId(update),
                    ((TelegramUpdateMapper.Ignore) outcome).reason());
            exchange.getMessage().setBody(null);
        }
    }

    /** The bot's username is only needed (and getMe only called) for group messages. */
    private String usernameIfNeeded(JsonNode update) {
        String type = update == null ? "" : update.path("message").path("chat").path("type").asText("");
        return type.equals("group") || type.equals("supergroup") ? bot.username() : null;
    }
}
