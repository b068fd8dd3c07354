package routes.channel.telegram;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import org.apache.camel.Exchange;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Long polling of getUpdates, one call at a time, on the one thread of the poll route (which runs only on the
 * cluster leader).
 *
 * <p>The offset moves past an update only after that update is on Kafka ({@link #confirmed}); the next getUpdates
 * call with that offset is what tells Telegram it may forget the update. So a crash, or leadership moving to
 * another instance, makes Telegram hand the unconfirmed updates out again; their update_id makes the repeats
 * duplicates that the pipeline drops.
 *
 * <p>Failures back off (409 Conflict: another poller or a webhook; 401: the token is wrong; 429: what Telegram
 * asked; otherwise 1 s doubling to 30 s). {@link #abort()} ends a long poll or a back-off wait at once, so
 * stopping never waits for Telegram.
 */
public class TelegramPoller {

    private static final Logger LOG = LoggerFactory.getLogger(TelegramPoller.class);
    private static final int LIMIT = 100;
    private static final Duration MAX_BACKOFF = Duration.ofSeconds(30);

    private final TelegramBotApi api;
    private final Duration pollTimeout;
    private final Object waiter = new Object();

    private volatile Long offset;
    private volatile CompletableFuture<TelegramBotApi.Result> inFlight;
    private volatile boolean aborted;
    private boolean started;
    private Duration backoff = Duration.ZERO;
    private int failuresInARow;

    public TelegramPoller(TelegramBotApi api, TelegramProperties properties) {
        this.api = api;
        this.pollTimeout = properties.getPollTimeout();
    }

    /** One getUpdates call: the updates it returned, oldest first (empty after a failure or an abort). */
    public List<JsonNode> fetch() {
        if (aborted) {
            return List.of();
        }
        if (!started) {
            started = true;
            LOG.info("Telegram polling runs on this instance");
            // getUpdates is refused while a webhook is set: switching from webhook to polling needs no manual step
            call("deleteWebhook", TelegramBotApi.params().put("drop_pending_updates", false), Duration.ofSeconds(15));
        }
        if (!backoff.isZero()) {
            pause(backoff);
            if (aborted) {
                return List.of();
            }
        }
        var params = TelegramBotApi.params()
                .put("limit", LIMIT)
                .put("timeout", pollTimeout.toSeconds());
        if (offset != null) {
            params.put("offset", offset);
        }
        params.putArray("allowed_updates").add("message");
        TelegramBotApi.Result result = call("getUpdates", params, pollTimeout.plusSeconds(15));
        if (result == null) {
            return List.of();
        }
        if (!result.succeeded() || !result.result().isArray()) {
            failed(result);
            return List.of();
        }
        backoff = Duration.ZERO;
        failuresInARow = 0;
        List<JsonNode> updates = new ArrayList<>(result.result().size());
        result.result().forEach(updates::add);
        return updates;
    }

    /** Moves the offset past the update in the body, which is now on Kafka (or deliberately not answered). */
    public void confirmed(Exchange exchange) {
        Long id = TelegramUpdateMapper.updateId(exchange.getProperty(TelegramConstants.UPDATE, JsonNode.class));
        if (id != null && (offset == null || id + 1 > offset)) {
            offset = id + 1;
        }
    }

    /** Ends the current long poll or back-off wait, and any later ones: the instance is stopping. */
    public void abort() {
        aborted = true;
        var call = inFlight;
        if (call != null) {
            call.cancel(true);
        }
        synchronized (waiter) {
            waiter.notifyAll();
        }
    }

    /** The next getUpdates offset (null before the first update), for tests and diagnostics. */
    public Long offset() {
        return offset;
    }

    private TelegramBotApi.Result call(String method, com.fasterxml.jackson.databind.node.ObjectNode params,
            Duration timeout) {
        var call = api.call(method, params, timeout);
        inFlight = call;
        try {
            if (aborted) {
                call.cancel(true);
            }
            return call.get();
        } catch (CancellationException e) {
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            call.cancel(true);
            return null;
        } catch (ExecutionException e) {
            // call() completes normally even without an answer; this is a bug, not Telegram
            LOG.warn("Telegram {} failed: {}", method, api.redact(String.valueOf(e.getCause())));
            return null;
        } finally {
            inFlight = null;
        }
    }

    private void failed(TelegramBotApi.Result result) {
        failuresInARow++;
        int status = result.status();
        if (status == 409) {
            backoff = Duration.ofSeconds(5);
            LOG.warn("Telegram getUpdates answered 409 ({}): another process polls this bot, or a webhook is set; "
                    + "trying again in {}s", result.description(), backoff.toSeconds());
        } else if (status == 401 || status == 404) {
            backoff = Duration.ofSeconds(60);
            LOG.error("Telegram refused the bot token ({} {}); check caravan.channels.telegram.token", status,
                    result.description());
        } else if (status == 429) {
            backoff = result.retryAfter() != null ? result.retryAfter() : Duration.ofSeconds(5);
            LOG.warn("Telegram getUpdates rate limited; trying again in {}s", backoff.toSeconds());
        } else {
            long seconds = Math.min(MAX_BACKOFF.toSeconds(), 1L << Math.min(5, failuresInARow - 1));
            backoff = Duration.ofSeconds(seconds);
            LOG.warn("Telegram getUpdates failed ({} {}); trying again in {}s", status, result.description(),
                    seconds);
        }
    }

    private void pause(Duration duration) {
        long until = System.nanoTime() + duration.toNanos();
        synchronized (waiter) {
            long left;
            while (!aborted && (left = until - System.nanoTime()) > 0) {
                try {
                    waiter.wait(Math.max(1, left / 1_000_000));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
    }
}
