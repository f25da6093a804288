package io.asyncruntime.internal.time;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Random arms, re-arms (earlier and later), cancels and clock jumps against a plain model: every
 * live timer fires exactly once, in the first turns at or after its deadline tick (a turn fires at
 * most a share, so a burst takes several), and cancelled ones never fire. Deterministic (fixed
 * seeds), single-threaded, a paused-style simulated clock.
 */
class TimingWheelModelTest {

    /** The smallest per-turn fire limit, so that due timers often span several turns. */
    private static final int EVENT_INTERVAL = 1;

    private static final long MS = TimeUnit.MILLISECONDS.toNanos(1);

    private static final class Timer {
        final TimerEntry entry = new TimerEntry();
        final CountingWaker waker = new CountingWaker();
        long deadlineNanos;
        boolean cancelled;
        boolean expectFired;
        long firedAtNanos = -1;
    }

    @Test
    void randomScheduleMatchesTheModel() {
        for (long seed = 1; seed <= 20; seed++) {
            runScenario(seed);
        }
    }

    private static void runScenario(long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        ManualTimeSource clock = new ManualTimeSource(random.nextLong(1_000 * MS), false);
        FakeInnerDriver inner = new FakeInnerDriver(clock);
        TimeDriver driver = new TimeDriver(inner, clock, EVENT_INTERVAL);
        List<Timer> timers = new ArrayList<>();
        // Delays spread over every level: pick a level, then a delay within it.
        for (int step = 0; step < 3_000; step++) {
            int op = random.nextInt(10);
            long now = clock.nanoTime();
            if (op < 5 || timers.isEmpty()) {
                Timer t = new Timer();
                t.deadlineNanos = now + randomDelay(random);
                t.entry.arm(driver, t.deadlineNanos, t.waker);
                timers.add(t);
            } else if (op < 7) {
                Timer t = timers.get(random.nextInt(timers.size()));
                if (!t.cancelled && t.waker.count() == 0) {
                    t.deadlineNanos = now + randomDelay(random);     // earlier or later
                    t.entry.arm(driver, t.deadlineNanos, t.waker);
                }
            } else if (op < 8) {
                Timer t = timers.get(random.nextInt(timers.size()));
                if (t.waker.count() == 0) {
                    t.cancelled = true;
                }
                t.entry.cancelTimer();
            } else {
                long jump = random.nextInt(4) == 0 ? randomDelay(random) : random.nextLong(3 * MS);
                clock.advanceNanos(jump);
                turnAndRecord(driver, clock, timers);
            }
        }
        // Run everything out: park until nothing is left (the fake inner sleeps the whole timeout).
        for (int i = 0; i < 10_000 && driver.metrics().activeTimers() + pendingCount(timers) > 0; i++) {
            driver.park(-1, false);
            recordFirings(clock, timers, true);
        }
        for (Timer t : timers) {
            if (t.cancelled) {
                assertThat(t.waker.count()).as("seed %d: cancelled timer fired", seed).isZero();
            } else {
                assertThat(t.waker.count()).as("seed %d: live timer fires once", seed).isEqualTo(1);
                assertThat(t.firedAtNanos).as("seed %d: never early", seed).isGreaterThanOrEqualTo(t.deadlineNanos);
            }
        }
        assertThat(driver.metrics().activeTimers()).isZero();
    }

    private static long pendingCount(List<Timer> timers) {
        return timers.stream().filter(t -> !t.cancelled && t.waker.count() == 0).count();
    }

    /**
     * Turns the driver until a turn fires fewer than its share: then nothing due is left. Each
     * turn fires at most the share (the rest waits in the due slot for the next turn).
     */
    private static void turnAndRecord(TimeDriver driver, ManualTimeSource clock, List<Timer> timers) {
        int share = TimeDriver.firesPerTurnFor(EVENT_INTERVAL);
        long firedThisTurn;
        do {
            long before = driver.metrics().fired();
            driver.park(0, false);
            firedThisTurn = driver.metrics().fired() - before;
            assertThat(firedThisTurn).as("one turn fires at most its share").isLessThanOrEqualTo(share);
            recordFirings(clock, timers, false);
        } while (firedThisTurn == share);
    }

    /** {@code exact}: the clock moved only by the driver's own park timeouts, so firing is within the tick. */
    private static void recordFirings(ManualTimeSource clock, List<Timer> timers, boolean exact) {
        for (Timer t : timers) {
            if (t.firedAtNanos < 0 && t.waker.count() > 0) {
                t.firedAtNanos = clock.nanoTime();
                assertThat(t.firedAtNanos).isGreaterThanOrEqualTo(t.deadlineNanos);
                if (exact) {
                    assertThat(t.firedAtNanos).as("not a tick late").isLessThan(t.deadlineNanos + MS);
                }
            }
        }
    }

    private static long randomDelay(SplittableRandom random) {
        int level = random.nextInt(6);
        long span = 1L << (6 * (level + 1));
        return random.nextLong(span) * MS + random.nextLong(MS);
    }
}
