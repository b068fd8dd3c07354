package routes.infra.kafka;

import java.util.function.IntSupplier;

/**
 * Spaces out a busy Parallel Consumer's rounds of picking work.
 *
 * <p>Each round of the Parallel Consumer's control loop looks at every key with a record in flight to find the few
 * that may start their next record, and a round follows every finished record. With thousands of conversations
 * waiting on a slow model that scan, repeated after each reply, becomes a large share of the CPU. Run at the end of
 * each round, this waits {@code pauseMs} while at least {@code threshold} records are in flight, so one round picks
 * up the work of every record that finished meanwhile. A record then starts at most {@code pauseMs} later, which is
 * small next to the model calls that keep so many in flight; below the threshold nothing waits.
 */
final class BusyPause implements Runnable {

    private final IntSupplier inFlight;
    private final int threshold;
    private final long pauseMs;

    BusyPause(IntSupplier inFlight, int threshold, long pauseMs) {
        this.inFlight = inFlight;
        this.threshold = threshold;
        this.pauseMs = pauseMs;
    }

    /** Whether a pause is configured at all. */
    boolean enabled() {
        return pauseMs > 0;
    }

    @Override
    public void run() {
        if (pauseMs <= 0 || inFlight.getAsInt() < threshold) {
            return;
        }
        try {
            Thread.sleep(pauseMs);
        } catch (InterruptedException e) {
            // the Parallel Consumer wakes its control thread this way (closing, new partitions): let it see that
            Thread.currentThread().interrupt();
        }
    }
}
