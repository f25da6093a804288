package io.asyncruntime.time;

import io.asyncruntime.internal.time.TimeDriver;
import io.asyncruntime.internal.time.TimeSource;
import io.asyncruntime.task.Task;
import java.time.Duration;
import java.time.Instant;

/**
 * Timers for tasks: sleep, deadlines, timeouts and intervals, on the runtime's timing wheel.
 *
 * <p>All of these are lazy {@link Task}s: nothing happens until the task is polled inside a
 * runtime, and a relative delay is measured from that first poll. They use the runtime's
 * {@link Clock}, so under a {@link TestClock} they follow virtual time. Polled outside a runtime
 * they fail with an {@link IllegalStateException}. Cancelling one ({@link Task#cancel()}, or
 * losing a {@code select}) releases its timer at once: it can no longer fire, and the timing
 * wheel unlinks it at the driver's next turn.
 *
 * <p>Resolution is 1 ms: a deadline is rounded up to the next millisecond, and a timer never
 * completes before its deadline.
 */
public final class Time {

    /** The longest delay a timer accepts: the timing wheel's range, 2^36 - 1 ms (about 2.2 years). */
    public static final Duration MAX_DELAY = TimeDriver.MAX_DELAY;

    private Time() {
    }

    /**
     * A task that completes (with {@code null}) once {@code duration} has passed since its first
     * poll. A zero duration completes at the first poll.
     *
     * @throws NullPointerException if {@code duration} is null
     * @throws IllegalArgumentException if {@code duration} is negative or above {@link #MAX_DELAY}
     */
    public static Task<Void> sleep(Duration duration) {
        return Sleep.after(duration);
    }

    /**
     * A task that completes (with {@code null}) once the runtime's clock reaches
     * {@code deadline}; at the first poll if it already has. The task fails with an
     * {@link IllegalArgumentException} at its first poll if the deadline is more than
     * {@link #MAX_DELAY} away.
     *
     * @throws NullPointerException if {@code deadline} is null
     */
    public static Task<Void> sleepUntil(Instant deadline) {
        return Sleep.until(deadline);
    }

    /**
     * Runs {@code task} with a time limit: the result is the task's value or failure if it
     * finishes within {@code duration} of the first poll; otherwise the task is cancelled and
     * the result fails with a {@link TaskTimeoutException} naming the duration. A task that is
     * ready when it is polled wins over a timer that fired in the same tick. A zero duration
     * gives the task exactly one poll. Cancelling the returned task cancels {@code task}.
     *
     * @throws NullPointerException if an argument is null
     * @throws IllegalArgumentException if {@code duration} is negative or above {@link #MAX_DELAY}
     */
    public static <T> Task<T> timeout(Duration duration, Task<T> task) {
        return new Timeout<>(duration, task);
    }

    /**
     * An interval that ticks every {@code period}, the first tick at once (at its first poll).
     *
     * @throws NullPointerException if {@code period} is null
     * @throws IllegalArgumentException if {@code period} is zero, negative or above {@link #MAX_DELAY}
     */
    public static Interval interval(Duration period) {
        return new Interval(null, period);
    }

    /**
     * An interval whose first tick is at {@code start} (at once if that has passed) and then
     * every {@code period}. The task of the first tick fails with an
     * {@link IllegalArgumentException} if {@code start} is more than {@link #MAX_DELAY} away.
     *
     * @throws NullPointerException if an argument is null
     * @throws IllegalArgumentException if {@code period} is zero, negative or above {@link #MAX_DELAY}
     */
    public static Interval intervalAt(Instant start, Duration period) {
        if (start == null) {
            throw new NullPointerException("start must not be null");
        }
        return new Interval(start, period);
    }

    /**
     * The clock of the runtime the current thread runs in.
     *
     * @throws IllegalStateException outside a runtime
     */
    public static Clock clock() {
        return clockOf(TimeDriver.current());
    }

    static Clock clockOf(TimeDriver driver) {
        TimeSource source = driver.source();
        if (source instanceof Clock) {
            return (Clock) source;
        }
        throw new IllegalStateException("the runtime's time source is not a Clock: " + source);
    }
}
