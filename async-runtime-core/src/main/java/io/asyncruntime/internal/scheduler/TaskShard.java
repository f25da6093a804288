package io.asyncruntime.internal.scheduler;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * One shard of the live-task registry: an intrusive doubly linked list of the live cells spawned
 * into it, under a small lock of its own. It is also each of those cells' {@link CellScheduler}
 * (the cell's one scheduler field points here, and this passes scheduling on to the
 * {@link Scheduler}), so a cell finds its shard without a field for it: the registry costs a cell
 * its two links and two stamps, nothing more.
 *
 * <p>Insert and remove are O(1) and touch only this shard. A worker inserts into its own shard,
 * so two workers spawning never meet here; they meet only when one completes a task the other
 * spawned (a stolen task), as in Tokio's sharded {@code OwnedTasks}, whose lists are also
 * mutex-guarded.
 *
 * <p><b>The lock</b> is a test-and-set spin lock on {@link #locked} (CAS to take it, a release
 * store to let it go), not a {@code ReentrantLock}: it is held for a few pointer writes on the
 * spawn and completion paths, and must never park a worker. A contender spins briefly, then
 * yields its time slice (the holder may have been preempted on this 2-core box). Only the rare
 * whole-shard walks (a task dump, a shutdown) hold it longer, for as many cells as they copy.
 *
 * <p><b>Rejection</b> happens under the lock: a spawn reads the registry's acceptance flags
 * after taking the lock, and a shutdown sets a flag and then takes every shard's lock to look.
 * So a spawn that does not see the flag is linked before the shutdown looks, and one that sees
 * it is never linked: nothing slips in unseen.
 */
final class TaskShard extends TaskShardPadding implements CellScheduler {

    private static final VarHandle LOCKED;
    private static final VarHandle SIZE_HINT;

