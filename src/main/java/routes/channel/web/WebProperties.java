package routes.channel.web;

import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;

/** The HTTP edge: web chat, WebSocket, REST and OpenAI-compatible API ({@code caravan.http.*}). */
@ConfigurationProperties("caravan.http")
public class WebProperties {

    /** Port of the one HTTP server (also CARAVAN_HTTP_PORT). */
    private int port = 18789;

    /** Address to listen on; loopback unless an auth token is configured (also CARAVAN_HTTP_BIND_ADDRESS). */
    private String bindAddress = "127.0.0.1";

    /** How long a synchronous request (OpenAI-compatible API) waits for its reply. */
    private Duration replyTimeout = Duration.ofSeconds(120);

    /** WebSocket ping interval; a connection that misses two pongs is closed. */
    private Duration pingInterval = Duration.ofSeconds(30);

    /** How long a reply's status stays readable at GET /api/v1/messages/{id}. */
    private Duration statusTtl = Duration.ofDays(1);

    public int getPort() { return port; }
    public void setPort(int port) { this.port = port; }
    public String getBindAddress() { return bindAddress; }
    public void setBindAddress(String bindAddress) { this.bindAddress = bindAddress; }
    public Duration getReplyTimeout() { return replyTimeout; }
    public void setReplyTimeout(Duration replyTimeout) { this.replyTimeout = replyTimeout; }
    public Duration getPingInterval() { return pingInterval; }
    public void setPingInterval(Duration pingInterval) { this.pingInterval = pingInterval; }
    public Duration getStatusTtl() { return statusTtl; }
    public void setStatusTtl(Duration statusTtl) { this.statusTtl = statusTtl; }
}
