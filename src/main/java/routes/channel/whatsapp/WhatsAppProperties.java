package routes.channel.whatsapp;

import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * The WhatsApp channel ({@code caravan.channels.whatsapp.*}), on the WhatsApp Business Cloud API: messages arrive
 * at {@code /webhooks/whatsapp}, replies go out through {@code POST /{phone-number-id}/messages}. The channel is on
 * when {@code access-token} is set.
 */
@ConfigurationProperties("caravan.channels.whatsapp")
public class WhatsAppProperties {

    /**
     * Access token of a system user with whatsapp_business_messaging permission
     * (CARAVAN_CHANNELS_WHATSAPP_ACCESS_TOKEN); never logged.
     */
    private String accessToken = "";

    /**
     * App secret of the Meta app, to verify every webhook call (CARAVAN_CHANNELS_WHATSAPP_APP_SECRET); never
     * logged. Without it every webhook call is refused.
     */
    private String appSecret = "";

    /**
     * The verify token typed into the app's webhook configuration, checked when Meta subscribes the webhook
     * (CARAVAN_CHANNELS_WHATSAPP_VERIFY_TOKEN); never logged.
     */
    private String verifyToken = "";

    /**
     * Id of the business phone number replies are sent from, when a message does not say which number it reached
     * (replies normally go out from the number the person wrote to).
     */
    private String phoneNumberId = "";

    /** Base URL of the Graph API, with its version. */
    private String apiUrl = "https://graph.facebook.com/v21.0";

    /**
     * Name of the approved message template sent instead of a free-form reply once the person's last message is
     * more than 24 hours old (WhatsApp allows free-form text only within that window). Without it such replies go
     * to the DLQ.
     */
    private String templateName = "";

    /** Language code of {@link #templateName}, as approved (e.g. en_US). */
    private String templateLanguage = "en_US";

    /** How long after a person's last message free-form replies are allowed (WhatsApp: 24 hours). */
    private Duration serviceWindow = Duration.ofHours(24);

    /** Longest text of one message; longer replies are split into several messages. */
    private int maxText = 4096;

    /** Messages one business number may send per {@link #numberRateWindow} (cluster-wide). */
    private int numberRateLimit = 80;

    /** Window of {@link #numberRateLimit}. */
    private Duration numberRateWindow = Duration.ofSeconds(1);

    /** Longest wait for the Graph API to answer one call. */
    private Duration timeout = Duration.ofSeconds(10);

    public String getAccessToken() { return accessToken; }
    public void setAccessToken(String v) { accessToken = v == null ? "" : v.trim(); }
    public String getAppSecret() { return appSecret; }
    public void setAppSecret(String v) { appSecret = v == null ? "" : v.trim(); }
    public String getVerifyToken() { return verifyToken; }
    public void setVerifyToken(String v) { verifyToken = v == null ? "" : v.trim(); }
    public String getPhoneNumberId() { return phoneNumberId; }
    public void setPhoneNumberId(String v) { phoneNumberId = v == null ? "" : v.trim(); }
    public String getApiUrl() { return apiUrl; }
    public void setApiUrl(String v) { apiUrl = v; }
    public String getTemplateName() { return templateName; }
    public void setTemplateName(String v) { templateName = v == null ? "" : v.trim(); }
    public String getTemplateLanguage() { return templateLanguage; }
    public void setTemplateLanguage(String v) { templateLanguage = v == null ? "" : v.trim(); }
    public Duration getServiceWindow() { return serviceWindow; }
    public void setServiceWindow(Duration v) { serviceWindow = v; }
    public int getMaxText() { return maxText; }
    public void setMaxText(int v) { maxText = v; }
    public int getNumberRateLimit() { return numberRateLimit; }
    public void setNumberRateLimit(int v) { numberRateLimit = v; }
    public Duration getNumberRateWindow() { return numberRateWindow; }
    public void setNumberRateWindow(Duration v) { numberRateWindow = v; }
    public Duration getTimeout() { return timeout; }
    public void setTimeout(Duration v) { timeout = v; }

    /** The API base URL without a trailing slash. */
    String apiBase() {
        return apiUrl.endsWith("/") ? apiUrl.substring(0, apiUrl.length() - 1) : apiUrl;
    }

    @Override
    public String toString() {
        return "WhatsAppProperties{accessToken=" + mask(accessToken) + ", appSecret=" + mask(appSecret)
                + ", verifyToken=" + mask(verifyToken) + ", phoneNumberId=" + phoneNumberId + ", apiUrl=" + apiUrl
                + ", templateName=" + templateName + ", templateLanguage=" + templateLanguage
                + ", serviceWindow=" + serviceWindow + ", maxText=" + maxText
                + ", numberRateLimit=" + numberRateLimit + "/" + numberRateWindow + ", timeout=" + timeout + "}";
    }

    private static String mask(String secret) {
        return secret == null || secret.isEmpty() ? "(unset)" : "****";
    }
}
