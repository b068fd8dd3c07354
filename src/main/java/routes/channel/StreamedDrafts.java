package routes.channel;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.Map;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.stereotype.Component;
import routes.envelope.Envelope;
import routes.envelope.Ids;

/**
 * Drafts of replies on the channels that edit them ({@link DraftChannel}s): posted when the first text arrives,
 * then edited with the text so far at most once per edit interval.
 *
 * <p>Fragments arrive on model I/O threads and are only appended there; the platform work runs on a small
 * scheduler, and the platform calls themselves are asynchronous. Fragments that arrive while a call is on its
 * way or within the interval are coalesced into the next edit, so one draft never has two calls in flight.
 * Every call first takes a permit of the platform's limits (the egress's own Redis counters) without waiting: an
 * edit that finds no permit, or that the platform refuses or rate-limits, is skipped — the next one carries the
 * text. Drafts are best effort; the final reply is delivered by the egress, which edits the draft one last time.
 */
@Component
public class StreamedDrafts implements DraftReplies, DisposableBean {

    private static final Logger LOG = LoggerFactory.getLogger(StreamedDrafts.class);

    private final Map<String, DraftChannel> channels;
    private final DraftStore store;
    private final Counter posted;
    private final Counter edited;
    private final Counter skipped;
    private final ScheduledExecutorService scheduler = Executors.newScheduledThreadPool(2, new java.util.concurrent
            .ThreadFactory() {
        private final AtomicInteger n = new AtomicInteger();

        @Override
        public Thread newThread(Runnable r) {
            Thread t = new Thread(r, "caravan-drafts-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        }
    });

    public StreamedDrafts(ObjectProvider<DraftChannel> channels, DraftStore store, MeterRegistry meters) {
        this.channels = channels.orderedStream().collect(Collectors.toMap(DraftChannel::channel, Function.identity()));
        this.store = store;
        this.posted = Counter.builder("caravan.drafts.posted").description("reply drafts posted").register(meters);
        this.edited = Counter.builder("caravan.drafts.edits").tag("outcome", "done")
                .description("intermediate edits of reply drafts").register(meters);
        this.skipped = Counter.builder("caravan.drafts.edits").tag("outcome", "skipped")
                .description("intermediate edits of reply drafts").register(meters);
    }

    @Override
    public Consumer<String> draftFor(Envelope inbound) {
        DraftChannel channel = inbound.channel() == null ? null : channels.get(inbound.channel());
        if (channel == null || !channel.streamEdits() || inbound.chatId() == null || inbound.id() == null) {
            return null;
        }
        return new Draft(channel, inbound);
    }

    @Override
    public void destroy() {
        scheduler.shutdownNow();
    }

    /** The draft of one reply. */
    private final class Draft implements Consumer<String> {

        private final DraftChannel channel;
        private final Envelope inbound;
        private final String replyId;
        private final long intervalNanos;

        // guarded by this
        private final StringBuilder text = new StringBuilder();
        private String shown = "";
        private boolean scheduled;
        private boolean busy;
        private boolean stopped;
        private long notBefore = System.nanoTime();

        // touched only by the one call in flight
        private String messageId;
        private String state;

        Draft(DraftChannel channel, Envelope inbound) {
            this.channel = channel;
            this.inbound = inbound;
            this.replyId = Ids.replyId(inbound.id());
            this.intervalNanos = channel.editInterval().toNanos();
        }

        @Override
        public void accept(String fragment) {
            if (fragment == null || fragment.isEmpty()) {
                return;
            }
            long delay;
            synchronized (this) {
                if (stopped) {
                    return;
                }
                text.append(fragment);
                if (scheduled || busy) {
                    return;
                }
                scheduled = true;
                delay = Math.max(0, notBefore - System.nanoTime());
            }
            schedule(delay);
        }

        private void schedule(long delayNanos) {
            try {
                scheduler.schedule(this::call, delayNanos, TimeUnit.NANOSECONDS);
            } catch (java.util.concurrent.RejectedExecutionException e) {
                stop();
            }
        }

        /** One platform call with the text so far, unless the draft already shows it. */
        private void call() {
            String next;
            synchronized (this) {
                scheduled = false;
                if (stopped || busy) {
                    return;
                }
                next = channel.show(text.toString());
                if (next.isEmpty() || next.equals(shown)) {
                    return;
                }
                busy = true;
            }
            try {
                if (!channel.tryPermits(inbound)) {
                    skipped.increment();
                    done(null);
                } else if (messageId == null) {
                    post(next);
                } else {
                    edit(next);
                }
            } catch (RuntimeException e) {
                // Redis unreachable: drafts are best effort, the egress still delivers the reply
                LOG.debug("draft of reply {} given up: {}", replyId, e.toString());
                stop();
            }
        }

        private void post(String next) {
            if (!store.beginPost(channel.channel(), replyId)) {
                stop();
                return;
            }
            channel.post(inbound, next).whenComplete((id, error) -> scheduler.execute(() -> {
                try {
                    if (error != null || id == null) {
                        store.move(channel.channel(), replyId, DraftStore.busy(null), null);
                        LOG.debug("draft of reply {} not posted: {}", replyId, describe(error));
                        stop();
                        return;
                    }
                    String idle = DraftStore.idle(id, System.currentTimeMillis());
                    if (!store.move(channel.channel(), replyId, DraftStore.busy(null), idle)) {
                        LOG.warn("draft of reply {} in {} arrived after the reply was delivered", replyId,
                                channel.channel());
                        stop();
                        return;
                    }
                    messageId = id;
                    state = idle;
                    posted.increment();
                    done(next);
                } catch (RuntimeException e) {
                    LOG.debug("draft of reply {} given up: {}", replyId, e.toString());
                    stop();
                }
            }));
        }

        private void edit(String next) {
            String busyState = DraftStore.busy(messageId);
            if (!store.move(channel.channel(), replyId, state, busyState)) {
                stop();
                return;
            }
            channel.edit(inbound, messageId, next).whenComplete((ignored, error) -> scheduler.execute(() -> {
                try {
                    String idle = DraftStore.idle(messageId, System.currentTimeMillis());
                    if (!store.move(channel.channel(), replyId, busyState, idle)) {
                        stop();
                        return;
                    }
                    state = idle;
                    if (error == null) {
                        edited.increment();
                        done(next);
                    } else {
                        skipped.increment();
                        LOG.debug("edit of draft {} skipped: {}", replyId, describe(error));
                        if (isFinal(error)) {
                            stop();
                        } else {
                            done(null);
                        }
                    }
                } catch (RuntimeException e) {
                    LOG.debug("draft of reply {} given up: {}", replyId, e.toString());
                    stop();
                }
            }));
        }

        /** The call ended (showing {@code nowShown} when it succeeded): the next one waits an interval. */
        private void done(String nowShown) {
            boolean again;
            synchronized (this) {
                busy = false;
                if (nowShown != null) {
                    shown = nowShown;
                }
                notBefore = System.nanoTime() + intervalNanos;
                again = !stopped && !scheduled && text.length() > 0
                        && !channel.show(text.toString()).equals(shown);
                scheduled |= again;
            }
            if (again) {
                schedule(intervalNanos);
            }
        }

        private synchronized void stop() {
            stopped = true;
            busy = false;
        }
    }

    /** A refusal for good (the draft is gone, cannot be edited): later edits would be refused too. */
    private static boolean isFinal(Throwable error) {
        Throwable cause = unwrap(error);
        return cause instanceof PlatformException p && !p.retriable() && p.status() != 0;
    }

    private static String describe(Throwable error) {
        return error == null ? "no message id" : unwrap(error).toString();
    }

    private static Throwable unwrap(Throwable error) {
        Throwable t = error;
        while (t instanceof CompletionException && t.getCause() != null) {
            t = t.getCause();
        }
        return t;
    }
}
