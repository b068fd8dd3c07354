package routes.infra.kafka;

import java.util.concurrent.TimeUnit;
import java.util.function.IntSupplier;

/**
 * Spaces out a busy Parallel Consumer's rounds of picking work.
 *
 * <p>Each round of the Parallel Consumer's control loop looks at every key with a record in flight to find the few
 * that may start their next record, and a round follows every finished record. With thousands of conversations
 * waiting on a slow model that scan, repeated after each reply, becomes a large share of the CPU. Run at the end of
 * each round, this waits while at least {@code threshold} records are in flight, {@code pauseMsPerThousand} for
 * each 1,000 of them, so one round picks up the work of every record that finished meanwhile and the scanning costs
 * about the same however many are in flight. A record then starts that much later at most, which is small next to
 * the model calls that keep so many in flight; below the threshold nothing waits.
 */
record BusyPause(IntSupplier inFlight, int threshold, long pauseMsPerThousand) implements Runnable {

    /** Whether a pause is configured at all. */
    boolean enabled() {
        return pauseMsPerThousand > 0;
    }

    /** The pause for {@code records} in flight, in microseconds: 0 below the threshold. */
    long pauseMicros(int records) {
        if (pauseMsPerThousand <= 0 || records < threshold) {
            return 0;
        }
        // ms per 1,000 records is µs per record
        return pauseMsPerThousand * records;
    }

    @Override
    public void run() {
        long micros = pauseMicros(inFlight.getAsInt());
        if (micros == 0) {
            return;
        }
        try {
            TimeUnit.MICROSECONDS.sleep(micros);
        } catch (InterruptedException e) {
            // the Parallel Consumer wakes its control thread this way (closing, new partitions): let it see that
            Thread.currentThread().interrupt();
        }
    }
}
