package io.asyncruntime.time;

import io.asyncruntime.internal.time.TimeDriver;
import io.asyncruntime.internal.time.TimerEntry;
import io.asyncruntime.task.Context;
import io.asyncruntime.task.Poll;
import io.asyncruntime.task.Task;
import java.time.Duration;
import java.time.Instant;

/**
 * Ticks at a fixed period: {@code start, start + period, start + 2 * period, ...}. Await
 * {@link #tick()} in a loop; the first tick completes at once (at {@code start}). When a tick is
 * taken late, the {@link MissedTickBehavior} decides where the schedule goes next.
 *
 * <p>An interval is owned by one task: call {@link #tick()} again only after the previous tick
 * task completed or was cancelled. It reuses one timer entry for all its ticks. It is not
 * thread-safe.
 */
public final class Interval {

    /** A tick taken at most this late counts as on time (Tokio uses the same 5 ms). */
    static final long MISSED_TICK_TOLERANCE_MILLIS = 5;
    private static final long MISSED_TICK_TOLERANCE_NANOS = MISSED_TICK_TOLERANCE_MILLIS * 1_000_000L;

    private final Duration period;
    private final long periodNanos;
    /** The first tick's instant, or {@code null} for "at the first poll". */
    private final Instant startAt;
    private MissedTickBehavior missedTickBehavior = MissedTickBehavior.BURST;

    private TimerEntry entry;
    private TimeDriver driver;
    /** When the next tick is due, in the driver's clock; valid once {@link #driver} is set. */
    private long nextNanos;

    Interval(Instant startAt, Duration period) {
        this.period = Durations.requirePeriod(period, "period");
        this.periodNanos = period.toNanos();
        this.startAt = startAt;
    }

    /** The period between ticks. */
    public Duration period() {
        return period;
    }

    /** The current behaviour for missed ticks; {@link MissedTickBehavior#BURST} unless set. */
    public MissedTickBehavior missedTickBehavior() {
        return missedTickBehavior;
    }

    /**
     * Sets what happens when ticks are missed; returns this interval.
     *
     * @throws NullPointerException if {@code behavior} is null
     */
    public Interval missedTickBehavior(MissedTickBehavior behavior) {
        if (behavior == null) {
            throw new NullPointerException("behavior must not be null");
        }
        this.missedTickBehavior = behavior;
        return this;
    }

    /**
     * A task that completes at the next tick, with the instant the tick was scheduled for (not
     * the instant it was taken). The first tick completes at once. Cancelling the task leaves
     * the schedule as it was.
     *
     * @throws IllegalStateException (from the task) if polled outside a runtime
     */
    public Task<Instant> tick() {
        return this::pollTick;
    }

    /**
     * Restarts the schedule so that the next tick is one period from now. Before the first tick
     * it has no effect: the first tick still completes at once.
     */
    public void reset() {
        if (driver != null) {
            nextNanos = driver.nanoTime() + periodNanos;
        }
    }

    private Poll<Instant> pollTick(Context cx) {
        if (driver == null) {
            driver = TimeDriver.current();
            entry = new TimerEntry();
            long now = driver.nanoTime();
            nextNanos = startAt == null ? now : now + startDelayNanos(Time.clockOf(driver));
        }
        long now = driver.nanoTime();
        if (now < nextNanos) {
            // Re-arming with the same deadline is one CAS that changes nothing; it also refreshes the waker.
            entry.arm(driver, nextNanos, cx.waker());
            return Poll.pending();
        }
        if (!cx.consumeBudget()) {
            return Poll.pending();
        }
        long due = nextNanos;
        nextNanos = now - due > MISSED_TICK_TOLERANCE_NANOS ? afterMissed(due, now) : due + periodNanos;
        return Poll.ready(Time.clockOf(driver).instantAt(due));
    }

    private long startDelayNanos(Clock clock) {
        Duration ahead = Duration.between(clock.instant(), startAt);
        if (ahead.compareTo(TimeDriver.MAX_DELAY) > 0) {
            throw new IllegalArgumentException("start must be at most " + TimeDriver.MAX_DELAY
                    + " (about 2.2 years) after now, was " + startAt);
        }
        return ahead.isNegative() ? 0 : ahead.toNanos();
    }

    private long afterMissed(long due, long now) {
        switch (missedTickBehavior) {
            case DELAY:
                return now + periodNanos;
            case SKIP:
                return now + periodNanos - (now - due) % periodNanos;
            case BURST:
            default:
                return due + periodNanos;
        }
    }

    @Override
    public String toString() {
        return "Interval[period=" + period + ", missedTickBehavior=" + missedTickBehavior + "]";
    }
}
