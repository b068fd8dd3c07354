package routes.tools.builtin;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.util.unit.DataSize;

/** The {@code web-fetch} tool ({@code caravan.tools.web-fetch.*}). */
@ConfigurationProperties("caravan.tools.web-fetch")
public class WebFetchProperties {

    /** Whether the model may fetch web pages at all. */
    private boolean enabled = true;

    /** Largest response body read; a larger one is refused rather than cut. */
    private DataSize maxBytes = DataSize.ofMegabytes(1);

    /** Longest a whole fetch may take, redirects included. */
    private Duration timeout = Duration.ofSeconds(10);

    /** Redirects followed, each target checked again. */
    private int maxRedirects = 3;

    /** Longest result text handed to the model, in characters; the rest of the page is cut off. */
    private int maxChars = 20_000;

    /**
     * Hosts always allowed, as exact {@code host:port} entries (e.g. an internal wiki, {@code wiki.corp:443}): they
     * are reached whatever address they resolve to, private and loopback included. Nothing else private ever is.
     */
    private List<String> allowedHosts = new ArrayList<>();

    public boolean isEnabled() { return enabled; }
    public void setEnabled(boolean enabled) { this.enabled = enabled; }
    public DataSize getMaxBytes() { return maxBytes; }
    public void setMaxBytes(DataSize maxBytes) { this.maxBytes = maxBytes; }
    public Duration getTimeout() { return timeout; }
    public void setTimeout(Duration timeout) { this.timeout = timeout; }
    public int getMaxRedirects() { return maxRedirects; }
    public void setMaxRedirects(int maxRedirects) { this.maxRedirects = maxRedirects; }
    public int getMaxChars() { return maxChars; }
    public void setMaxChars(int maxChars) { this.maxChars = maxChars; }
    public List<String> getAllowedHosts() { return allowedHosts; }
    public void setAllowedHosts(List<String> allowedHosts) {
        this.allowedHosts = allowedHosts == null ? new ArrayList<>() : allowedHosts;
    }
}
