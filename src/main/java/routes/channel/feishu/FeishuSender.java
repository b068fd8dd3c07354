package routes.channel.feishu;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import org.apache.camel.AsyncCallback;
import org.apache.camel.AsyncProcessor;
import org.apache.camel.Exchange;
import org.apache.camel.support.AsyncProcessorSupport;
import routes.channel.EgressErrorHandling;
import routes.channel.PlatformException;
import routes.channel.RedisRateLimiter;
import routes.channel.Signatures;
import routes.channel.TextChunker;
import routes.envelope.Envelope;

/**
 * Delivers the reply envelope in the body as one or more Feishu text messages, without holding a thread.
 *
 * <p>A long reply is split into pieces of at most {@code chunk-size} characters, sent in order. Each piece waits
 * for the cluster-wide rate limits and carries a uuid derived from the reply id and its position, so Feishu
 * itself drops a piece sent twice within an hour. A failed piece fails the exchange; the redelivery resumes at
 * that piece ({@link FeishuConstants#PIECES_SENT}), so pieces already delivered are not sent again.
 */
public class FeishuSender extends AsyncProcessorSupport {

    /** Feishu allows a bot about 5 messages a second into one chat. */
    static final int PER_CHAT_PER_SECOND = 5;
    /** And about 50 a second for the whole app. */
    static final int PER_APP_PER_SECOND = 50;

    private final FeishuApi api;
    private final int chunkSize;
    private final AsyncProcessor throttle;

    /** @param limiter the cluster-wide rate limiter, or null to send without one (kamelet use) */
    public FeishuSender(FeishuApi api, int chunkSize, RedisRateLimiter limiter) {
        this.api = api;
        this.chunkSize = chunkSize;
        this.throttle = limiter == null ? null : limiter.throttle(
                new RedisRateLimiter.Limit("feishu-chat",
                        e -> e.getMessage().getBody(Envelope.class).chatId(), PER_CHAT_PER_SECOND, Duration.ofSeconds(1)),
                new RedisRateLimiter.Limit("feishu-app", e -> api.appId(), PER_APP_PER_SECOND, Duration.ofSeconds(1)));
    }

    @Override
    public boolean process(Exchange exchange, AsyncCallback callback) {
        Envelope reply = exchange.getMessage().getBody(Envelope.class);
        List<String> pieces = TextChunker.split(reply.text(), chunkSize);
        int next = exchange.getProperty(FeishuConstants.PIECES_SENT, 0, Integer.class);
        if (next >= pieces.size()) {
            callback.done(true);
            return true;
        }
        send(exchange, reply, pieces, next, callback);
        return false;
    }

    private void send(Exchange exchange, Envelope reply, List<String> pieces, int index, AsyncCallback callback) {
        if (index >= pieces.size()) {
            callback.done(false);
            return;
        }
        if (throttle == null) {
            sendPiece(exchange, reply, pieces, index, callback);
            return;
        }
        throttle.process(exchange, doneSync -> {
            if (exchange.getException() != null) {
                callback.done(false);
                return;
            }
            sendPiece(exchange, reply, pieces, index, callback);
        });
    }

    private void sendPiece(Exchange exchange, Envelope reply, List<String> pieces, int index, AsyncCallback callback) {
        api.sendText(reply.chatId(), pieces.get(index), uuid(reply, index)).whenComplete((messageId, error) -> {
            if (error != null) {
                Throwable cause = FeishuApi.unwrap(error);
                exchange.setException(cause instanceof PlatformException failure
                        ? EgressErrorHandling.fail(exchange, failure)
                        : cause);
                callback.done(false);
            } else {
                exchange.setProperty(FeishuConstants.PIECES_SENT, index + 1);
                send(exchange, reply, pieces, index + 1, callback);
            }
        });
    }

    /** Feishu's idempotency key of one piece (at most 50 characters). */
    static String uuid(Envelope reply, int index) {
        return Signatures.sha256Hex((reply.id() + "#" + index).getBytes(StandardCharsets.UTF_8)).substring(0, 32);
    }
}
