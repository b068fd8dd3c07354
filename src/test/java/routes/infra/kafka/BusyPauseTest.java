package routes.infra.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** The pause a busy consumer takes between rounds of picking work. */
class BusyPauseTest {

    @Test
    void belowTheThresholdARoundGoesOnAtOnce() {
        BusyPause pause = new BusyPause(() -> 255, 256, 60_000);
        long started = System.nanoTime();
        pause.run();
        // a wait would have taken a minute
        assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started)).isLessThan(30_000);
    }

    @Test
    void atTheThresholdARoundWaitsThePause() {
        BusyPause pause = new BusyPause(() -> 256, 256, 200);
        long started = System.nanoTime();
        pause.run();
        assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started)).isGreaterThanOrEqualTo(200);
    }

    @Test
    void aZeroPauseIsOff() {
        assertThat(new BusyPause(() -> 10_000, 1, 0).enabled()).isFalse();
        assertThat(new BusyPause(() -> 10_000, 1, 5).enabled()).isTrue();
    }

    @Test
    void anInterruptEndsThePauseAndStaysVisibleToTheControlLoop() throws Exception {
        AtomicInteger inFlight = new AtomicInteger(1000);
        BusyPause pause = new BusyPause(inFlight::get, 1, 60_000);
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
}
