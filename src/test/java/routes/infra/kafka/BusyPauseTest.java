package routes.infra.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/** The pause a busy consumer takes between rounds of picking work. */
class BusyPauseTest {

    @Test
    void thePauseGrowsWithTheRecordsInFlightFromTheThreshold() {
        BusyPause pause = new BusyPause(() -> 0, 256, 10);
        assertThat(pause.pauseMicros(0)).isZero();
        assertThat(pause.pauseMicros(255)).isZero();
        assertThat(pause.pauseMicros(256)).isEqualTo(2_560);
        assertThat(pause.pauseMicros(1_000)).isEqualTo(10_000);
        assertThat(pause.pauseMicros(2_000)).isEqualTo(20_000);
    }

    @Test
    void belowTheThresholdARoundGoesOnAtOnceAndSkipsTheLibrarysSleep() throws Exception {
        // a wait would have taken over 15 s
        assertThat(millisToRun(new BusyPause(() -> 255, 256, 60_000))).isLessThan(10_000);
        // the flag the round leaves set ends the Parallel Consumer's own sleep at the end of the round
        AtomicBoolean interrupted = new AtomicBoolean();
        AtomicBoolean sleepEndedEarly = new AtomicBoolean();
        Thread control = new Thread(() -> {
            new BusyPause(() -> 0, 256, 10).run();
            interrupted.set(Thread.currentThread().isInterrupted());
            try {
                Thread.sleep(60_000);
            } catch (InterruptedException e) {
                sleepEndedEarly.set(true);
            }
        });
        control.start();
        control.join(30_000);
        assertThat(control.isAlive()).isFalse();
        assertThat(interrupted).isTrue();
        assertThat(sleepEndedEarly).isTrue();
    }

    @Test
    void atTheThresholdARoundWaitsAndKeepsTheLibrarysSleep() throws Exception {
        assertThat(millisToRun(new BusyPause(() -> 500, 500, 400))).isGreaterThanOrEqualTo(200);
        AtomicBoolean interrupted = new AtomicBoolean(true);
        Thread control = new Thread(() -> {
            new BusyPause(() -> 300, 256, 1).run();
            interrupted.set(Thread.currentThread().isInterrupted());
        });
        control.start();
        control.join(30_000);
        assertThat(interrupted).isFalse();
    }

    @Test
    void aZeroPauseNeverWaits() {
        assertThat(new BusyPause(() -> 10_000, 1, 0).pauseMicros(10_000)).isZero();
        assertThat(millisToRun(new BusyPause(() -> 10_000, 1, 0))).isLessThan(10_000);
    }

    @Test
    void anInterruptEndsThePauseAndStaysVisibleToTheControlLoop() throws Exception {
        BusyPause pause = new BusyPause(() -> 1_000, 1, 60_000);
        CountDownLatch pausing = new CountDownLatch(1);
        AtomicBoolean interruptedAfter = new AtomicBoolean();
        Thread control = new Thread(() -> {
            pausing.countDown();
            pause.run();
            interruptedAfter.set(Thread.currentThread().isInterrupted());
        });
        control.start();
        pausing.await();
        control.interrupt();
        control.join(30_000);
        assertThat(control.isAlive()).isFalse();
        assertThat(interruptedAfter).isTrue();
    }

    /** How long one end of a round takes with {@code pause}, run on this thread. */
    private static long millisToRun(BusyPause pause) {
        long started = System.nanoTime();
        pause.run();
        long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
        Thread.interrupted(); // a round below the threshold leaves the flag for the library's sleep: not the test's
        return millis;
    }
}
