package io.asyncruntime.internal.time;

import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

/** A paused time source for driver tests (the internal twin of {@code TestClock}). */
final class ManualTimeSource implements TimeSource {

    private final CopyOnWriteArrayList<Runnable> listeners = new CopyOnWriteArrayList<>();
    private final boolean paused;
    private volatile long nanos;

    /**
     * @param paused {@code true}: a test clock (the driver never waits on it; auto-advance);
     *     {@code false}: stands for a running clock whose passing the test simulates by hand
     */
    ManualTimeSource(long startNanos, boolean paused) {
        this.nanos = startNanos;
        this.paused = paused;
    }

    @Override
    public long nanoTime() {
        return nanos;
    }

    @Override
    public boolean isPaused() {
        return paused;
    }

    @Override
    public synchronized void autoAdvanceTo(long target) {
        if (target > nanos) {
            nanos = target;
        }
    }

    synchronized void advanceNanos(long delta) {
        nanos += delta;
    }

    void advanceMillis(long millis) {
        advanceNanos(TimeUnit.MILLISECONDS.toNanos(millis));
        listeners.forEach(Runnable::run);
    }

    @Override
    public Runnable onManualAdvance(Runnable callback) {
        listeners.add(callback);
        return () -> listeners.remove(callback);
    }
}
