package io.asyncruntime.internal.scheduler;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * One shard of the live-task registry: a singly linked intrusive list of the cells spawned into
 * it that went idle (a worker's spawn is linked at its first pending return, {@link LazyLink};
 * so is a spawn from outside, once a worker took it out of the inject queue), newest first, under a
 * small lock that only the shard's <em>spawners</em>, <em>inserters</em> and <em>readers</em>
 * take, never the threads completing its tasks. It is also each of those cells'
 * {@link CellScheduler} (the cell's one scheduler field points here, and this passes scheduling on
 * to the {@link Scheduler}), so a cell finds its shard without a field for it: the registry costs a
 * cell one link and two stamps.
 *
 * <p><b>Who writes what.</b> A worker's shard counts the spawns of the thread running that worker
 * (its "owner"), and is inserted into by whoever holds one of its cells' RUNNING at that cell's
 * first pending return (mostly the owner; another worker for a stolen cell); an outside shard
 * likewise, by whoever holds RUNNING at the first pending return of a spawn from outside, and by
 * a dump, an abort or a drain linking the spawns still queued ({@link QueuedSpawns}; the
 * spawners themselves write nothing here). Completing a task writes nothing
 * here but the {@link #dirty} hint, and that only when it is clear: the completer counts the task
 * in its own thread's counters (see {@link TaskRegistry#countCompletion}), and the cell stays
 * linked until a sweep unlinks it. So on the spawn path of a worker nothing is written that
 * another core holds (the previous head is only read: the new cell links to it, nothing links
 * back), and on the completion path of a stolen task nothing of the spawner's shard is written but
 * that hint, once per sweep. (Measured before this design, issue 10: a doubly linked list unlinked
 * by the completer under the spawner's lock cost ~140 ns per spawn on {@code spawn_many_local},
 * the lock's line, the neighbours' links and the counters bouncing between the two cores.)
 *
 * <p><b>Sweeps</b> unlink the cells whose state is COMPLETE: when, how far, and the bounds that
 * keeps (in time, in count, in visits per spawn), with the dirty hint and "nobody left behind",
 * are the sweep policy's, {@link ShardSweep}, this class's superclass (see there for why a
 * superclass and not an object of its own: no load added to the spawn path). This class keeps the
 * list, the lock, the counters and the readers, and calls the policy at the points it names:
 * a spawn ({@link ShardSweep#pushedLocked}), a completion ({@link ShardOffWorkerSweep#cellFinished}), and
 * after a reader let the lock go ({@link ShardOffWorkerSweep#sweepAfterRead}).
 *
 * <p><b>The lock</b> is a test-and-set spin lock on {@link #locked} (CAS to take it, a release
 * store to let it go), not a {@code ReentrantLock}: it must never park a worker. On a worker's
 * shard it is taken by the owner (each spawn, each sweep) and by readers (a dump, a shutdown's
 * walk), so the owner's CAS hits a line of its own core unless a reader is copying. A contender
 * spins briefly, then yields its time slice (the holder may be descheduled on this 2-core box).
 *
 * <p><b>Readers</b> (a dump, a shutdown's abort walk) copy the shard's cells under the lock,
 * leaving out those already COMPLETE; a linked cell is never missed: it is linked (under the lock)
 * until a sweep finds it COMPLETE, and a reader holding the lock sees every link. A worker's cell
 * that never returned pending is in no shard: a dump reads it from the queues and the polls, and
 * an abort cancels it at its first poll or its pending return ({@link LazyLink}).
 *
 * <p><b>Rejection</b> of a worker's spawn takes no lock ({@link #admit}): the spawning worker, the
 * count's only writer, reads the registry's refusal flag (volatile) and, if the abort has not
 * begun, stores the count (release). A spawn whose read comes after the abort's store is refused
 * and never counted; one whose read comes before is counted, possibly after the shutdown read its
 * counts at the abort (the spawner may even be descheduled in between), and its cell is queued
 * unlinked like any cell spawned just before the abort: cancelled at its first poll, or at its
 * pending return if the poll began first ({@link LazyLink}, "Abort"). So nothing slips in unseen,
 * and the shutdown's report reads the spawns at its end, not at the abort (GracefulShutdown).
 * (Until the thirteenth wave the count and the check were made under this shard's lock, a CAS
 * and a release per spawn that measured ~10 % of {@code spawn_many_local} on JDK 25.) The link
 * at a first pending return still reads the flag under the lock: a link made before the abort's
 * walk copies the shard is seen by it, one after sees REFUSING_ALL and
 * links nothing ({@link #linkPending}). A spawn from outside the workers
 * takes no shard lock: it is counted, refused and queued by one CAS of its inject queue's spawn
 * word, and linked into its lane's outside shard at its first pending return ({@link #linkPending})
 * or, still queued, by a dump, abort or drain ({@link #linkQueuedLocked}; see {@link QueuedSpawns}
 * and InjectQueue's class comment).
 */
final class TaskShard extends ShardOffWorkerSweep implements CellScheduler {

    private static final VarHandle LOCKED;
    private static final VarHandle LOCK_WAITERS;
    private static final VarHandle INSERTED;
    private static final VarHandle COMPLETED;
    private static final VarHandle COMPLETED_CANCELLED;

    static {
        try {
            MethodHandles.Lookup lookup = MethodHandles.lookup();
            LOCKED = lookup.findVarHandle(TaskShardFields.class, "locked", int.class);
            LOCK_WAITERS = lookup.findVarHandle(TaskShardFields.class, "lockWaiters", int.class);
            INSERTED = lookup.findVarHandle(TaskShardFields.class, "inserted", long.class);
            COMPLETED = lookup.findVarHandle(TaskShardFields.class, "completed", long.class);
            COMPLETED_CANCELLED = lookup.findVarHandle(TaskShardFields.class, "completedCancelled", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /** Spin rounds before a contender starts yielding (a handful of the holder's pointer writes). */
    private static final int SPINS_BEFORE_YIELD = 64;

    private final TaskRegistry registry;

    TaskShard(TaskRegistry registry, Scheduler scheduler, int sweepSlack) {
        super(scheduler, sweepSlack);
        this.registry = registry;
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

    /** Counts the completion in the completing thread's counters; the cell stays linked (see the class comment). */
    @Override
    public void unregister(TaskCell<?> cell) {
        unregister(cell, null);
    }

    /** As {@link #unregister(TaskCell)}, in the counters of {@code completer}'s thread when a poller completes the cell. */
    @Override
    public void unregister(TaskCell<?> cell, TaskPoller completer) {
        boolean cancelled = CancellableCell.isCancellation(cell.outcome());
        if (completer == null) {
            registry.countCompletion(cancelled);
        } else {
            registry.countCompletion(completer.completerIndex(), cancelled);
        }
    }

    /**
     * COMPLETE is set: a sweep may unlink the cell now. See {@link ShardSweep}, "Dirty". A cell
     * that was never linked ({@link LazyLink}: it completed in its first poll) leaves nothing to
     * sweep: no hint, and no sweep off the workers.
     */
    @Override
    public void finished(TaskCell<?> cell) {
        if (!LazyLink.isUnlinked(cell)) {
            cellFinished();
        }
    }

    // ---- counters of a worker's own completions (the owner's thread writes them) ---------------

    /**
     * One task completed on this shard's worker (whichever shard the task was in). Single writer:
     * the thread running the worker. Release store: a reader that sees the count (acquire) also
     * sees the spawn's {@link #inserted} count, which happened-before the task ran.
     */
    void countOwnCompletion(boolean cancelled) {
        if (cancelled) {
            COMPLETED_CANCELLED.setRelease(this, completedCancelled + 1);
        } else {
            COMPLETED.setRelease(this, completed + 1);
        }
    }

    /** This worker's completions: each task in exactly one of the two, so any read splits consistently. */
    long completedNotCancelled() {
        return (long) COMPLETED.getAcquire(this);
    }

    long completedCancelled() {
        return (long) COMPLETED_CANCELLED.getAcquire(this);
    }

    /**
     * Cells ever admitted to this shard ({@link #admit}, {@link #register}), linked or not: a
     * worker's spawn is counted here at its spawn and linked only at its first pending return
     * ({@link LazyLink}), if ever. Acquire: see {@link #countOwnCompletion}. Racy, a hint's input.
     */
    long inserted() {
        return (long) INSERTED.getAcquire(this);
    }

    /**
     * Cells ever admitted to this shard (as {@link #inserted()}: linked or not), read under the
     * lock, which orders the read after any {@link #register} (tests' cells, counted under it);
     * a worker's spawn ({@link #admit}) takes no lock, and a read sees its count once its release
     * store is visible. Then a reader's share of the sweeping ({@link #sweepAfterRead}).
     */
    long insertedExact() {
        lock();
        long n;
        try {
            n = inserted;
        } finally {
            unlock();
        }
        sweepAfterRead();
        return n;
    }

    // ---- registering --------------------------------------------------------------------------

    /**
     * Links {@code cell} in, unless the registry no longer accepts it: then nothing is linked and
     * the exception says why. {@code remote}: spawned from a thread that is not one of the
     * runtime's workers (a graceful shutdown refuses those first). Counts and links at once, as
     * every spawn did before lazy linking: now only tests use it (a cell linked from its spawn);
     * a worker's spawn is {@link #admit}, linked at its first pending return. Not on a worker's
     * shard while its worker spawns: admit's count has one writer, its worker.
     */
    void register(TaskCell<?> cell, boolean remote) {
        lock();
        try {
            // Read under the lock: see the class comment, "Rejection".
            int refusal = registry.refusal(remote);
            if (refusal != TaskRegistry.ACCEPTING) {
                throw new IllegalStateException(TaskRegistry.refusalMessage(refusal));
            }
            INSERTED.setRelease(this, inserted + 1);
            linkLocked(cell);
        } finally {
            unlock();
        }
    }

    /**
     * A worker's spawn, on the thread running this shard's worker (its only caller: the count's
     * single writer): counts {@code cell} in, unless a shutdown's abort has begun (then nothing is
     * counted and the exception says why), and marks it unlinked: it is linked at its first
     * pending return ({@link #linkPending}), if it has one (see {@link LazyLink}). No lock: a
     * volatile read of the refusal, then a release store of the count (see the class comment,
     * "Rejection": a spawn that read the flag just before the abort set it is counted a little
     * later and its cell is cancelled at its first poll, as any cell spawned just before the abort).
     */
    void admit(TaskCell<?> cell) {
        if (refusesAll()) {
            throw new IllegalStateException(TaskRegistry.refusalMessage(TaskRegistry.REFUSING_ALL));
        }
        INSERTED.setRelease(this, inserted + 1); // the owner's count: plain read, one writer
        LazyLink.markUnlinked(cell); // before the push that publishes the cell
    }

    /**
     * The first pending return of {@code cell}, counted in by {@link #admit} and marked, whose
     * RUNNING the caller holds: links it, unless a shutdown's abort has begun (REFUSING_ALL, read
     * under the lock): then nothing is linked and the caller cancels the cell (see
     * {@link LazyLink}, "Abort"). The link path's sweep step runs as a spawn's did, so
     * ShardSweep's bounds hold with "push" read as "link".
     */
    boolean linkPending(TaskCell<?> cell) {
        lock();
        try {
            if (registry.refusal(false) == TaskRegistry.REFUSING_ALL) {
                return false;
            }
            linkLocked(cell);
        } finally {
            unlockAfterLinking();
        }
        return true;
    }

    /**
     * {@code blockInPlace} in the first poll of {@code cell} (counted in by {@link #admit}, marked,
     * its RUNNING held by the caller, {@link LazyLink#linkBeforeHandOver}): links it whatever the
     * refusal, and returns whether the abort had begun (REFUSING_ALL, read under the lock). The
     * poll leaves its worker's context with the thread, so a cell left unlinked there would be in
     * no shard, queue or context while it blocks (review29). If this returns false, the abort's
     * walk copies this shard after the link (the refusal is stored before the walk takes this
     * lock) and sees the cell; if true, the walk may have copied it already, and the caller marks
     * the cell CANCELLED itself.
     */
    boolean linkBeforeHandOver(TaskCell<?> cell) {
        lock();
        try {
            linkLocked(cell);
            return registry.refusal(false) == TaskRegistry.REFUSING_ALL;
        } finally {
            unlockAfterLinking();
        }
    }

    /** Whether every spawn is refused now: a shutdown's abort has begun (a volatile read). */
    boolean refusesAll() {
        return registry.refusal(false) == TaskRegistry.REFUSING_ALL;
    }

    /**
     * Links {@code cell}, a spawn from outside that its inject queue counted already (see
     * {@link QueuedSpawns}), into this shard, whose lock the caller holds
     * ({@link #lockForLinking}). No refusal check and no count: the spawn's CAS on the queue's
     * spawn word did both. The shutdown's drain of an inject queue links the never-polled cells
     * found there the same way ({@link InjectQueue#drainForShutdown}): a worker's, counted by
     * {@link #admit}, or a spawn from outside that a take handed to lazy linking, counted by its
     * queue; all about to be cancelled. The spawn path's sweep step runs as for any
     * push, so ShardSweep's bound in count holds for the outside shards as it did when the
     * spawners linked their cells.
     */
    void linkQueuedLocked(TaskCell<?> cell) {
        linkLocked(cell);
    }

    /** Pushes {@code cell} at the head; under the lock. */
    private void linkLocked(TaskCell<?> cell) {
        cell.registryNext = head; // reads the old head's reference only: no write to its line
        head = cell;
        linked++;
        // The sweep cursor's upkeep and a spawn-path step (ShardSweep, "Sweeps"): fields of
        // this object, no other load (ShardSweep, "Where the state lives").
        pushedLocked(cell);
    }

    /** Takes the lock for a batch of {@link #linkQueuedLocked} (waits, as a spawn does). */
    void lockForLinking() {
        lock();
    }

    /**
     * Lets the lock go after a batch of links. On a worker nothing more: it is awake, and its next
     * driver turn or park sweeps this shard (ShardOffWorkerSweep, "Nobody left behind": an awake worker
     * answers). Off the workers (a shutdown's drain, a dump linking what is queued) it looks
     * again as a reader does.
     */
    void unlockAfterLinking() {
        unlock();
        if (scheduler != null && scheduler.currentWorker() == null) {
            sweepAfterRead();
        }
    }

    // ---- whole-shard reads (dumps, shutdown) ----------------------------------------------------

    /** Cells linked now, finished ones not yet swept included; read under the lock. For tests. */
    int linkedCount() {
        lock();
        try {
            return linked;
        } finally {
            unlock();
        }
    }

    /**
     * Copies up to {@code max} live cells (not COMPLETE), newest first, into {@code into}; returns
     * how many. Holds the lock for the walk (a capped task dump).
     */
    int snapshot(TaskCell<?>[] into, int max) {
        lock();
        int n = 0;
        try {
            for (TaskCell<?> c = head; c != null && n < max; c = c.registryNext) {
                if (!TaskState.isComplete(c.state())) {
                    into[n++] = c;
                }
            }
        } finally {
            unlock();
        }
        sweepAfterRead();
        return n;
    }

    /** Every live cell (not COMPLETE), newest first; holds the lock for the whole walk (shutdown only). */
    TaskCell<?>[] snapshotAll() {
        lock();
        TaskCell<?>[] all;
        int n = 0;
        try {
            all = new TaskCell<?>[linked];
            for (TaskCell<?> c = head; c != null; c = c.registryNext) {
                if (!TaskState.isComplete(c.state())) {
                    all[n++] = c;
                }
            }
        } finally {
            unlock();
        }
        sweepAfterRead();
        return n == all.length ? all : java.util.Arrays.copyOf(all, n);
    }

    // ---- the lock -------------------------------------------------------------------------------

    private void lock() {
        if (!LOCKED.compareAndSet(this, 0, 1)) {
            lockContended();
        }
    }

    /** Whether the lock is held now: a racy hint (opaque). */
    @Override
    boolean isLockHeld() {
        return (int) LOCKED.getOpaque(this) != 0;
    }

    /** Takes the lock if it is free (test before test-and-set), never waiting. */
    @Override
    boolean tryLock() {
        return (int) LOCKED.getOpaque(this) == 0 && LOCKED.compareAndSet(this, 0, 1);
    }

    /** Whether a thread spins in {@code lock()} now (opaque): a long sweep gives way (review20 R3). */
    @Override
    boolean lockWaited() {
        return (int) LOCK_WAITERS.getOpaque(this) > 0;
    }

    private void lockContended() {
        // Counted while waiting: a long sweep holding the lock looks at the count every
        // GIVE_WAY_STRIDE cells and stops (review20 R3). Atomic adds, on contention only.
        LOCK_WAITERS.getAndAdd(this, 1);
        int spins = 0;
        for (;;) {
            // Test before test-and-set: spinning on a plain read keeps the line shared.
            if ((int) LOCKED.getOpaque(this) == 0 && LOCKED.compareAndSet(this, 0, 1)) {
                LOCK_WAITERS.getAndAdd(this, -1);
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
    @Override
    void unlock() {
        LOCKED.setRelease(this, 0);
    }
}
