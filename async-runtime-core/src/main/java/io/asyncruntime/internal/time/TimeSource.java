package io.asyncruntime.internal.time;

/**
 * Where the time driver reads the time: the machinery side of the public {@code Clock}.
 *
 * <p>Kept in the internal package so that the driver does not depend on the public API package
 * (which depends on this one); the public {@code Clock} implements it. A source is either
 * running (the system's monotonic clock) or paused (a test clock that moves only when told to).
 *
 * <p>Threading: every method may be called from any thread.
 */
public interface TimeSource {

    /** Monotonic time in nanoseconds, in an arbitrary but fixed origin (like {@link System#nanoTime()}). */
    long nanoTime();

    /**
     * Whether this source is paused: time moves only by {@code advance} calls or by the driver's
     * auto-advance. A driver on a paused source never waits for time to pass on its own.
     */
    default boolean isPaused() {
        return false;
    }

    /**
     * Moves a paused source forward to {@code nanoTime} if it is behind it (auto-advance when the
     * runtime is idle); does nothing for a running source or a source already past the target.
     */
    default void autoAdvanceTo(long nanoTime) {
    }

    /**
     * Registers a callback run after every manual advance of a paused source, so that a parked
     * driver wakes and fires the timers that became due. Returns the action that removes it.
     * A running source never calls it.
     */
    default Runnable onManualAdvance(Runnable callback) {
        return () -> { };
    }
}
