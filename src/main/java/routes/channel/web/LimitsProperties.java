package routes.channel.web;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.util.unit.DataSize;

/** Input limits of the public interfaces ({@code caravan.limits.*}). */
@ConfigurationProperties("caravan.limits")
public class LimitsProperties {

    /** Largest message text accepted, in UTF-8 bytes; larger gets 413 or a WebSocket error frame. */
    private DataSize maxText = DataSize.ofKilobytes(32);

    public DataSize getMaxText() { return maxText; }
    public void setMaxText(DataSize maxText) { this.maxText = maxText; }
}