    static {
        try {
            MethodHandles.Lookup lookup = MethodHandles.lookup();
            LOCKED = lookup.findVarHandle(TaskShardFields.class, "locked", int.class);
            SIZE_HINT = lookup.findVarHandle(TaskShardFields.class, "size", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /** Spin rounds before a contender starts yielding (a handful of the holder's pointer writes). */
    private static final int SPINS_BEFORE_YIELD = 64;

    private final TaskRegistry registry;
    private final Scheduler scheduler;

    TaskShard(TaskRegistry registry, Scheduler scheduler) {
        this.registry = registry;
        this.scheduler = scheduler;
    }

    // ---- CellScheduler: this shard's cells schedule through the scheduler ---------------------

    @Override
    public void schedule(ScheduledTask task, boolean isYield) {
        scheduler.schedule(task, isYield);
    }

    @Override
    public void taskCompleted() {
        scheduler.taskCompleted();
    }

    @Override
    public long coarseNanos() {
        return registry.coarseNanos();
    }

    @Override
    public String abortReason() {
        return registry.abortReason();
    }

    @Override
    public void taskCancelled() {
        registry.countCancellation();
    }

    @Override
    public void unregister(TaskCell<?> cell) {
        int left;
        lock();
        try {
            TaskCell<?> prev = cell.registryPrev;
            TaskCell<?> next = cell.registryNext;
            if (prev != null) {
                prev.registryNext = next;
            } else {
                head = next;
            }
            if (next != null) {
                next.registryPrev = prev;
            }
            cell.registryPrev = null;
            cell.registryNext = null;
            left = --size;
            removed++;
        } finally {
            unlock();
        }
        if (left == 0) {
            registry.shardEmptied();
        }
    }

    // ---- registering --------------------------------------------------------------------------

    /**
     * Links {@code cell} in, unless the registry no longer accepts it: then nothing is linked and
     * the exception says why. {@code remote}: spawned from a thread that is not one of the
     * runtime's workers (a graceful shutdown refuses those first).
     */
    void register(TaskCell<?> cell, boolean remote) {
        lock();
        try {
            // Read under the lock: see the class comment, "Rejection".
            int refusal = registry.refusal(remote);
            if (refusal != TaskRegistry.ACCEPTING) {
                throw new IllegalStateException(TaskRegistry.refusalMessage(refusal));
            }
            TaskCell<?> first = head;
            cell.registryNext = first;
            if (first != null) {
                first.registryPrev = cell;
            }
            head = cell;
            size++;
            inserted++;
        } finally {
            unlock();
        }
    }

    // ---- whole-shard reads (dumps, shutdown) ----------------------------------------------------

    /** Cells live now (racy: a hint, exact only under the lock). */
    int sizeHint() {
        return (int) SIZE_HINT.getOpaque(this);
    }

    /**
     * Copies up to {@code max} live cells, newest first, into {@code into}; returns how many. Holds
     * the lock for as many cells as it copies (a capped task dump).
     */
    int snapshot(TaskCell<?>[] into, int max) {
        lock();
        try {
            int n = 0;
            for (TaskCell<?> c = head; c != null && n < max; c = c.registryNext) {
                into[n++] = c;
            }
            return n;
        } finally {
            unlock();
        }
    }

    /** Every live cell, newest first; holds the lock for the whole walk (shutdown only). */
    TaskCell<?>[] snapshotAll() {
        lock();
        try {
            TaskCell<?>[] all = new TaskCell<?>[size];
            int n = 0;
            for (TaskCell<?> c = head; c != null; c = c.registryNext) {
                all[n++] = c;
            }
            return all;
        } finally {
            unlock();
        }
    }

    /** {@code [inserted, removed]} since the shard was made, read under the lock. */
    void counts(long[] into) {
        lock();
        try {
            into[0] = inserted;
            into[1] = removed;
        } finally {
            unlock();
        }
    }

    /** Cells live now, read under the lock (exact at that instant). */
    int size() {
        lock();
        try {
            return size;
        } finally {
            unlock();
        }
    }

    // ---- the lock -------------------------------------------------------------------------------

    private void lock() {
        if (!LOCKED.compareAndSet(this, 0, 1)) {
            lockContended();
        }
    }

    private void lockContended() {
        int spins = 0;
        for (;;) {
            // Test before test-and-set: spinning on a plain read keeps the line shared.
            if ((int) LOCKED.getOpaque(this) == 0 && LOCKED.compareAndSet(this, 0, 1)) {
                return;
            }
            if (++spins < SPINS_BEFORE_YIELD) {
                Thread.onSpinWait();
            } else {
                Thread.yield(); // the holder may be descheduled: let it run (never park a worker)
            }
        }
    }

    /** Release store: publishes the writes made under the lock to the next holder (its CAS). */
    private void unlock() {
        LOCKED.setRelease(this, 0);
    }
}

/** The shard's hot fields, between two pads (see {@code LocalQueue}'s padding for why 128 bytes). */
abstract class TaskShardFields extends TaskShardHeadPadding {
    /** 0 free, 1 held; through {@code TaskShard.LOCKED}. */
    @SuppressWarnings("unused")
    int locked;
    /** Live cells; written under the lock, read opaquely as a hint. */
    int size;
    /** The newest live cell; the list runs through {@code TaskCell.registryNext}. Under the lock. */
    TaskCell<?> head;
    /** Cells ever linked and unlinked; under the lock. Shutdown reports are built from them. */
    long inserted;
    long removed;
}

abstract class TaskShardHeadPadding {
    byte p000, p001, p002, p003, p004, p005, p006, p007, p008, p009, p010, p011, p012, p013, p014, p015;
    byte p016, p017, p018, p019, p020, p021, p022, p023, p024, p025, p026, p027, p028, p029, p030, p031;
    byte p032, p033, p034, p035, p036, p037, p038, p039, p040, p041, p042, p043, p044, p045, p046, p047;
    byte p048, p049, p050, p051, p052, p053, p054, p055, p056, p057, p058, p059, p060, p061, p062, p063;
    byte p064, p065, p066, p067, p068, p069, p070, p071, p072, p073, p074, p075, p076, p077, p078, p079;
    byte p080, p081, p082, p083, p084, p085, p086, p087, p088, p089, p090, p091, p092, p093, p094, p095;
    byte p096, p097, p098, p099, p100, p101, p102, p103, p104, p105, p106, p107, p108, p109, p110, p111;
    byte p112, p113, p114, p115, p116, p117, p118, p119, p120, p121, p122, p123, p124, p125, p126, p127;
}

/** Keeps the next object in the heap off the shard's hot line. */
abstract class TaskShardPadding extends TaskShardFields {
    byte p000, p001, p002, p003, p004, p005, p006, p007, p008, p009, p010, p011, p012, p013, p014, p015;
    byte p016, p017, p018, p019, p020, p021, p022, p023, p024, p025, p026, p027, p028, p029, p030, p031;
    byte p032, p033, p034, p035, p036, p037, p038, p039, p040, p041, p042, p043, p044, p045, p046, p047;
    byte p048, p049, p050, p051, p052, p053, p054, p055, p056, p057, p058, p059, p060, p061, p062, p063;
    byte p064, p065, p066, p067, p068, p069, p070, p071, p072, p073, p074, p075, p076, p077, p078, p079;
    byte p080, p081, p082, p083, p084, p085, p086, p087, p088, p089, p090, p091, p092, p093, p094, p095;
    byte p096, p097, p098, p099, p100, p101, p102, p103, p104, p105, p106, p107, p108, p109, p110, p111;
    byte p112, p113, p114, p115, p116, p117, p118, p119, p120, p121, p122, p123, p124, p125, p126, p127;
}
