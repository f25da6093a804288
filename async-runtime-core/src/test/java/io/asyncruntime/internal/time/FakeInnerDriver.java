package io.asyncruntime.internal.time;

import io.asyncruntime.internal.scheduler.Driver;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An inner driver that never blocks: it records each park's timeout and, to simulate the time a
 * real park would have slept, moves a running manual time source forward by that timeout
 * (a paused one stands still, as a test clock does).
 */
final class FakeInnerDriver implements Driver {

    final List<Long> parkTimeouts = new ArrayList<>();
    final AtomicInteger unparks = new AtomicInteger();
    private final ManualTimeSource source;
    /** Runs inside park, before time moves: stands for what other threads do meanwhile. */
    Runnable whileParked = () -> { };

    FakeInnerDriver(ManualTimeSource source) {
        this.source = source;
    }

    @Override
    public void park(long timeoutNanos, boolean runtimeIdle) {
        parkTimeouts.add(timeoutNanos);
        int unparksBefore = unparks.get();
        whileParked.run();
        if (timeoutNanos > 0 && unparks.get() == unparksBefore && !source.isPaused()) {
            source.advanceNanos(timeoutNanos);
        }
    }

    @Override
    public void unpark() {
        unparks.incrementAndGet();
    }

    @Override
    public void shutdown() {
    }

    long lastTimeout() {
        return parkTimeouts.get(parkTimeouts.size() - 1);
    }
}
