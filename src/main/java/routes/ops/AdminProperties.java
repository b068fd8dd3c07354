package routes.ops;

import org.springframework.boot.context.properties.ConfigurationProperties;

/** The admin API ({@code caravan.admin.*}). */
@ConfigurationProperties("caravan.admin")
public class AdminProperties {

    /**
     * Bearer token the admin API requires (CARAVAN_ADMIN_TOKEN). Without one, the admin API answers requests from
     * this machine (loopback) only. Never logged.
     */
    private String token = "";

    public String getToken() { return token; }
    public void setToken(String token) { this.token = token; }

    @Override
    public String toString() {
        return "AdminProperties[token=" + (token == null || token.isBlank() ? "(none)" : "****") + "]";
    }
}
