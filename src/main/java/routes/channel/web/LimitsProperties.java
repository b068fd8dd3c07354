package routes.channel.web;

import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.util.unit.DataSize;

/** Input limits of the public interfaces ({@code caravan.limits.*}). */
@ConfigurationProperties("caravan.limits")
public class LimitsProperties {

    /** Largest message text accepted, in UTF-8 bytes; larger gets 413 or a WebSocket error frame. */
    private DataSize maxText = DataSize.ofKilobytes(32);

    /** Messages one sender may send per window, across all instances; 0 permits turns the limit off. */
    private Rate userRate = new Rate(30, Duration.ofMinutes(1));

    /** Messages one conversation may receive per window, across all instances; 0 permits turns it off. */
    private Rate chatRate = new Rate(60, Duration.ofMinutes(1));

    /** Model tokens (prompt and reply) one sender may use per UTC day; 0 means no budget. */
    private long dailyTokensPerUser;

    /**
     * WebSocket connections one client address may hold open on this instance; 0 = no limit. Behind a reverse
     * proxy every client has the proxy's address unless forwarded headers are configured
     * ({@code server.forward-headers-strategy}).
     */
    private int connectionsPerIp = 256;

    /** Messages one WebSocket connection may send per window (on this instance); 0 permits turns it off. */
    private Rate wsMessageRate = new Rate(20, Duration.ofSeconds(10));

    public int getConnectionsPerIp() { return connectionsPerIp; }
    public void setConnectionsPerIp(int connectionsPerIp) { this.connectionsPerIp = connectionsPerIp; }
    public Rate getWsMessageRate() { return wsMessageRate; }
    public void setWsMessageRate(Rate wsMessageRate) { this.wsMessageRate = wsMessageRate; }

    /** Limits of one channel, replacing the ones above for its messages (unset values are inherited). */
    private java.util.Map<String, ChannelLimits> channels = new java.util.LinkedHashMap<>();

    public java.util.Map<String, ChannelLimits> getChannels() { return channels; }
    public void setChannels(java.util.Map<String, ChannelLimits> channels) { this.channels = channels; }

    /** The sender rate that applies to {@code channel}. */
    public Rate userRate(String channel) {
        ChannelLimits c = channels.get(channel);
        return c != null && c.getUserRate() != null ? c.getUserRate() : userRate;
    }

    /** The conversation rate that applies to {@code channel}. */
    public Rate chatRate(String channel) {
        ChannelLimits c = channels.get(channel);
        return c != null && c.getChatRate() != null ? c.getChatRate() : chatRate;
    }

    /** The daily token budget per sender that applies to {@code channel}. */
    public long dailyTokensPerUser(String channel) {
        ChannelLimits c = channels.get(channel);
        return c != null && c.getDailyTokensPerUser() != null ? c.getDailyTokensPerUser() : dailyTokensPerUser;
    }

    /** Per-channel limits; null inherits. */
    public static class ChannelLimits {

        private Rate userRate;
        private Rate chatRate;
        private Long dailyTokensPerUser;

        public Rate getUserRate() { return userRate; }
        public void setUserRate(Rate userRate) { this.userRate = userRate; }
        public Rate getChatRate() { return chatRate; }
        public void setChatRate(Rate chatRate) { this.chatRate = chatRate; }
        public Long getDailyTokensPerUser() { return dailyTokensPerUser; }
        public void setDailyTokensPerUser(Long dailyTokensPerUser) { this.dailyTokensPerUser = dailyTokensPerUser; }
    }

    public DataSize getMaxText() { return maxText; }
    public void setMaxText(DataSize maxText) { this.maxText = maxText; }
    public Rate getUserRate() { return userRate; }
    public void setUserRate(Rate userRate) { this.userRate = userRate; }
    public Rate getChatRate() { return chatRate; }
    public void setChatRate(Rate chatRate) { this.chatRate = chatRate; }
    public long getDailyTokensPerUser() { return dailyTokensPerUser; }
    public void setDailyTokensPerUser(long dailyTokensPerUser) { this.dailyTokensPerUser = dailyTokensPerUser; }

    /** At most {@code permits} messages per {@code window}. */
    public static class Rate {

        private int permits;
        private Duration window;

        public Rate() {
            this(0, Duration.ofMinutes(1));
        }

        public Rate(int permits, Duration window) {
            this.permits = permits;
            this.window = window;
        }

        public int getPermits() { return permits; }
        public void setPermits(int permits) { this.permits = permits; }
        public Duration getWindow() { return window; }
        public void setWindow(Duration window) { this.window = window; }
    }
}
