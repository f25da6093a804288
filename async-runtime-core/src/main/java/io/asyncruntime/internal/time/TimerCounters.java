package io.asyncruntime.internal.time;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * The time driver's counters. Single writer (whichever thread holds the driver; the scheduler's
 * hand-over orders successive holders), any reader: written with opaque stores and read with
 * opaque loads, since a snapshot needs each counter whole, not an order between them. The hot
 * path pays a plain add and an opaque store, no atomic instruction.
 */
final class TimerCounters {

    private static final VarHandle SLOT = MethodHandles.arrayElementVarHandle(long[].class);

    /** Longs between counters: 8 x 8 bytes, one cache line each. */
    private static final int SPACING = 8;
    static final int ACTIVE = 0;
    static final int FIRED = SPACING;
    static final int CANCELLED = 2 * SPACING;
    static final int TIMER_WAKEUPS = 3 * SPACING;

    private final long[] values = new long[4 * SPACING];

    void set(int counter, long value) {
        SLOT.setOpaque(values, counter, value);
    }

    void add(int counter, long delta) {
        SLOT.setOpaque(values, counter, (long) SLOT.getOpaque(values, counter) + delta);
    }

    long get(int counter) {
        return (long) SLOT.getOpaque(values, counter);
    }

    TimerMetrics snapshot() {
        return new TimerMetrics(get(ACTIVE), get(FIRED), get(CANCELLED), get(TIMER_WAKEUPS));
    }
}
