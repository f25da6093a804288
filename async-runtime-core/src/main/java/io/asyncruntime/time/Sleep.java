package io.asyncruntime.time;

import io.asyncruntime.internal.time.TimeDriver;
import io.asyncruntime.internal.time.TimerEntry;
import io.asyncruntime.task.Context;
import io.asyncruntime.task.Poll;
import io.asyncruntime.task.Task;
import java.time.Duration;
import java.time.Instant;

/**
 * {@link Time#sleep} and {@link Time#sleepUntil}: a leaf task that is its own timer entry (one
 * allocation per sleep). The deadline is fixed at the first poll, which is also when the task
 * finds its runtime's time driver.
 */
final class Sleep extends TimerEntry implements Task<Void> {

    /** The delay from the first poll, or {@code null} for an absolute deadline. */
    private final Duration delay;
    private final Instant deadline;
    private boolean armed;

    private Sleep(Duration delay, Instant deadline) {
        this.delay = delay;
        this.deadline = deadline;
    }

    static Sleep after(Duration delay) {
        return new Sleep(Durations.requireDelay(delay, "duration"), null);
    }

    static Sleep until(Instant deadline) {
        if (deadline == null) {
            throw new NullPointerException("deadline must not be null");
        }
        return new Sleep(null, deadline);
    }

    @Override
    public Poll<Void> poll(Context cx) {
        if (!armed) {
            TimeDriver driver = TimeDriver.current();
            long now = driver.nanoTime();
            Duration wait = delay != null ? delay : untilDeadline(Time.clockOf(driver));
            armed = true;
            if (wait.isZero() || wait.isNegative()) {
                return ready(cx);
            }
            arm(driver, now + wait.toNanos(), cx.waker());
            return Poll.pending();
        }
        return pollElapsed(cx.waker()) ? ready(cx) : Poll.pending();
    }

    private Duration untilDeadline(Clock clock) {
        Duration wait = Duration.between(clock.instant(), deadline);
        if (wait.compareTo(TimeDriver.MAX_DELAY) > 0) {
            throw new IllegalArgumentException("deadline must be at most " + TimeDriver.MAX_DELAY
                    + " (about 2.2 years) after now, was " + deadline + " (" + wait + " ahead)");
        }
        return wait;
    }

    /** The deadline has passed; spend one unit of budget, as every runtime resource does. */
    private static Poll<Void> ready(Context cx) {
        return cx.consumeBudget() ? Poll.ready(null) : Poll.pending();
    }

    @Override
    public void cancel() {
        cancelTimer();
    }

    @Override
    public String toString() {
        return delay != null ? "Time.sleep(" + delay + ")" : "Time.sleepUntil(" + deadline + ")";
    }
}
