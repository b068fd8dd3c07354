package routes.channel.slack;

import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import routes.channel.GroupPolicy;

/**
 * The Slack channel ({@code caravan.channels.slack.*}): an Events API app whose events arrive at
 * {@code POST /webhooks/slack/events} and whose replies go out through {@code chat.postMessage}. The channel is on
 * when {@code bot-token} is set.
 */
@ConfigurationProperties("caravan.channels.slack")
public class SlackProperties {

    /** Bot user OAuth token ({@code xoxb-…}) that posts the replies (CARAVAN_CHANNELS_SLACK_BOT_TOKEN); never logged. */
    private String botToken = "";

    /**
     * Signing secret of the Slack app, to verify every webhook call (CARAVAN_CHANNELS_SLACK_SIGNING_SECRET); never
     * logged. Without it every webhook call is refused.
     */
    private String signingSecret = "";

    /** Base URL of the Slack Web API. */
    private String apiUrl = "https://slack.com/api";

    /** When the bot answers in channels and group conversations: mention (default), always or never. */
    private GroupPolicy groupPolicy = GroupPolicy.MENTION;

    /**
     * The bot's own user id ({@code U…}), to recognise {@code <@U…>} mentions; by default it is read from each
     * event's {@code authorizations}.
     */
    private String botUserId = "";

    /** How far a webhook's {@code X-Slack-Request-Timestamp} may be from now before the call counts as a replay. */
    private Duration timestampTolerance = Duration.ofMinutes(5);

    /** Messages the bot may post into one conversation per {@link #channelRateWindow} (Slack allows about 1/s). */
    private int channelRateLimit = 1;

    /** Window of {@link #channelRateLimit}. */
    private Duration channelRateWindow = Duration.ofSeconds(1);

    /** Messages the bot may post into the whole workspace per {@link #workspaceRateWindow}. */
    private int workspaceRateLimit = 300;

    /** Window of {@link #workspaceRateLimit}. */
    private Duration workspaceRateWindow = Duration.ofMinutes(1);

    /** Longest text of one posted message; longer replies are split into several messages in the thread. */
    private int maxText = 4000;

    /**
     * Show a reply while the model writes it: a draft posted in the thread with the first text and updated with
     * the text so far (chat.update), which the final reply then completes. Off: only the final reply is posted.
     */
    private boolean streamEdits = true;

    /** Shortest time between two calls for one draft; updates in between are coalesced into the next. */
    private Duration editInterval = Duration.ofSeconds(1);

    /** Longest wait for Slack to answer one API call. */
    private Duration timeout = Duration.ofSeconds(10);

    public String getBotToken() { return botToken; }
    public void setBotToken(String v) { botToken = v == null ? "" : v.trim(); }
    public String getSigningSecret() { return signingSecret; }
    public void setSigningSecret(String v) { signingSecret = v == null ? "" : v.trim(); }
    public String getApiUrl() { return apiUrl; }
    public void setApiUrl(String v) { apiUrl = v; }
    public GroupPolicy getGroupPolicy() { return groupPolicy; }
    public void setGroupPolicy(GroupPolicy v) { groupPolicy = v; }
    public String getBotUserId() { return botUserId; }
    public void setBotUserId(String v) { botUserId = v == null ? "" : v.trim(); }
    public Duration getTimestampTolerance() { return timestampTolerance; }
    public void setTimestampTolerance(Duration v) { timestampTolerance = v; }
    public int getChannelRateLimit() { return channelRateLimit; }
    public void setChannelRateLimit(int v) { channelRateLimit = v; }
    public Duration getChannelRateWindow() { return channelRateWindow; }
    public void setChannelRateWindow(Duration v) { channelRateWindow = v; }
    public int getWorkspaceRateLimit() { return workspaceRateLimit; }
    public void setWorkspaceRateLimit(int v) { workspaceRateLimit = v; }
    public Duration getWorkspaceRateWindow() { return workspaceRateWindow; }
    public void setWorkspaceRateWindow(Duration v) { workspaceRateWindow = v; }
    public int getMaxText() { return maxText; }
    public void setMaxText(int v) { maxText = v; }
    public boolean isStreamEdits() { return streamEdits; }
    public void setStreamEdits(boolean v) { streamEdits = v; }
    public Duration getEditInterval() { return editInterval; }
    public void setEditInterval(Duration v) { editInterval = v; }
    public Duration getTimeout() { return timeout; }
    public void setTimeout(Duration v) { timeout = v; }

    /** The API base URL without a trailing slash. */
    String apiBase() {
        return apiUrl.endsWith("/") ? apiUrl.substring(0, apiUrl.length() - 1) : apiUrl;
    }

    @Override
    public String toString() {
        return "SlackProperties{botToken=" + mask(botToken) + ", signingSecret=" + mask(signingSecret)
                + ", apiUrl=" + apiUrl + ", groupPolicy=" + groupPolicy + ", botUserId=" + botUserId
                + ", channelRateLimit=" + channelRateLimit + "/" + channelRateWindow
                + ", workspaceRateLimit=" + workspaceRateLimit + "/" + workspaceRateWindow
                + ", maxText=" + maxText + ", streamEdits=" + streamEdits + ", editInterval=" + editInterval
                + ", timeout=" + timeout + "}";
    }

    private static String mask(String secret) {
        return secret == null || secret.isEmpty() ? "(unset)" : "****";
    }
}
