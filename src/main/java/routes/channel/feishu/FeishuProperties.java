package routes.channel.feishu;

import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import routes.channel.GroupPolicy;

/**
 * The Feishu / Lark channel ({@code caravan.channels.feishu.*}). The channel is on when {@code app-id} is set.
 * Secrets never appear in {@link #toString()}.
 */
@ConfigurationProperties("caravan.channels.feishu")
public class FeishuProperties {

    /** App ID of the custom app (cli_…), from the developer console (CARAVAN_CHANNELS_FEISHU_APP_ID). */
    private String appId = "";

    /** App Secret of the app; fetches the tenant access token (CARAVAN_CHANNELS_FEISHU_APP_SECRET). Secret. */
    private String appSecret = "";

    /** Verification Token of the event subscription; checked on every unsigned request. Secret. */
    private String verificationToken = "";

    /** Encrypt Key of the event subscription: events arrive encrypted and signed. Empty = plain events. Secret. */
    private String encryptKey = "";

    /** Open API base URL: https://open.feishu.cn/open-apis, or https://open.larksuite.com/open-apis for Lark. */
    private String apiUrl = "https://open.feishu.cn/open-apis";

    /** When the bot answers in group chats: mention (only when @-mentioned), always, never. */
    private GroupPolicy groupPolicy = GroupPolicy.MENTION;

    /** The bot's open_id, to tell a mention of the bot from other mentions; empty = asked from /bot/v3/info. */
    private String botOpenId = "";

    /** Oldest (or furthest in the future) X-Lark-Request-Timestamp a signed event may carry. */
    private Duration signatureMaxAge = Duration.ofHours(1);

    /** Longest text of one sent message (characters); longer replies are split into several messages. */
    private int chunkSize = 4000;

    /** Longest wait for one Open API call. */
    private Duration timeout = Duration.ofSeconds(10);

    public String getAppId() { return appId; }
    public void setAppId(String v) { appId = v == null ? "" : v.trim(); }
    public String getAppSecret() { return appSecret; }
    public void setAppSecret(String v) { appSecret = v == null ? "" : v.trim(); }
    public String getVerificationToken() { return verificationToken; }
    public void setVerificationToken(String v) { verificationToken = v == null ? "" : v.trim(); }
    public String getEncryptKey() { return encryptKey; }
    public void setEncryptKey(String v) { encryptKey = v == null ? "" : v.trim(); }
    public String getApiUrl() { return apiUrl; }
    public void setApiUrl(String v) { apiUrl = v == null ? "" : v.trim().replaceAll("/+$", ""); }
    public GroupPolicy getGroupPolicy() { return groupPolicy; }
    public void setGroupPolicy(GroupPolicy v) { groupPolicy = v; }
    public String getBotOpenId() { return botOpenId; }
    public void setBotOpenId(String v) { botOpenId = v == null ? "" : v.trim(); }
    public Duration getSignatureMaxAge() { return signatureMaxAge; }
    public void setSignatureMaxAge(Duration v) { signatureMaxAge = v; }
    public int getChunkSize() { return chunkSize; }
    public void setChunkSize(int v) { chunkSize = v; }
    public Duration getTimeout() { return timeout; }
    public void setTimeout(Duration v) { timeout = v; }

    @Override
    public String toString() {
        return "FeishuProperties[appId=" + appId + ", appSecret=" + mask(appSecret)
                + ", verificationToken=" + mask(verificationToken) + ", encryptKey=" + mask(encryptKey)
                + ", apiUrl=" + apiUrl + ", groupPolicy=" + groupPolicy + ", botOpenId=" + botOpenId
                + ", signatureMaxAge=" + signatureMaxAge + ", chunkSize=" + chunkSize + ", timeout=" + timeout + "]";
    }

    private static String mask(String secret) {
        return secret == null || secret.isEmpty() ? "<unset>" : "****";
    }
}
