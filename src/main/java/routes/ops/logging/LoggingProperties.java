package routes.ops.logging;

import org.springframework.boot.context.properties.ConfigurationProperties;

/** What Caravan's own log lines may contain ({@code caravan.logging.*}). */
@ConfigurationProperties("caravan.logging")
public class LoggingProperties {

    /**
     * Whether DEBUG content lines (logger {@code routes.content}) show the text of messages and replies; otherwise
     * they show its length only. Message text never appears at INFO or above.
     */
    private boolean includeText = false;

    public boolean isIncludeText() { return includeText; }
    public void setIncludeText(boolean includeText) { this.includeText = includeText; }
}
