package routes.channel.telegram;

import java.util.regex.Pattern;
import org.springframework.boot.autoconfigure.condition.ConditionalOnExpression;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import routes.channel.ChannelRegistration;

/**
 * Beans of the Telegram channel, present when {@code caravan.channels.telegram.token} is set (an empty value, as an
 * empty environment variable gives, counts as not set).
 */
@Configuration(proxyBeanMethods = false)
@ConditionalOnExpression(TelegramConfig.ENABLED)
public class TelegramConfig {

    /** The condition every Telegram bean and route shares. */
    public static final String ENABLED = "!'${caravan.channels.telegram.token:}'.isBlank()";

    /** What Telegram accepts as a webhook secret_token. */
    static final Pattern SECRET_FORMAT = Pattern.compile("[A-Za-z0-9_-]{1,256}");

    @Bean
    ChannelRegistration telegramChannel(TelegramProperties properties) {
        validate(properties);
        return new ChannelRegistration(TelegramConstants.CHANNEL);
    }

    @Bean
    TelegramBotApi telegramBotApi(TelegramProperties properties) {
        return new TelegramBotApi(properties);
    }

    @Bean
    TelegramBot telegramBot(TelegramProperties properties, TelegramBotApi api) {
        return new TelegramBot(properties, api);
    }

    /** Fails start-up with the name of the setting that is wrong, rather than failing every message later. */
    static void validate(TelegramProperties properties) {
        if (properties.getApiUrl() == null || !properties.getApiUrl().matches("(?i)https?://.+")) {
            throw new IllegalStateException("caravan.channels.telegram.api-url must be an http(s) URL");
        }
        if (properties.getMode() == TelegramProperties.Mode.WEBHOOK) {
            String secret = properties.getWebhookSecret();
            if (secret == null || !SECRET_FORMAT.matcher(secret).matches()) {
                throw new IllegalStateException("caravan.channels.telegram.webhook-secret is required in webhook "
                        + "mode: 1-256 characters of A-Z a-z 0-9 _ -");
            }
        }
        var limits = properties.getRateLimit();
        if (limits.getChatPerSecond() < 1 || limits.getBotPerSecond() < 1 || limits.getGroupPerMinute() < 1) {
            throw new IllegalStateException("caravan.channels.telegram.rate-limit.* must be at least 1");
        }
        if (properties.getEditInterval() == null || properties.getEditInterval().isNegative()
                || properties.getEditInterval().isZero()) {
            throw new IllegalStateException("caravan.channels.telegram.edit-interval must be positive");
        }
        if (properties.getPollTimeout().isNegative() || properties.getPollTimeout().toSeconds() > 600) {
            throw new IllegalStateException("caravan.channels.telegram.poll-timeout must be between 0 and 600s");
        }
    }
}
