package io.asyncruntime.internal.scheduler;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * One worker's metrics counters. Written only by the owning worker with opaque stores (no
 * fence, no contention: a plain increment that other threads may read without tearing), and read
 * by any thread with opaque loads when a metrics snapshot is taken. Padded at both ends so two
 * workers' counters never share a cache line.
 */
final class WorkerCounters {

    static final int POLLS = 0;
    static final int STEALS = 1;
    static final int STEAL_OPERATIONS = 2;
    static final int PARKS = 3;
    static final int UNPARKS = 4;
    static final int OVERFLOWS = 5;
    static final int LIFO_HITS = 6;
    static final int LOCAL_SCHEDULES = 7;
    static final int BUDGET_FORCED_YIELDS = 8;
    static final int BUSY_NANOS = 9;
    static final int SPAWNS = 10;
    static final int COMPLETIONS = 11;
    static final int INJECT_POPS = 12;
    static final int COUNT = 13;

    /** 128 bytes of padding each side: two cache lines, covering adjacent-line prefetch. */
    private static final int PAD = 16;

    private static final VarHandle SLOT = MethodHandles.arrayElementVarHandle(long[].class);

    private final long[] values = new long[PAD + COUNT + PAD];

    void increment(int counter) {
        add(counter, 1);
    }

    void add(int counter, long delta) {
        int i = PAD + counter;
        SLOT.setOpaque(values, i, (long) SLOT.getOpaque(values, i) + delta);
    }

    long get(int counter) {
        return (long) SLOT.getOpaque(values, PAD + counter);
    }
}
