package routes.channel.web;

import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.util.unit.DataSize;

/** The HTTP edge: web chat, WebSocket, REST and OpenAI-compatible API ({@code caravan.http.*}). */
@ConfigurationProperties("caravan.http")
public class WebProperties {

    /** Port of the one HTTP server (also CARAVAN_HTTP_PORT). */
    private int port = 18789;

    /**
     * Address to listen on (also CARAVAN_HTTP_BIND_ADDRESS); unset: 127.0.0.1 without authentication, every
     * interface with it. Applied before start-up by {@link routes.security.BindAddressPolicy}.
     */
    private String bindAddress;

    /** How long a synchronous request (OpenAI-compatible API) waits for its reply. */
    private Duration replyTimeout = Duration.ofSeconds(120);

    /** WebSocket ping interval; a connection that misses two pongs is closed. */
    private Duration pingInterval = Duration.ofSeconds(30);

    /** How long a reply's status stays readable at GET /api/v1/messages/{id}. */
    private Duration statusTtl = Duration.ofDays(1);

    /**
     * Longest a WebSocket frame may take to be written; past it the client counts as not reading, the connection
     * is closed and its undelivered replies are kept for its return.
     */
    private Duration wsSendTimeout = Duration.ofSeconds(10);

    /**
     * Frames queued per WebSocket connection (characters of JSON, beyond the frame being written). Past it the
     * queued token deltas are dropped; when replies alone exceed it, the connection is closed as too slow.
     */
    private DataSize wsBufferSize = DataSize.ofMegabytes(1);

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
    public Duration getWsSendTimeout() { return wsSendTimeout; }
    public void setWsSendTimeout(Duration wsSendTimeout) { this.wsSendTimeout = wsSendTimeout; }
    public DataSize getWsBufferSize() { return wsBufferSize; }
    public void setWsBufferSize(DataSize wsBufferSize) { this.wsBufferSize = wsBufferSize; }
}
