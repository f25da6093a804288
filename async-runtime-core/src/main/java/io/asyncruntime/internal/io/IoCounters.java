package io.asyncruntime.internal.io;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * The I/O driver's counters. Those the driver holder writes (turns, events, interest changes)
 * have one writer at a time (the scheduler's hand-over of the driver orders successive
 * holders), so they are a plain add published with an opaque store, as the timer counters are;
 * those any thread writes (selector wake-ups, registrations) are atomic adds, paid only on paths
 * that make a system call or open a channel anyway. Each counter has its own cache line.
 */
final class IoCounters {

    private static final VarHandle SLOT = MethodHandles.arrayElementVarHandle(long[].class);

    /** Longs between counters: 8 x 8 bytes, one cache line each. */
    private static final int SPACING = 8;
    static final int TURNS = 0;
    static final int BLOCKING_SELECTS = SPACING;
    static final int READY_EVENTS = 2 * SPACING;
    static final int REARMS = 3 * SPACING;
    static final int DISARMS = 4 * SPACING;
    static final int WAKEUPS = 5 * SPACING;
    static final int REGISTRATIONS = 6 * SPACING;
    private static final int COUNT = 7;

    private final long[] values = new long[COUNT * SPACING];

    /** Driver holder only. */
    void add(int counter, long delta) {
        SLOT.setOpaque(values, counter, (long) SLOT.getOpaque(values, counter) + delta);
    }

    /** Any thread. */
    void addAtomic(int counter, long delta) {
        SLOT.getAndAdd(values, counter, delta);
    }

    long get(int counter) {
        return (long) SLOT.getOpaque(values, counter);
    }
}
