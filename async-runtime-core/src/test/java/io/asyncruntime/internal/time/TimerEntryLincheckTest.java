package io.asyncruntime.internal.time;

import io.asyncruntime.RuntimeBuilder;
import java.util.concurrent.TimeUnit;
import org.jetbrains.lincheck.datastructures.ModelCheckingOptions;
import org.jetbrains.lincheck.datastructures.Operation;
import org.jetbrains.lincheck.datastructures.StressOptions;
import org.jetbrains.lincheck.datastructures.Validate;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Linearizability of one timer entry under its two parties: the owner (arm earlier, arm later,
 * cancel, poll) and the driver (turns of the clock that file, fire and unlink). The races under
 * test: fire vs cancel, fire vs re-arm (earlier: queued; later: lazy CAS), fire vs a waker
 * change, and the driver taking the entry off the inbox while the owner re-queues it.
 * Each party's operations run on one thread at a time, as in the runtime.
 */
public class TimerEntryLincheckTest {

    /** The runtime's default: the driver fires at most this many timers per turn. */
    private static final int EVENT_INTERVAL = RuntimeBuilder.DEFAULT_EVENT_INTERVAL;

    private static final long MS = TimeUnit.MILLISECONDS.toNanos(1);

    private final ManualTimeSource clock = new ManualTimeSource(0, false);
    private final TimeDriver driver = new TimeDriver(new FakeInnerDriver(clock), clock, EVENT_INTERVAL);
    private final TimerEntry entry = new TimerEntry();
    private final CountingWaker waker = new CountingWaker();
    private final CountingWaker otherWaker = new CountingWaker();
    private boolean cancelled;

    @Operation(nonParallelGroup = "owner")
    public void armAt1ms() {
        if (!cancelled) {
            entry.arm(driver, MS, waker);
        }
    }

    @Operation(nonParallelGroup = "owner")
    public void armAt3ms() {
        if (!cancelled) {
            entry.arm(driver, 3 * MS, waker);
        }
    }

    @Operation(nonParallelGroup = "owner")
    public void cancel() {
        cancelled = true;
        entry.cancelTimer();
    }

    /** The owner's poll, from a task whose waker changed. */
    @Operation(nonParallelGroup = "owner")
    public boolean pollWithOtherWaker() {
        return entry.pollElapsed(otherWaker);
    }

    /** One driver turn after the clock moved by a millisecond; returns all wakes so far. */
    @Operation(nonParallelGroup = "driver")
    public int turn() {
        clock.advanceNanos(MS);
        driver.park(0, false);
        return waker.count() + otherWaker.count();
    }

    @Validate
    public void nothingLeftBehind() {
        clock.advanceNanos(10 * MS);
        driver.park(0, false);
        // Plain checks: AssertJ does not mix with Lincheck's instrumentation.
        if (driver.metrics().activeTimers() != 0 || entry.isArmed()) {
            throw new AssertionError("a timer is left behind: " + driver.metrics());
        }
    }

    @Test
    void modelChecking() {
        new ModelCheckingOptions()
                .iterations(10)
                .invocationsPerIteration(300)
                .threads(2)
                .actorsBefore(1)
                .actorsPerThread(3)
                .actorsAfter(1)
                .check(TimerEntryLincheckTest.class);
    }

    @Test
    @Tag("long")
    void modelCheckingLong() {
        new ModelCheckingOptions()
                .iterations(100)
                .invocationsPerIteration(5_000)
                .threads(2)
                .actorsPerThread(4)
                .check(TimerEntryLincheckTest.class);
    }

    @Test
    @Tag("long")
    void stress() {
        new StressOptions()
                .iterations(50)
                .invocationsPerIteration(5_000)
                .threads(2)
                .actorsPerThread(4)
                .check(TimerEntryLincheckTest.class);
    }
}
