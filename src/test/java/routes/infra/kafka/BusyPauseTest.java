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
    void belowTheThresholdARoundGoesOnAtOnce() {
        // a wait would have taken over 15 s
        assertThat(millisToRun(new BusyPause(() -> 255, 256, 60_000))).isLessThan(10_000);
    }

    @Test
    void atTheThresholdARoundWaits() {
        assertThat(millisToRun(new BusyPause(() -> 500, 500, 400))).isGreaterThanOrEqualTo(200);
    }

    @Test
    void aZeroPauseIsOff() {
        assertThat(new BusyPause(() -> 10_000, 1, 0).enabled()).isFalse();
        assertThat(new BusyPause(() -> 10_000, 1, 0).pauseMicros(10_000)).isZero();
        assertThat(new BusyPause(() -> 10_000, 1, 5).enabled()).isTrue();
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

    /** How long one end of a round takes with {@code pause}. */
    private static long millisToRun(BusyPause pause) {
        long started = System.nanoTime();
        pause.run();
        return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
    }
}
