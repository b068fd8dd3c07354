package routes.channel.telegram;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.util.Map;
import org.apache.camel.Exchange;
import org.apache.camel.builder.RouteBuilder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.autoconfigure.condition.ConditionalOnExpression;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.context.event.EventListener;
import org.springframework.stereotype.Component;
import routes.channel.Signatures;
import routes.channel.web.ApiError;

/**
 * Webhook mode: {@code POST /webhooks/telegram} on Caravan's HTTP port.
 *
 * <p>Telegram sends the secret given to setWebhook in {@code X-Telegram-Bot-Api-Secret-Token}; a request without
 * it or with another one is answered 401 before its body is read (camel-telegram's own webhook does not check the
 * header, hence this platform-http route). A verified update is published to Kafka and only then answered 200;
 * if Kafka does not take it, the answer is 503 and Telegram delivers the update again later (its update_id makes
 * the repeat a duplicate the pipeline drops).
 */
@Component
@ConditionalOnExpression(TelegramConfig.ENABLED)
@ConditionalOnProperty(name = "caravan.channels.telegram.mode", havingValue = "webhook")
public class TelegramWebhookRoutes extends RouteBuilder {

    private static final Logger LOG = LoggerFactory.getLogger(TelegramWebhookRoutes.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    /** Updates are a few KB; anything this big is not one. */
    private static final int MAX_BODY = 1024 * 1024;

    private final TelegramProperties properties;
    private final TelegramBotApi api;

    public TelegramWebhookRoutes(TelegramProperties properties, TelegramBotApi api) {
        TelegramConfig.validate(properties);
        this.properties = properties;
        this.api = api;
    }

    @Override
    public void configure() {
        from("platform-http:" + TelegramConstants.WEBHOOK_PATH + "?httpMethodRestrict=POST")
                .routeId("telegram-webhook")
                .routeConfigurationId("telegram-webhook")
                .process(this::verifySecret)
                .process(TelegramWebhookRoutes::parseUpdate)
                .to("direct:telegram-update")
                .process(exchange -> respond(exchange, 200, Map.of("ok", true)));
    }

    private void verifySecret(Exchange exchange) {
        var in = exchange.getMessage();
        String given = in.getHeader(TelegramConstants.SECRET_HEADER, String.class);
        // the secret must not travel further (response headers, logs), whatever it is
        in.removeHeader(TelegramConstants.SECRET_HEADER);
        if (given == null || given.isEmpty()) {
            throw new TelegramWebhookException(401, "missing_secret",
                    "X-Telegram-Bot-Api-Secret-Token header is missing");
        }
        if (!Signatures.constantTimeEquals(properties.getWebhookSecret(), given)) {
            throw new TelegramWebhookException(401, "invalid_secret",
                    "X-Telegram-Bot-Api-Secret-Token does not match");
        }
    }

    private static void parseUpdate(Exchange exchange) {
        byte[] raw = exchange.getMessage().getBody(byte[].class);
        if (raw == null || raw.length == 0) {
            throw new TelegramWebhookException(400, "empty_body", "the request has no body");
        }
        if (raw.length > MAX_BODY) {
            throw new TelegramWebhookException(413, "too_large", "the request body is too large for an update");
        }
        JsonNode update;
        try {
            update = JSON.readTree(raw);
        } catch (IOException e) {
            throw new TelegramWebhookException(400, "invalid_json", "the body is not JSON");
        }
        if (update == null || !update.isObject() || TelegramUpdateMapper.updateId(update) == null) {
            throw new TelegramWebhookException(400, "invalid_update", "the body is not a Telegram update");
        }
        exchange.getMessage().setBody(update);
    }

    /** Answers a refused request with its status and a JSON error body. */
    static void reject(Exchange exchange) {
        TelegramWebhookException failure = null;
        for (Throwable t = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Throwable.class);
                t != null && failure == null; t = t.getCause()) {
            failure = t instanceof TelegramWebhookException refused ? refused : null;
        }
        if (failure == null) {
            failure = new TelegramWebhookException(400, "invalid_request", "the request was refused");
        }
        LOG.warn("Telegram webhook request refused: {} {}", failure.status(), failure.code());
        ApiError.respond(exchange, failure.status(), failure.code(), failure.getMessage());
    }

    /** Answers 503 when the update could not be accepted, so Telegram delivers it again. */
    static void unavailable(Exchange exchange) {
        Throwable cause = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Throwable.class);
        LOG.warn("Telegram update not accepted, answering 503 so Telegram retries: {}",
                cause == null ? "unknown" : cause.getClass().getSimpleName() + ": " + cause.getMessage());
        ApiError.respond(exchange, 503, "unavailable", "the update could not be accepted now; retry later");
    }

    private static void respond(Exchange exchange, int status, Object body) {
        var out = exchange.getMessage();
        // request headers would otherwise be echoed as response headers
        out.removeHeaders("*");
        out.setHeader(Exchange.HTTP_RESPONSE_CODE, status);
        out.setHeader(Exchange.CONTENT_TYPE, "application/json");
        try {
            out.setBody(JSON.writeValueAsBytes(body));
        } catch (IOException e) {
            out.setBody("{}".getBytes(java.nio.charset.StandardCharsets.UTF_8));
        }
    }

    /** Registers the webhook (with the secret) when its public URL is configured. */
    @EventListener(ApplicationReadyEvent.class)
    public void registerWebhook() {
        String url = properties.getWebhookUrl();
        if (url == null || url.isBlank()) {
            LOG.info("Telegram webhook mode: register https://<public host>{} with setWebhook and the secret",
                    TelegramConstants.WEBHOOK_PATH);
            return;
        }
        var params = TelegramBotApi.params()
                .put("url", url.trim())
                .put("secret_token", properties.getWebhookSecret());
        params.putArray("allowed_updates").add("message");
        api.call("setWebhook", params).thenAccept(result -> {
            if (result.succeeded()) {
                LOG.info("Telegram webhook registered at {}", url.trim());
            } else {
                LOG.error("Telegram setWebhook failed ({} {}); updates will not arrive until it is registered",
                        result.status(), result.description());
            }
        });
    }
}
