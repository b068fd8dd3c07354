package routes.channel.telegram;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.List;
import org.apache.camel.AsyncCallback;
import org.apache.camel.Exchange;
import org.apache.camel.spi.IdempotentRepository;
import org.apache.camel.support.AsyncProcessorSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import routes.channel.DraftStore;
import routes.channel.EgressErrorHandling;
import routes.channel.EgressSupport;
import routes.channel.PlatformException;
import routes.channel.TextChunker;
import routes.envelope.ChatType;
import routes.envelope.Envelope;

/**
 * Sends a reply with sendMessage, one piece at a time, without holding a thread while Telegram answers.
 *
 * <p>Plain text, no {@code parse_mode}: model output is arbitrary text, and Telegram refuses a whole message
 * (400 "can't parse entities") when its Markdown or HTML is not exactly right; MarkdownV2 needs 18 characters
 * escaped, legacy Markdown cannot escape at all, and a Markdown link can hide where it points. Plain text always
 * arrives, exactly as the model wrote it, and its length is what Telegram counts against the 4096 limit.
 *
 * <p>A reply longer than 4096 characters goes as several messages. Each piece sent is remembered under the
 * reply's delivery key plus its index, so a retry (a 429 on the second piece, a restart) sends only the pieces
 * still missing. In groups the first piece replies to the person's message.
 *
 * <p>When the reply's draft is shown ({@link DraftStore#DRAFT_ID}), the first piece is an editMessageText of the
 * draft instead of a new message; an edit to the text the draft already shows counts as delivered.
 */
public class TelegramSender extends AsyncProcessorSupport {

    /** Telegram's text limit. */
    public static final int MAX_TEXT = 4096;

    private static final Logger LOG = LoggerFactory.getLogger(TelegramSender.class);

    private final TelegramBotApi api;
    private final IdempotentRepository deliveries;
    private final Counter sent;
    private final Counter edited;

    public TelegramSender(TelegramBotApi api, IdempotentRepository deliveries, MeterRegistry meters) {
        this.api = api;
        this.deliveries = deliveries;
        this.sent = Counter.builder("caravan.telegram.messages.sent")
                .description("sendMessage calls Telegram accepted").register(meters);
        this.edited = Counter.builder("caravan.telegram.drafts.completed")
                .description("replies delivered by editing their draft").register(meters);
    }

    /** Splits the reply into the pieces to send. */
    public static void prepare(Exchange exchange) {
        Envelope reply = exchange.getMessage().getBody(Envelope.class);
        List<String> chunks = TextChunker.split(reply.text(), MAX_TEXT);
        if (chunks.isEmpty()) {
            LOG.warn("reply {} to Telegram chat {} has no text; nothing sent", reply.id(), reply.chatId());
        }
        exchange.setProperty(TelegramConstants.CHUNKS, chunks);
        exchange.setProperty(TelegramConstants.NEXT_CHUNK, 0);
    }

    /** Whether pieces remain to be sent. */
    public static boolean hasMore(Exchange exchange) {
        List<?> chunks = exchange.getProperty(TelegramConstants.CHUNKS, List.class);
        return chunks != null && next(exchange) < chunks.size();
    }

    /** Whether the reply goes to a group (the stricter per-group limit applies). */
    public static boolean toGroup(Exchange exchange) {
        return exchange.getMessage().getBody(Envelope.class).chatType() == ChatType.GROUP;
    }

    @Override
    @SuppressWarnings("unchecked")
    public boolean process(Exchange exchange, AsyncCallback callback) {
        Envelope reply = exchange.getMessage().getBody(Envelope.class);
        List<String> chunks = exchange.getProperty(TelegramConstants.CHUNKS, List.class);
        int index = next(exchange);
        String pieceKey = exchange.getProperty(EgressSupport.DELIVERY_KEY, String.class) + "#" + index;
        if (deliveries.contains(pieceKey)) {
            exchange.setProperty(TelegramConstants.NEXT_CHUNK, index + 1);
            callback.done(true);
            return true;
        }
        String draft = index == 0 ? exchange.getProperty(DraftStore.DRAFT_ID, String.class) : null;
        if (draft != null) {
            editDraft(exchange, callback, reply, draft, chunks.get(index), pieceKey);
        } else {
            send(exchange, callback, reply, chunks.get(index), index, pieceKey);
        }
        return false;
    }

    private void send(Exchange exchange, AsyncCallback callback, Envelope reply, String text, int index,
            String pieceKey) {
        var params = TelegramBotApi.params()
                .put("chat_id", reply.chatId())
                .put("text", text);
        if (index == 0 && reply.chatType() == ChatType.GROUP && isMessageId(reply.replyTo())) {
            params.putObject("reply_parameters")
                    .put("message_id", Long.parseLong(reply.replyTo()))
                    .put("allow_sending_without_reply", true);
        }
        api.call("sendMessage", params).whenComplete((result, failure) -> {
            try {
                if (failure != null) {
                    exchange.setException(EgressErrorHandling.fail(exchange, new PlatformException(
                            TelegramConstants.CHANNEL, 0, api.redact(failure.toString()), null)));
                } else if (result.succeeded()) {
                    delivered(exchange, pieceKey, index);
                    sent.increment();
                } else {
                    exchange.setException(EgressErrorHandling.fail(exchange, new PlatformException(
                            TelegramConstants.CHANNEL, result.status(), result.description(), result.retryAfter())));
                }
            } catch (RuntimeException e) {
                exchange.setException(e);
            } finally {
                callback.done(false);
            }
        });
    }

    /**
     * Turns the reply's draft into the first piece. A draft Telegram no longer lets us edit (deleted, too old) is
     * left as it is, and the piece goes out as a new message.
     */
    private void editDraft(Exchange exchange, AsyncCallback callback, Envelope reply, String draft, String text,
            String pieceKey) {
        api.editMessageText(reply.chatId(), draft, text).whenComplete((result, failure) -> {
            boolean handedOn = false;
            try {
                if (failure != null) {
                    exchange.setException(EgressErrorHandling.fail(exchange, new PlatformException(
                            TelegramConstants.CHANNEL, 0, api.redact(failure.toString()), null)));
                } else if (result.succeeded() || TelegramBotApi.notModified(result)) {
                    delivered(exchange, pieceKey, 0);
                    edited.increment();
                } else if (result.status() == 400) {
                    LOG.info("draft of reply {} in Telegram chat {} cannot be edited ({}); sending the reply as a "
                            + "new message", reply.id(), reply.chatId(), result.description());
                    exchange.removeProperty(DraftStore.DRAFT_ID);
                    handedOn = true;
                    send(exchange, callback, reply, text, 0, pieceKey);
                } else {
                    exchange.setException(EgressErrorHandling.fail(exchange, new PlatformException(
                            TelegramConstants.CHANNEL, result.status(), result.description(), result.retryAfter())));
                }
            } catch (RuntimeException e) {
                exchange.setException(e);
            } finally {
                if (!handedOn) {
                    callback.done(false);
                }
            }
        });
    }

    private void delivered(Exchange exchange, String pieceKey, int index) {
        deliveries.add(pieceKey);
        exchange.setProperty(TelegramConstants.NEXT_CHUNK, index + 1);
    }

    private static int next(Exchange exchange) {
        Integer next = exchange.getProperty(TelegramConstants.NEXT_CHUNK, Integer.class);
        return next == null ? 0 : next;
    }

    static boolean isMessageId(String value) {
        return value != null && value.matches("\\d{1,18}");
    }
}
