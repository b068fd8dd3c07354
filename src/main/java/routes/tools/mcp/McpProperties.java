package routes.tools.mcp;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import org.springframework.boot.context.properties.ConfigurationProperties;

/** Model Context Protocol ({@code caravan.mcp.*}): Caravan's tools as an MCP server, external servers' tools. */
@ConfigurationProperties("caravan.mcp")
public class McpProperties {

    private Server server = new Server();

    /** External MCP servers whose tools the model may use, by a short name that prefixes their tools. */
    private Map<String, Client> clients = new LinkedHashMap<>();

    public Server getServer() { return server; }
    public void setServer(Server server) { this.server = server; }
    public Map<String, Client> getClients() { return clients; }
    public void setClients(Map<String, Client> clients) { this.clients = clients; }

    /** Caravan's MCP server (streamable HTTP). */
    public static class Server {

        /** Serve Caravan's tools over MCP. */
        private boolean enabled = true;

        /** Path of the MCP endpoint. */
        private String path = "/mcp";

        /** Bearer token MCP clients must send (CARAVAN_MCP_SERVER_TOKEN); without one, loopback callers only. */
        private String token = "";

        public boolean isEnabled() { return enabled; }
        public void setEnabled(boolean enabled) { this.enabled = enabled; }
        public String getPath() { return path; }
        public void setPath(String path) { this.path = path; }
        public String getToken() { return token; }
        public void setToken(String token) { this.token = token; }

        @Override
        public String toString() {
            return "Server[enabled=" + enabled + ", path=" + path + ", token=" + (token.isBlank() ? "(none)" : "****")
                    + "]";
        }
    }

    /** One external MCP server. */
    public static class Client {

        /** Its streamable HTTP endpoint, e.g. https://tools.example.com/mcp. */
        private String url;

        /** Bearer token sent to it; never logged. */
        private String token = "";

        /** Longest one request to it may take. */
        private Duration timeout = Duration.ofSeconds(30);

        public String getUrl() { return url; }
        public void setUrl(String url) { this.url = url; }
        public String getToken() { return token; }
        public void setToken(String token) { this.token = token; }
        public Duration getTimeout() { return timeout; }
        public void setTimeout(Duration timeout) { this.timeout = timeout; }

        @Override
        public String toString() {
            return "Client[url=" + url + ", token=" + (token == null || token.isBlank() ? "(none)" : "****") + "]";
        }
    }
}
