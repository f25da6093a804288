package io.asyncruntime.internal.scheduler;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * One shard of the live-task registry: an intrusive doubly linked list of the live cells spawned
 * into it, under a small lock of its own, and a lock-free stack of cells completed by threads
 * other than the shard's owner, waiting to be unlinked. It is also each of those cells' {@link CellScheduler}
 * (the cell's one scheduler field points here, and this passes scheduling on to the
 * {@link Scheduler}), so a cell finds its shard without a field for it: the registry costs a cell
 * its two links and two stamps, nothing more.
 *
 * <p>Insert and remove are O(1) and touch only this shard. A worker inserts into its own shard,
 * so two workers spawning never meet here. Tokio's sharded {@code OwnedTasks} takes the shard's
 * mutex for every removal too, so a task completed by another worker than its spawner's (a
 * stolen task) contends with the owner's spawns; measured here on {@code spawn_many_local}
 * (issue 10, reg10), that contention, the lock's cache line and the neighbours' links moving
 * between the two cores for every stolen task, took about half of the spawn rate. So:
 * <ul>
 *   <li><b>The owner</b> (the worker whose shard it is, on its current thread) links and unlinks
 *       under the lock, which then costs an uncontended CAS on a line it holds.</li>
 *   <li><b>Any other thread</b> completing a cell pushes it onto {@link #done}, a Treiber stack
 *       through the cell's {@link ScheduledTask#queueNext} (free from completion on: a
 *       completing cell is in no queue, and is never queued again), on a cache line of its own.
 *       The cell counts as removed from that push on (its linearization point): every read of
 *       the shard first unlinks what the stack holds ({@link #drainDoneLocked}), under the lock.
 *       The pusher that finds about {@link #DRAIN_AT} cells waiting unlinks them itself if the
 *       lock is free, and waits for the lock to do so at {@link #DRAIN_FORCED}; so whatever the
 *       owner does (it may be parked), a shard keeps no more than about that many finished cells
 *       (and their results) reachable. Outside spawners' shards have no owner: every completion
 *       pushes.</li>
 * </ul>
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
    private static final VarHandle DONE;

    static {
        try {
            MethodHandles.Lookup lookup = MethodHandles.lookup();
            LOCKED = lookup.findVarHandle(TaskShardFields.class, "locked", int.class);
            SIZE_HINT = lookup.findVarHandle(TaskShardFields.class, "size", int.class);
            DONE = lookup.findVarHandle(TaskShardDoneFields.class, "done", TaskCell.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /** Spin rounds before a contender starts yielding (a handful of the holder's pointer writes). */
    private static final int SPINS_BEFORE_YIELD = 64;
    /**
     * Cells waiting on {@link #done} at which a pusher unlinks them itself (if the lock is free):
     * a lock hand-over and a short hold (tens of unlinks) per so many stolen completions.
     */
    static final int DRAIN_AT = 64;
    /** Cells waiting at which a pusher waits for the lock to unlink them (see {@link #pushDone}). */
    static final int DRAIN_FORCED = 4 * DRAIN_AT;

    private final TaskRegistry registry;
    private final Scheduler scheduler;
    /** The worker whose spawns this shard holds, or null for an outside spawners' shard. */
    private final Worker owner;

    TaskShard(TaskRegistry registry, Scheduler scheduler, Worker owner) {
        this.registry = registry;
        this.scheduler = scheduler;
        this.owner = owner;
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

    /**
     * Takes {@code cell} out: unlinked now if the calling thread is the owner's, else pushed onto
     * {@link #done} (see the class comment). Called once per cell, by the thread completing it.
     */
    @Override
    public void unregister(TaskCell<?> cell) {
        Worker w = owner;
        if (w != null && w.thread == Thread.currentThread()) {
            unregisterLocked(cell);
        } else {
            pushDone(cell);
        }
    }

    /** Unlinks {@code cell} under the lock (the owner's way; also a test's). */
    void unregisterLocked(TaskCell<?> cell) {
        int left;
        lock();
        try {
            unlinkLocked(cell);
            left = size;
        } finally {
            unlock();
        }
        if (left == 0) {
            registry.shardEmptied();
        }
    }

    /**
     * The other threads' way out: one CAS on the stack's own line, which the owner's spawns never
     * touch. {@code waiting} is a plain count, racy between pushers (a lost increment only puts
     * the pusher's drain off a little): it needs no atomic of its own.
     */
    void pushDone(TaskCell<?> cell) {
        TaskCell<?> top;
        do {
            top = (TaskCell<?>) DONE.getOpaque(this);
            cell.queueNext = top;
            // Release: the drainer's exchange (acquire) then sees this link. The cell's registry
            // links need no ordering here: they were written under the lock, which the drainer holds.
        } while (!DONE.weakCompareAndSetRelease(this, top, cell));
        int n = waiting + 1;
        waiting = n;
        if (top == null) {
            registry.doneQueued(); // a drain waiting for the registry to empty looks again
        }
        if (n >= DRAIN_AT) {
            // Unlinking them here keeps this shard's finished cells few whatever its owner does
            // (it may be parked). Held by someone else (the owner spawning), the lock is tried
            // again at the next push, and waited for past DRAIN_FORCED: a holder descheduled
            // for a while would otherwise let thousands of finished cells pile up behind it.
            if (n < DRAIN_FORCED ? tryLock() : lockedForDrain()) {
                try {
                    drainDoneLocked();
                } finally {
                    unlock();
                }
            }
        }
    }

    /** Takes the lock, waiting for it; true (so that it reads as a {@link #tryLock()} that succeeded). */
    private boolean lockedForDrain() {
        lock();
        return true;
    }

    /** Unlinks every cell on {@link #done} now, taking the lock (what a pusher finding {@link #DRAIN_AT} does). */
    void drainDone() {
        lock();
        try {
            drainDoneLocked();
        } finally {
            unlock();
        }
    }

    /** Unlinks every cell on {@link #done}; under the lock. */
    private void drainDoneLocked() {
        if (DONE.getOpaque(this) == null) {
            return;
        }
        // Acquire: sees each pusher's queueNext link (their release CAS).
        TaskCell<?> c = (TaskCell<?>) DONE.getAndSetAcquire(this, null);
        waiting = 0;
        while (c != null) {
            TaskCell<?> next = (TaskCell<?>) c.queueNext;
            c.queueNext = null; // a finished cell keeps nothing reachable
            unlinkLocked(c);
            c = next;
        }
    }

    private void unlinkLocked(TaskCell<?> cell) {
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
        size--;
        removed++;
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

    /** Cells linked now, finished ones waiting on the stack included (racy: a hint). */
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
            drainDoneLocked();
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
            drainDoneLocked();
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
            drainDoneLocked();
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
            drainDoneLocked();
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

    private boolean tryLock() {
        return (int) LOCKED.getOpaque(this) == 0 && LOCKED.compareAndSet(this, 0, 1);
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

/**
 * The stack of cells other threads completed, on a line of its own: pushers (thieves, outside
 * threads) write it, the owner's spawns and completions never read it.
 */
abstract class TaskShardDoneFields extends TaskShardMiddlePadding {
    /** The newest cell pushed; the stack runs through {@code queueNext}. Through {@code TaskShard.DONE}. */
    @SuppressWarnings("unused")
    TaskCell<?> done;
    /** Cells pushed since the last drain, roughly (plain: racy between pushers, see {@code pushDone}). */
    int waiting;
}

abstract class TaskShardMiddlePadding extends TaskShardFields {
    byte p000, p001, p002, p003, p004, p005, p006, p007, p008, p009, p010, p011, p012, p013, p014, p015;
    byte p016, p017, p018, p019, p020, p021, p022, p023, p024, p025, p026, p027, p028, p029, p030, p031;
    byte p032, p033, p034, p035, p036, p037, p038, p039, p040, p041, p042, p043, p044, p045, p046, p047;
    byte p048, p049, p050, p051, p052, p053, p054, p055, p056, p057, p058, p059, p060, p061, p062, p063;
    byte p064, p065, p066, p067, p068, p069, p070, p071, p072, p073, p074, p075, p076, p077, p078, p079;
    byte p080, p081, p082, p083, p084, p085, p086, p087, p088, p089, p090, p091, p092, p093, p094, p095;
    byte p096, p097, p098, p099, p100, p101, p102, p103, p104, p105, p106, p107, p108, p109, p110, p111;
    byte p112, p113, p114, p115, p116, p117, p118, p119, p120, p121, p122, p123, p124, p125, p126, p127;
}

/** Keeps the next object in the heap off the shard's hot lines. */
abstract class TaskShardPadding extends TaskShardDoneFields {
    byte p000, p001, p002, p003, p004, p005, p006, p007, p008, p009, p010, p011, p012, p013, p014, p015;
    byte p016, p017, p018, p019, p020, p021, p022, p023, p024, p025, p026, p027, p028, p029, p030, p031;
    byte p032, p033, p034, p035, p036, p037, p038, p039, p040, p041, p042, p043, p044, p045, p046, p047;
    byte p048, p049, p050, p051, p052, p053, p054, p055, p056, p057, p058, p059, p060, p061, p062, p063;
    byte p064, p065, p066, p067, p068, p069, p070, p071, p072, p073, p074, p075, p076, p077, p078, p079;
    byte p080, p081, p082, p083, p084, p085, p086, p087, p088, p089, p090, p091, p092, p093, p094, p095;
    byte p096, p097, p098, p099, p100, p101, p102, p103, p104, p105, p106, p107, p108, p109, p110, p111;
    byte p112, p113, p114, p115, p116, p117, p118, p119, p120, p121, p122, p123, p124, p125, p126, p127;
}
