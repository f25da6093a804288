package io.asyncruntime.time;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A paused clock for tests (Tokio's {@code time::pause}). Its time stands still until
 * {@link #advance} moves it, or until every worker of the runtime that uses it is idle, when the
 * runtime jumps it to the next timer's deadline (auto-advance). So a test of a one-hour
 * {@link Interval} runs in milliseconds, and the order of timer events is deterministic.
 *
 * <p>Safe from any thread. Create one with {@link Clock#paused()} and pass it to the runtime
 * builder.
 */
public final class TestClock extends Clock {

    private static final VarHandle NANOS;

    static {
        try {
            NANOS = MethodHandles.lookup().findVarHandle(TestClock.class, "nanos", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final Instant start;
    private final CopyOnWriteArrayList<Runnable> advanceListeners = new CopyOnWriteArrayList<>();
    /** Virtual nanoseconds since {@link #start}; only ever increases. */
    @SuppressWarnings("unused")
    private volatile long nanos;

    TestClock(Instant start) {
        this.start = start;
    }

    /**
     * Moves the clock forward by {@code duration} and wakes the runtime so that the timers that
     * became due fire.
     *
     * @throws IllegalArgumentException if {@code duration} is negative
     */
    public void advance(Duration duration) {
        Durations.requireNonNegative(duration, "duration");
        NANOS.getAndAdd(this, Durations.saturatedNanos(duration));
        for (Runnable listener : advanceListeners) {
            listener.run();
        }
    }

    /** How far this clock has moved since it was created. */
    public Duration elapsed() {
        return Duration.ofNanos(nanos);
    }

    @Override
    public long nanoTime() {
        return nanos;
    }

    @Override
    public Instant instant() {
        return start.plusNanos(nanos);
    }

    /** Always {@code true}: this clock moves only when told to. */
    @Override
    public boolean isPaused() {
        return true;
    }

    /** Used by the runtime for auto-advance: moves the clock to {@code nanoTime} if it is behind. */
    @Override
    public void autoAdvanceTo(long nanoTime) {
        long current;
        do {
            current = nanos;
            if (current >= nanoTime) {
                return;
            }
        } while (!NANOS.compareAndSet(this, current, nanoTime));
    }

    /** Used by the runtime: {@code callback} runs after each {@link #advance}. */
    @Override
    public Runnable onManualAdvance(Runnable callback) {
        advanceListeners.add(callback);
        return () -> advanceListeners.remove(callback);
    }

    @Override
    public String toString() {
        return "TestClock[elapsed=" + elapsed() + "]";
    }
}
