package routes.infra.kafka;

import java.util.concurrent.TimeUnit;
import java.util.function.IntSupplier;

/**
 * Paces the Parallel Consumer's rounds of picking work: at once while few records are in flight, spaced out while
 * many are.
 *
 * <p>Run at the end of each round of the Parallel Consumer's control loop. The library ends every round with a fixed
 * 1 ms sleep, so a record that arrives, or finishes, during it waits for it: with two consumers on a message's way
 * (the pipeline, the reply's egress) that is up to 2 ms of every reply's latency at moderate load. Below {@code
 * threshold} records in flight the round skips that sleep (the thread's interrupt flag ends it at once, which is how
 * the library itself wakes its control thread) and the next round waits in the library's blocking poll for the next
 * arrival or finished record, so an idle consumer still sleeps.
 *
 * <p>Each round looks at every key with a record in flight to find the few that may start their next record, and a
 * round follows every finished record. With thousands of conversations waiting on a slow model that scan, repeated
 * after each reply, becomes a large share of the CPU. From {@code threshold} records in flight the round waits
 * {@code pauseMsPerThousand} for each 1,000 of them, so one round picks up the work of every record that finished
 * meanwhile and the scanning costs about the same however many are in flight. A record then starts that much later at
 * most, which is small next to the model calls that keep so many in flight.
 */
record BusyPause(IntSupplier inFlight, int threshold, long pauseMsPerThousand) implements Runnable {

    /** The pause for {@code records} in flight, in microseconds: 0 below the threshold or when pausing is off. */
    long pauseMicros(int records) {
        if (pauseMsPerThousand <= 0 || records < threshold) {
            return 0;
        }
        // ms per 1,000 records is µs per record
        return pauseMsPerThousand * records;
    }

    @Override
    public void run() {
        int records = inFlight.getAsInt();
        if (records < threshold) {
            // the library's end-of-round sleep returns at once, clearing the flag
            Thread.currentThread().interrupt();
            return;
        }
        long micros = pauseMicros(records);
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
