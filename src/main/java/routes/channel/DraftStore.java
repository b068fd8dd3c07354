package routes.channel;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.apache.camel.AsyncCallback;
import org.apache.camel.AsyncProcessor;
import org.apache.camel.Exchange;
import org.apache.camel.support.AsyncProcessorSupport;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.data.redis.core.script.DefaultRedisScript;
import org.springframework.stereotype.Component;
import routes.envelope.Envelope;
import routes.security.Pseudonyms;

/**
 * Where a reply's draft lives while the model writes it: one Redis key per reply id, so the egress of any
 * instance finds the draft the model-calling instance posted.
 *
 * <p>The key holds the draft's state, and every change is a compare-and-set, so the instance editing the draft
 * and the egress delivering the final reply never both call the platform for it:
 * <ul>
 *   <li>{@code busy} — the draft is being posted;</li>
 *   <li>{@code busy|<id>} — an intermediate edit of draft {@code <id>} is on its way;</li>
 *   <li>{@code idle|<id>|<millis>} — draft {@code <id>} is shown, its last call ended at {@code <millis>};</li>
 *   <li>{@code final|<id>} — the egress took the reply over (id empty when there was no draft); nothing else
 *       touches the draft any more.</li>
 * </ul>
 * The egress waits while the draft is busy (at most one platform call long), then claims the key; a draft
 * that has not started by then never will.
 */
@Component
public class DraftStore implements DisposableBean {

    /** Exchange property set by {@link #takeOver}: the platform message id of the draft to turn into the reply. */
    public static final String DRAFT_ID = "CaravanDraftId";

    private static final String PREFIX = "caravan:draft:";
    private static final Duration POLL = Duration.ofMillis(100);

    private static final DefaultRedisScript<Long> COMPARE_AND_SET = new DefaultRedisScript<>("""
            if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
            if ARGV[2] == '' then redis.call('DEL', KEYS[1])
            else redis.call('SET', KEYS[1], ARGV[2], 'PX', ARGV[3]) end
            return 1
            """, Long.class);

    private static final DefaultRedisScript<String> CLAIM = new DefaultRedisScript<>("""
            local v = redis.call('GET', KEYS[1])
            if not v then
              redis.call('SET', KEYS[1], 'final|', 'PX', ARGV[2])
              return 'none'
            end
            if string.sub(v, 1, 6) == 'final|' then return v end
            if string.sub(v, 1, 5) == 'idle|' or ARGV[1] == '1' then
              local id = string.match(v, '^%a+|([^|]*)') or ''
              redis.call('SET', KEYS[1], 'final|' .. id, 'PX', ARGV[2])
              return v
            end
            return 'wait'
            """, String.class);

    private final StringRedisTemplate redis;
    private final Duration ttl;
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "caravan-draft-takeover");
        t.setDaemon(true);
        return t;
    });

    public DraftStore(StringRedisTemplate redis, ChannelsProperties properties) {
        this.redis = redis;
        this.ttl = properties.getDraftTtl();
    }

    // ------------------------------------------------------------------ the instance that edits the draft

    /** Reserves the reply for a draft; false when a draft exists already or the egress took the reply over. */
    boolean beginPost(String channel, String replyId) {
        return Boolean.TRUE.equals(redis.opsForValue().setIfAbsent(key(channel, replyId), "busy", ttl));
    }

    /** Moves the draft's state from {@code expected} to {@code next} (null: remove); false when it moved on. */
    boolean move(String channel, String replyId, String expected, String next) {
        Long done = redis.execute(COMPARE_AND_SET, List.of(key(channel, replyId)), expected,
                next == null ? "" : next, String.valueOf(ttl.toMillis()));
        return done != null && done == 1;
    }

    static String busy(String messageId) {
        return messageId == null ? "busy" : "busy|" + messageId;
    }

    static String idle(String messageId, long endedAtMillis) {
        return "idle|" + messageId + "|" + endedAtMillis;
    }

    // ------------------------------------------------------------------ the egress

    /** What the egress found: the draft to edit (null when none) and when the draft's last call ended. */
    record Claim(String messageId, long endedAtMillis) {
        static final Claim NONE = new Claim(null, 0);
    }

    /**
     * Takes the reply over from its draft: afterwards no intermediate edit starts. Null while a draft call is on
     * its way (unless {@code force}); a redelivered reply finds its own claim again.
     */
    Claim claim(String channel, String replyId, boolean force) {
        String old = redis.execute(CLAIM, List.of(key(channel, replyId)), force ? "1" : "0",
                String.valueOf(ttl.toMillis()));
        if (old == null || old.equals("none")) {
            return Claim.NONE;
        }
        if (old.equals("wait")) {
            return null;
        }
        String[] parts = old.split("\\|", -1);
        String id = parts.length > 1 && !parts[1].isEmpty() ? parts[1] : null;
        long endedAt = parts[0].equals("idle") && parts.length > 2 ? parseLong(parts[2]) : 0;
        return id == null ? Claim.NONE : new Claim(id, endedAt);
    }

    /**
     * The egress step before delivering a reply: claims the reply's draft and sets {@link #DRAFT_ID} when there
     * is one to edit. Waits, without holding a thread, while a draft call is on its way (at most
     * {@code maxWait}) and until {@code editInterval} after the draft's last call, so the final edit keeps the
     * draft's pace. Without a draft it sets nothing and the reply goes out as new messages.
     */
    public AsyncProcessor takeOver(String channel, Duration editInterval, Duration maxWait) {
        return new AsyncProcessorSupport() {
            @Override
            public boolean process(Exchange exchange, AsyncCallback callback) {
                exchange.removeProperty(DRAFT_ID);
                long deadline = System.nanoTime() + maxWait.toNanos();
                return attempt(exchange, callback, channel, editInterval, deadline, true);
            }
        };
    }

    private boolean attempt(Exchange exchange, AsyncCallback callback, String channel, Duration editInterval,
            long deadline, boolean sync) {
        Claim claim;
        try {
            Envelope reply = exchange.getMessage().getBody(Envelope.class);
            claim = claim(channel, reply.id(), System.nanoTime() - deadline >= 0);
        } catch (RuntimeException e) {
            exchange.setException(e);
            callback.done(sync);
            return sync;
        }
        long wait;
        if (claim == null) {
            wait = POLL.toMillis();
            timer.schedule(() -> attempt(exchange, callback, channel, editInterval, deadline, false), wait,
                    TimeUnit.MILLISECONDS);
            return false;
        }
        if (claim.messageId() != null) {
            exchange.setProperty(DRAFT_ID, claim.messageId());
        }
        wait = claim.endedAtMillis() == 0 ? 0
                : claim.endedAtMillis() + editInterval.toMillis() - System.currentTimeMillis();
        if (wait <= 0) {
            callback.done(sync);
            return sync;
        }
        timer.schedule(() -> callback.done(false), wait, TimeUnit.MILLISECONDS);
        return false;
    }

    private static long parseLong(String value) {
        try {
            return Long.parseLong(value);
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    // reply ids contain chat ids on some platforms: the name keeps only their hash
    private static String key(String channel, String replyId) {
        return PREFIX + channel + ":" + Pseudonyms.of(replyId);
    }

    @Override
    public void destroy() {
        timer.shutdownNow();
    }
}
