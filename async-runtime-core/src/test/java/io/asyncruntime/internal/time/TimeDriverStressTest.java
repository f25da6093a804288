package io.asyncruntime.internal.time;

import static org.assertj.core.api.Assertions.assertThat;

import io.asyncruntime.RuntimeBuilder;
import io.asyncruntime.internal.scheduler.ThreadParkDriver;
import java.util.SplittableRandom;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Real threads, the system clock and a real thread parker: two owner threads arm, re-arm and
 * cancel while a third drives. Every timer that was not cancelled fires exactly once and never
 * before its deadline; cancelled ones never fire; nothing stays active.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class TimeDriverStressTest {

    /** The runtime's default: the driver fires at most this many timers per turn. */
    private static final int EVENT_INTERVAL = RuntimeBuilder.DEFAULT_EVENT_INTERVAL;

    private static final class SystemSource implements TimeSource {
        @Override
        public long nanoTime() {
            return System.nanoTime();
        }
    }

    private static final class Timer {
        final TimerEntry entry = new TimerEntry();
        final AtomicInteger wakes = new AtomicInteger();
        final AtomicReference<Long> firedAt = new AtomicReference<>();
        volatile long deadline;
        volatile boolean cancelled;
    }

    @Test
    void twoOwnersAndADriver() throws Exception {
        TimeDriver driver = new TimeDriver(new ThreadParkDriver(), new SystemSource(), EVENT_INTERVAL);
        int perOwner = 20_000;
        Timer[][] timers = new Timer[2][perOwner];
        AtomicBoolean stop = new AtomicBoolean();
        Thread drivingThread = new Thread(() -> {
            while (!stop.get()) {
                driver.park(-1, false);
            }
        }, "stress-driver");
        drivingThread.start();
        CountDownLatch done = new CountDownLatch(2);
        for (int o = 0; o < 2; o++) {
            int owner = o;
            new Thread(() -> {
                SplittableRandom random = new SplittableRandom(owner);
                for (int i = 0; i < perOwner; i++) {
                    Timer t = new Timer();
                    timers[owner][i] = t;
                    t.deadline = System.nanoTime() + random.nextLong(TimeUnit.MILLISECONDS.toNanos(30));
                    t.entry.arm(driver, t.deadline, () -> {
                        t.firedAt.compareAndSet(null, System.nanoTime());
                        t.wakes.incrementAndGet();
                    });
                    int action = random.nextInt(4);
                    Timer earlier = timers[owner][random.nextInt(i + 1)];
                    if (action == 0 && earlier.wakes.get() == 0) {
                        earlier.cancelled = true;            // may race a fire: checked below
                        earlier.entry.cancelTimer();
                    } else if (action == 1 && !earlier.cancelled && earlier.entry.isArmed()) {
                        long moved = System.nanoTime() + random.nextLong(TimeUnit.MILLISECONDS.toNanos(30));
                        earlier.deadline = moved;            // set before arm: fire reads after
                        earlier.entry.arm(driver, moved, () -> {
                            earlier.firedAt.set(System.nanoTime());
                            earlier.wakes.incrementAndGet();
                        });
                    }
                }
                done.countDown();
            }, "stress-owner-" + o).start();
        }
        assertThat(done.await(30, TimeUnit.SECONDS)).isTrue();
        org.awaitility.Awaitility.await().atMost(20, TimeUnit.SECONDS).until(() -> {
            for (Timer[] ownerTimers : timers) {
                for (Timer t : ownerTimers) {
                    if (!t.cancelled && t.wakes.get() == 0) {
                        return false;
                    }
                }
            }
            return true;
        });
        stop.set(true);
        driver.unpark();
        drivingThread.join(10_000);
        driver.park(0, false);
        int cancelledUnfired = 0;
        for (Timer[] ownerTimers : timers) {
            for (Timer t : ownerTimers) {
                if (t.wakes.get() == 0) {
                    assertThat(t.cancelled).isTrue();
                    cancelledUnfired++;
                } else {
                    // A re-arm that lost to a fire re-arms the fired entry: then it fires twice.
                    assertThat(t.wakes.get()).isLessThanOrEqualTo(2);
                }
            }
        }
        assertThat(cancelledUnfired).isPositive();
        assertThat(driver.metrics().activeTimers()).isZero();
        assertThat(driver.metrics().fired() + driver.metrics().cancelled())
                .isGreaterThanOrEqualTo(2L * perOwner);
    }
}
