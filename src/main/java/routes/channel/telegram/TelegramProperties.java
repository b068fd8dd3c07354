package routes.channel.telegram;

import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import routes.channel.GroupPolicy;

/**
 * The Telegram channel ({@code caravan.channels.telegram.*}). The channel is on when {@code token} is set.
 *
 * <p>{@link #toString()} never prints the token or the webhook secret.
 */
@ConfigurationProperties("caravan.channels.telegram")
public class TelegramProperties {

    /** How updates reach Caravan. */
    public enum Mode {
        /** Telegram POSTs updates to {@code /webhooks/telegram}; every instance can take them. */
        WEBHOOK,
        /** Caravan long-polls getUpdates; exactly one instance of the cluster polls at a time. */
        POLLING
    }

    /** The bot token from @BotFather (CARAVAN_CHANNELS_TELEGRAM_TOKEN); never logged. */
    private String token;

    /** Base URL of the Bot API: Telegram's, a self-hosted Bot API server, or a test fake. */
    private String apiUrl = "https://api.telegram.org";

    /** webhook or polling. */
    private Mode mode = Mode.POLLING;

    /**
     * Webhook mode: the secret Telegram sends in {@code X-Telegram-Bot-Api-Secret-Token} (1–256 of A–Z a–z 0–9 _ -);
     * required in webhook mode, never logged.
     */
    private String webhookSecret;

    /**
     * Webhook mode, optional: the public HTTPS URL of {@code /webhooks/telegram}; when set, Caravan registers it with
     * setWebhook (with the secret) at start-up. When empty, register it yourself.
     */
    private String webhookUrl;

    /** The bot's username without the {@code @}; when empty, asked from the Bot API (getMe) when first needed. */
    private String botUsername;

    /** When the bot answers in groups: mention (mentioned or replied to), always, never. */
    private GroupPolicy groupPolicy = GroupPolicy.MENTION;

    /** Polling mode: how long one getUpdates call waits for updates (Telegram's long-poll timeout). */
    private Duration pollTimeout = Duration.ofSeconds(30);

    /** Longest wait for an answer of a Bot API call other than the long poll. */
    private Duration requestTimeout = Duration.ofSeconds(30);

    /**
     * Show a reply while the model writes it: a draft message posted with the first text and edited with the text
     * so far (editMessageText), which the final reply then completes. Off: only the final reply is sent.
     */
    private boolean streamEdits = true;

    /** Shortest time between two calls for one draft; edits in between are coalesced into the next. */
    private Duration editInterval = Duration.ofSeconds(1);

    /** Cluster-wide send limits (Telegram's own limits; past them it answers 429). */
    private final RateLimit rateLimit = new RateLimit();

    /** Cluster-wide limits of sendMessage, shared by every instance through Redis. */
    public static class RateLimit {

        /** Messages per second into one chat. */
        private int chatPerSecond = 1;

        /** Messages per second of the whole bot. */
        private int botPerSecond = 30;

        /** Messages per minute into one group. */
        private int groupPerMinute = 20;

        public int getChatPerSecond() { return chatPerSecond; }
        public void setChatPerSecond(int v) { chatPerSecond = v; }
        public int getBotPerSecond() { return botPerSecond; }
        public void setBotPerSecond(int v) { botPerSecond = v; }
        public int getGroupPerMinute() { return groupPerMinute; }
        public void setGroupPerMinute(int v) { groupPerMinute = v; }

        @Override
        public String toString() {
            return "RateLimit[chatPerSecond=" + chatPerSecond + ", botPerSecond=" + botPerSecond
                    + ", groupPerMinute=" + groupPerMinute + "]";
        }
    }

    public String getToken() { return token; }
    public void setToken(String v) { token = v; }
    public String getApiUrl() { return apiUrl; }
    public void setApiUrl(String v) { apiUrl = v; }
    public Mode getMode() { return mode; }
    public void setMode(Mode v) { mode = v; }
    public String getWebhookSecret() { return webhookSecret; }
    public void setWebhookSecret(String v) { webhookSecret = v; }
    public String getWebhookUrl() { return webhookUrl; }
    public void setWebhookUrl(String v) { webhookUrl = v; }
    public String getBotUsername() { return botUsername; }
    public void setBotUsername(String v) { botUsername = v; }
    public GroupPolicy getGroupPolicy() { return groupPolicy; }
    public void setGroupPolicy(GroupPolicy v) { groupPolicy = v; }
    public Duration getPollTimeout() { return pollTimeout; }
    public void setPollTimeout(Duration v) { pollTimeout = v; }
    public Duration getRequestTimeout() { return requestTimeout; }
    public void setRequestTimeout(Duration v) { requestTimeout = v; }
    public boolean isStreamEdits() { return streamEdits; }
    public void setStreamEdits(boolean v) { streamEdits = v; }
    public Duration getEditInterval() { return editInterval; }
    public void setEditInterval(Duration v) { editInterval = v; }
    public RateLimit getRateLimit() { return rateLimit; }

    /** The bot's numeric id: the part of the token before the colon (public, it is the bot's user id). */
    public String botId() {
        if (token == null) {
            return "bot";
        }
        int colon = token.indexOf(':');
        String id = colon > 0 ? token.substring(0, colon) : "";
        return id.chars().allMatch(Character::isDigit) && !id.isEmpty() ? id : "bot";
    }

    @Override
    public String toString() {
        return "TelegramProperties[token=" + mask(token) + ", apiUrl=" + apiUrl + ", mode=" + mode
                + ", webhookSecret=" + mask(webhookSecret) + ", webhookUrl=" + webhookUrl + ", botUsername="
                + botUsername + ", groupPolicy=" + groupPolicy + ", pollTimeout=" + pollTimeout + ", requestTimeout="
                + requestTimeout + ", streamEdits=" + streamEdits + ", editInterval=" + editInterval + ", rateLimit="
                + rateLimit + "]";
    }

    private static String mask(String secret) {
        return secret == null || secret.isBlank() ? "(none)" : "******";
    }
}
