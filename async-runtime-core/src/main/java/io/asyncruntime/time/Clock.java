package io.asyncruntime.time;

import io.asyncruntime.internal.time.TimeSource;
import java.time.Instant;

/**
 * The time a runtime's timers run on: the system's monotonic clock, or a paused {@link TestClock}
 * that moves only when a test advances it (or, when every worker is idle, jumps to the next
 * timer's deadline), so time-dependent code is tested instantly and deterministically.
 *
 * <p>Give a clock to the runtime builder; {@link Time#sleep}, {@link Time#timeout} and
 * {@link Interval} then measure time on it. The {@link TimeSource} methods this class
 * implements are the runtime's hook into the clock; user code has no need to call them.
 */
public abstract sealed class Clock implements TimeSource permits SystemClock, TestClock {

    Clock() {
    }

    /** The clock of the operating system: {@link System#nanoTime()} and {@link Instant#now()}. */
    public static Clock system() {
        return SystemClock.INSTANCE;
    }

    /**
     * A new paused test clock, starting at the current wall-clock instant. Its time moves only by
     * {@link TestClock#advance} and by the runtime's auto-advance when every worker is idle.
     */
    public static TestClock paused() {
        return new TestClock(Instant.now());
    }

    /** Monotonic time in nanoseconds from an arbitrary fixed origin; only differences matter. */
    @Override
    public abstract long nanoTime();

    /** The wall-clock instant that corresponds to {@link #nanoTime()} now. */
    public abstract Instant instant();

    /** The instant at which this clock's {@link #nanoTime()} reads (or read) {@code nanoTime}. */
    Instant instantAt(long nanoTime) {
        long now = nanoTime();
        return instant().minusNanos(now - nanoTime);
    }
}
