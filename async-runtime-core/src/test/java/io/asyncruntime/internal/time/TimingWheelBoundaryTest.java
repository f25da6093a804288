package io.asyncruntime.internal.time;

import static org.assertj.core.api.Assertions.assertThat;

import io.asyncruntime.RuntimeBuilder;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Deadlines at and around every level boundary of the wheel (64^k ms), driven through the real
 * driver with a paused clock and an inner driver that "sleeps" by moving the clock. Each timer
 * must fire exactly at its (rounded-up) tick: never early, never a tick late.
 */
class TimingWheelBoundaryTest {

    /** The runtime's default: the driver fires at most this many timers per turn. */
    private static final int EVENT_INTERVAL = RuntimeBuilder.DEFAULT_EVENT_INTERVAL;

    private static final long MS = TimeUnit.MILLISECONDS.toNanos(1);

    @ParameterizedTest(name = "{0} ms")
    @ValueSource(longs = {
        0, 1, 2, 62, 63, 64, 65, 127, 128,
        4_095, 4_096, 4_097,
        262_143, 262_144, 262_145,
        16_777_215, 16_777_216, 16_777_217,
        1_073_741_823, 1_073_741_824, 1_073_741_825,
        68_719_476_734L /* 2^36 - 2 */, 68_719_476_735L /* 2^36 - 1 = MAX_DELAY */})
    void firesExactlyAtTheDeadline(long delayMillis) {
        for (long startOffset : new long[] {0, 37 * MS + 123, 4_100 * MS}) {
            assertFiresAt(startOffset, delayMillis * MS);
        }
    }

    @ParameterizedTest(name = "{0} ns")
    @ValueSource(longs = {1, 999_999, 1_000_001, 63_999_999, 64_000_001})
    void subMillisecondDeadlinesRoundUp(long delayNanos) {
        assertFiresAt(0, delayNanos);
    }

    @ParameterizedTest(name = "{0} ms")
    @ValueSource(longs = {1, 5, 20, 64, 4_096, 1L << 30, 1L << 35, (1L << 36) - 1})
    void deadlinesAcrossTheTopLevelRotationFireOnTime(long delayMillis) {
        // Start the wheel a few ticks before the end of its first 2^36 ms block.
        assertFiresAt(0, delayMillis * MS, ((1L << 36) - 10) * MS);
        assertFiresAt(0, delayMillis * MS, ((1L << 36) + 7) * MS);
        assertFiresAt(0, delayMillis * MS, ((1L << 37) - 1) * MS);
    }

    private static void assertFiresAt(long startNanos, long delayNanos) {
        assertFiresAt(startNanos, delayNanos, startNanos % (5 * MS));
    }

    /** Arms a timer {@code delayNanos} after a driver created at {@code startNanos}; checks the firing tick. */
    private static void assertFiresAt(long startNanos, long delayNanos, long runFirstNanos) {
        ManualTimeSource clock = new ManualTimeSource(startNanos, false);
        FakeInnerDriver inner = new FakeInnerDriver(clock);
        TimeDriver driver = new TimeDriver(inner, clock, EVENT_INTERVAL);
        // Move the wheel off zero first, so that elapsed and the deadline share no alignment by luck.
        clock.advanceNanos(runFirstNanos);
        driver.park(0, false);
        long armedAt = clock.nanoTime();
        long deadline = armedAt + delayNanos;
        CountingWaker waker = new CountingWaker();
        TimerEntry entry = new TimerEntry();
        entry.arm(driver, deadline, waker);

        int parks = 0;
        while (waker.count() == 0) {
            assertThat(clock.nanoTime()).as("clock before firing").isLessThan(deadline + MS);
            driver.park(-1, false);
            parks++;
            assertThat(parks).as("parks needed (one per level cascade at most)").isLessThanOrEqualTo(8);
        }
        long firedAt = clock.nanoTime();
        assertThat(firedAt).as("never early").isGreaterThanOrEqualTo(deadline);
        long deadlineTick = (deadline - startNanos + MS - 1) / MS;   // rounded up
        assertThat(firedAt - startNanos).as("fires at its tick, not later").isEqualTo(deadlineTick * MS);
        assertThat(waker.count()).isEqualTo(1);
        assertThat(driver.metrics().activeTimers()).isZero();
        assertThat(driver.metrics().fired()).isEqualTo(1);
    }
}
