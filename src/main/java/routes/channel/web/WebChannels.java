package routes.channel.web;

/** Names of the connection-bound channels this package serves. */
public final class WebChannels {

    /** The WebSocket at /ws (the web chat page uses it). */
    public static final String WEBSOCKET = "websocket";
    /** POST/GET /api/v1/messages. */
    public static final String REST = "rest";
    /** The OpenAI-compatible API at /v1. */
    public static final String OPENAI = "openai";

    /** Metadata: the id of the connection (WebSocket session) that sent a message. */
    public static final String META_CONNECTION = "connection";

    private WebChannels() {
    }
}
