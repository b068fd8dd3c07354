package routes.channel.telegram;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.time.Instant;
import java.util.regex.Pattern;
import org.apache.camel.Consumer;
import org.apache.camel.Endpoint;
import org.apache.camel.Exchange;
import org.apache.camel.spi.PollingConsumerPollStrategy;
import org.apache.camel.component.telegram.TelegramEndpoint;
import org.apache.camel.component.telegram.model.IncomingMessage;
import routes.channel.PlatformException;
import routes.channel.TextChunker;
import routes.envelope.ChatType;
import routes.envelope.Envelope;
import routes.envelope.EnvelopeCodec;
import routes.envelope.Ids;
import routes.envelope.Priority;

/**
 * The Java steps of {@code kamelets/telegram-source} and {@code kamelets/telegram-sink}, which use camel-telegram
 * for an extra bot an integrator wires without Java. The built-in channel (TelegramPollingRoutes,
 * TelegramWebhookRoutes, TelegramEgressRoutes) does more: update_id dedupe, replies to the bot as mentions, one
 * poller per cluster, rate limits.
 */
public final class TelegramKamelets {

    private static final ObjectMapper JSON = new ObjectMapper();
    /** What a token looks like in a Bot API URL: {@code /bot<digits>:<secret>}. */
    private static final Pattern TOKEN_IN_URL = Pattern.compile("bot\\d+:[A-Za-z0-9_-]+");

    private TelegramKamelets() {
    }

    /**
     * A camel-telegram message as an envelope (JSON bytes), or {@code null} when it has no text. camel-telegram
     * hands over the message without its update_id, so the id is {@code <chat id>:<message_id>}, stable across
     * a re-fetched batch all the same.
     */
    public static byte[] toEnvelope(Exchange exchange) {
        Object body = exchange.getMessage().getBody();
        if (!(body instanceof IncomingMessage message) || message.getChat() == null || message.getFrom() == null) {
            return null;
        }
        String text = message.getText() != null ? message.getText() : message.getCaption();
        String type = message.getChat().getType();
        if (text == null || text.isBlank() || message.getFrom().isBot() || "channel".equals(type)) {
            return null;
        }
        boolean group = "group".equals(type) || "supergroup".equals(type);
        String first = message.getFrom().getFirstName() == null ? "" : message.getFrom().getFirstName();
        String last = message.getFrom().getLastName() == null ? "" : message.getFrom().getLastName();
        String name = (first + " " + last).trim();
        Envelope envelope = Envelope.builder()
                .id(message.getChat().getId() + ":" + message.getMessageId())
                .traceId(Ids.newTraceId())
                .channel(TelegramConstants.CHANNEL)
                .chatId(message.getChat().getId())
                .chatType(group ? ChatType.GROUP : ChatType.DIRECT)
                .senderId(String.valueOf(message.getFrom().getId()))
                .senderName(name.isEmpty() ? message.getFrom().getUsername() : name)
                .text(text)
                .replyTo(message.getMessageId() == null ? null : String.valueOf(message.getMessageId()))
                .priority(Priority.REALTIME)
                .receivedAt(Instant.now())
                .build();
        return EnvelopeCodec.encode(envelope);
    }

    /**
     * The sink kamelet's sender (a kamelet-local bean): delivers a reply envelope (JSON) with sendMessage as plain
     * text (no parse mode), in pieces of at most 4096 characters, the first replying to the person's message in
     * groups. A refusal is thrown as a {@link PlatformException} with Telegram's status, description and
     * retry_after (never the token), so the calling route's error handling can retry a 429 after the wait
     * Telegram asked for.
     *
     * <p>Not camel-telegram's producer: a non-2xx answer makes it throw out of its asynchronous process method,
     * past doTry/doCatch, and the failure can get lost; its message also holds the token.
     */
    public static class Sender {

        private String token;
        private String apiUrl = "https://api.telegram.org";
        private volatile TelegramBotApi api;

        public void setToken(String token) {
            this.token = token;
        }

        public void setApiUrl(String apiUrl) {
            this.apiUrl = apiUrl;
        }

        /** Sends the reply in the body. */
        public void send(Exchange exchange) {
            Envelope reply = EnvelopeCodec.decode(exchange.getMessage().getBody(byte[].class));
            int index = 0;
            for (String piece : TextChunker.split(reply.text(), TelegramSender.MAX_TEXT)) {
                var params = TelegramBotApi.params().put("chat_id", reply.chatId()).put("text", piece);
                if (index++ == 0 && reply.chatType() == ChatType.GROUP && reply.replyTo() != null
                        && reply.replyTo().matches("\\d{1,18}")) {
                    params.putObject("reply_parameters")
                            .put("message_id", Long.parseLong(reply.replyTo()))
                            .put("allow_sending_without_reply", true);
                }
                TelegramBotApi.Result result = api().call("sendMessage", params).join();
                if (!result.succeeded()) {
                    throw new PlatformException(TelegramConstants.CHANNEL, result.status(), result.description(),
                            result.retryAfter());
                }
            }
        }

        private TelegramBotApi api() {
            if (api == null) {
                synchronized (this) {
                    if (api == null) {
                        TelegramProperties properties = new TelegramProperties();
                        properties.setToken(token);
                        properties.setApiUrl(apiUrl);
                        api = new TelegramBotApi(properties);
                    }
                }
            }
            return api;
        }
    }

    /** Replaces anything shaped like a bot token in a Bot API URL. */
    static String redact(String text) {
        return text == null ? null : TOKEN_IN_URL.matcher(text).replaceAll("bot<token>");
    }

    private static String description(String body, String otherwise) {
        try {
            return JSON.readTree(body).path("description").asText(otherwise);
        } catch (IOException | RuntimeException e) {
            return otherwise;
        }
    }

    /**
     * camel-telegram's poll failures carry the token in their message (the request URL); this poll strategy
     * replaces them with a {@link PlatformException} holding neither, so logs and health checks never show it.
     */
    public static class RedactingPollStrategy implements PollingConsumerPollStrategy {

        @Override
        public boolean begin(Consumer consumer, Endpoint endpoint) {
            return true;
        }

        @Override
        public void commit(Consumer consumer, Endpoint endpoint, int polledMessages) {
        }

        @Override
        public boolean rollback(Consumer consumer, Endpoint endpoint, int retryCounter, Exception cause) {
            String token = endpoint instanceof TelegramEndpoint telegram
                    ? telegram.getConfiguration().getAuthorizationToken() : null;
            int status = cause instanceof org.apache.camel.component.telegram.TelegramException t
                    ? t.getHttpResponseCode() : 0;
            String detail = cause.getClass().getSimpleName();
            if (cause instanceof org.apache.camel.component.telegram.TelegramException t
                    && t.getHttpResponseStatus() != null) {
                detail = description(t.getHttpResponseStatus(), detail);
            }
            if (token != null && !token.isEmpty()) {
                detail = detail.replace(token, "<token>");
            }
            detail = redact(detail);
            throw new PlatformException(TelegramConstants.CHANNEL, status, "getUpdates failed: " + detail, null);
        }
    }
}
