package routes.schedule;

import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;

/** Reminders and scheduled jobs ({@code caravan.schedule.*}). */
@ConfigurationProperties("caravan.schedule")
public class ScheduleProperties {

    /** How often the leader looks for due reminders. */
    private Duration pollInterval = Duration.ofSeconds(1);

    /** Reminders one person may have waiting. */
    private int maxPerChat = 50;

    /** Furthest ahead a reminder may be set. */
    private Duration maxAhead = Duration.ofDays(366);

    public Duration getPollInterval() { return pollInterval; }
    public void setPollInterval(Duration pollInterval) { this.pollInterval = pollInterval; }
    public int getMaxPerChat() { return maxPerChat; }
    public void setMaxPerChat(int maxPerChat) { this.maxPerChat = maxPerChat; }
    public Duration getMaxAhead() { return maxAhead; }
    public void setMaxAhead(Duration maxAhead) { this.maxAhead = maxAhead; }
}
