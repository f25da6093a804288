package io.asyncruntime.internal.scheduler;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * One shard of the live-task registry: a singly linked intrusive list of the cells spawned into
 * it, newest first, under a small lock that only the shard's <em>inserters</em> and its
 * <em>readers</em> take, never the threads completing its tasks. It is also each of those cells'
 * {@link CellScheduler} (the cell's one scheduler field points here, and this passes scheduling on
 * to the {@link Scheduler}), so a cell finds its shard without a field for it: the registry costs a
 * cell one link and two stamps.
 *
 * <p><b>Who writes what.</b> A worker's shard is inserted into only by the thread running that
 * worker (its "owner"); an outside shard by outside spawners. Completing a task writes nothing
 * here but the {@link #dirty} hint, and that only when it is clear: the completer counts the task
 * in its own thread's counters (see {@link TaskRegistry#countCompletion}), and the cell stays
 * linked until a sweep unlinks it. So on the spawn path of a worker nothing is written that
 * another core holds (the previous head is only read: the new cell links to it, nothing links
 * back), and on the completion path of a stolen task nothing of the spawner's shard is written but
 * that hint, once per sweep. (Measured before this design, issue 10: a doubly linked list unlinked
 * by the completer under the spawner's lock cost ~140 ns per spawn on {@code spawn_many_local},
 * the lock's line, the neighbours' links and the counters bouncing between the two cores.)
 *
 * <p><b>Sweeps</b> unlink the cells whose state is COMPLETE, under the lock, from a cursor kept
 * across calls ({@link #sweepPrev}, {@link #sweepAt}): a <em>cycle</em> starts at the head (and
 * clears {@link #dirty}) and ends at the tail; cells pushed meanwhile are ahead of the cursor and
 * wait for the next cycle. They run:
 * <ul>
 *   <li>on the spawn path, {@link #SPAWN_SWEEP_STEP} cells per spawn at most (never a whole
 *       cycle in one spawn: with a million live cells in one shard that took milliseconds under
 *       the lock, review19 F4), and only in a cycle of its own: a spawn starts one once the list
 *       has grown to the trigger {@code T = max(2K + S, L + 1)} (K: the cells the last cycle
 *       kept, L: the cells linked when it ended, S: {@link #SWEEP_SLACK}), restarting at the
 *       head a cycle that a turn or a park started and has not finished, and each later spawn
 *       advances it until it ends (the turns and parks helping). The cycles the turns and parks
 *       start are theirs: the spawns never pay for them (review20 R5: finishing them cost ~7.6
 *       visits per spawn on a busy shard with many idle tasks). Cost: at most two visits per
 *       spawn, amortized; see below for that and for the bound in count;</li>
 *   <li>at a worker's driver turns (every {@code eventInterval} polls), at most
 *       {@link #TICK_SWEEP_BUDGET} cells, less the cells the spawn path visited since the last
 *       turn ({@link #spawnVisits}: a shard the spawns keep sweeping is not swept twice, and every
 *       turn interval still advances the cycle by a full turn's share); and before a worker
 *       parks, the rest of the cycle and new cycles while cells completed behind the cursor (up
 *       to {@link #PARK_SWEEP_BUDGET} cells): each only if {@link #dirty} is set or a cycle is
 *       under way, and only if the lock is free (a worker never waits for a task dump here; a
 *       turn that finds it held is skipped).
 *       A worker sweeps its own shard, the shards of workers that are parked, and every outside
 *       shard; when it parks, also a turn's share of the shards of workers that are neither
 *       parked nor turning their drivers (stuck in one long poll: review19 F2);</li>
 *   <li>by a thread that is not one of the workers, right after it completes a cell (an outside
 *       {@code cancel()}, a task finishing on the thread that handed its worker over in
 *       {@code blockInPlace}): a turn's share of that cell's shard, since the workers may all be
 *       parked (review19 F3); if that leaves a cycle under way or the hint set, it wakes a parked
 *       worker (unless one is searching), whose park sweep goes on (review20 R4: a cell deeper
 *       than a turn's share stayed linked). Only a share: a stream of outside cancels (an outside
 *       {@code abortAll}) must not walk the whole shard once per cancel;</li>
 *   <li>by a reader (a dump, a shutdown's walk, {@code counts()}), right after it lets the lock
 *       go: as a completer off the workers, see "Nobody left behind".</li>
 * </ul>
 * A sweep that holds the lock long (a park's) looks every {@link #GIVE_WAY_STRIDE} cells at
 * {@link #lockWaiters} and stops, the cycle left under way, if a thread waits for the lock: so
 * a spawn or a reader waits for at most that many visits of another thread's sweep, never for a
 * park's 64 Ki (review20 R3). The waiter answers for the rest: a spawn's owner is awake and
 * sweeps at its next turn or park; a reader looks again after it reads (below).
 * So a finished cell stays linked at most until its shard has been swept twice after it finished
 * (the bound in time): while its owner is busy, {@code 2 * ceil(linked / TICK_SWEEP_BUDGET)} of
 * its driver turns; when its owner goes idle, its park (for a shard of more than
 * {@link #PARK_SWEEP_BUDGET} cells, the parks that finish the cycle); while its owner is parked or
 * stuck in a poll, the next driver turns or parks of the other workers.
 *
 * <p><b>The bound in count.</b> Let P be the peak of the shard's live (not COMPLETE) cells so
 * far, S {@link #SWEEP_SLACK}, k = 8 {@link #SPAWN_SWEEP_STEP}. A cycle starts with N cells and
 * visits only those (cells pushed meanwhile are ahead of its cursor, so a cycle ends with
 * {@code L = K + Q} cells, Q its pushes). A cell it keeps was live at its visit, so live at the
 * cycle's start: {@code K <= P}. Every push reaching T starts or restarts a cycle of the spawn
 * path's, so outside those the count stays below T, and a spawn-path cycle starts with
 * {@code N <= T} cells. Each spawn during it visits k cells, so fewer than {@code N / k} spawns
 * push during it. Now {@code T <= 2P + S} at all times, by induction: it starts at S; a turn's
 * or a park's cycle ends with {@code L < T}, so {@code T' = max(2K + S, L + 1) <= max(2P + S, T)};
 * a spawn-path cycle ends with {@code L + 1 <= P + ceil(N / k) <= P + ceil((2P + S) / 8)}, so
 * again {@code T' <= 2P + S}. So a shard never holds more than {@code T + N / k <= 9 (2P + S) / 8}
 * cells ({@code 9P / 4 + 72}), whatever the turns and parks do.
 *
 * <p><b>The spawns' cost, amortized.</b> Charge a spawn-path cycle to the pushes since the start
 * of the last cycle that ended before it (any sweeper's; those windows are disjoint, since a
 * spawn-path cycle is never abandoned). Its N cells are the K that cycle kept and at most those
 * A pushes, and {@code N >= T >= 2K + S}; so {@code A >= K + S} and it visits at most
 * {@code N <= K + A < 2A} cells: at most two visits per spawn, amortized, and at most k in any
 * one spawn.
 *
 * <p>A finished cell's outcome (the cell's slot) stays reachable from the shard until then: that is
 * the whole retention. An unlinked cell's link is cleared (under the lock, so no reader stands on
 * it), so a user holding a finished handle keeps no other cell reachable through it.
 *
 * <p><b>Dirty, without a lost sweep.</b> A completer sets COMPLETE (a CAS: a full fence) and then
 * reads {@link #dirty} (volatile); a sweep clears it (volatile store) before it reads any cell's
 * state (volatile). In the one total order of these accesses, either the sweep reads the cell
 * after its CAS (and unlinks it), or the completer reads the flag after the clear (and sets it,
 * so a later tick or park sweeps again). The completer writes the flag only when it reads it
 * clear, so a stream of completions costs each completer one read of a line that changes once
 * per sweep.
 *
 * <p><b>Nobody left behind.</b> The sweeps that may be the last look at a shard for a while (a
 * park's, another thread's share, a completer's off the workers) only try the lock, so each
 * sweep that lets the lock go checks again: the completer off the workers stores the hint, then
 * a full fence, then reads the lock; such a sweep and every reader release the lock, then a full
 * fence, then read the hint (and the cycle under way). In the one order of those fenced
 * accesses, either the completer finds the lock free (and sweeps), or the one that held it sees
 * the hint (and sweeps again, within its budget; review20 R2: an outside cancel during a dump
 * stayed linked, the workers parked). If the lock is held again by then, its new holder answers
 * in turn: one of these, or the owner (awake: it spawns or turns), or a turn of an awake worker.
 * (A completer that found the hint set stores nothing, but it is set when it fences all the
 * same: a sweep clearing it after that reads the cell's state after its COMPLETE.) A sweeper off
 * the workers that leaves a cycle under way wakes nobody while a worker searches or is on its way
 * to park, and that worker's park sweep may have found the shard locked by that sweeper: so the
 * last worker to enter the sleeper set looks again ({@link #sweepOwed}, after a full fence) and
 * wakes one if a sweep is owed that no lock holder answers for (review21 Q1: two outside
 * completers and two workers left a cell linked with both parked; the one-worker case of
 * review20 R4's residue is the same race).
 *
 * <p><b>The lock</b> is a test-and-set spin lock on {@link #locked} (CAS to take it, a release
 * store to let it go), not a {@code ReentrantLock}: it must never park a worker. On a worker's
 * shard it is taken by the owner (each spawn, each sweep) and by readers (a dump, a shutdown's
 * walk), so the owner's CAS hits a line of its own core unless a reader is copying. A contender
 * spins briefly, then yields its time slice (the holder may be descheduled on this 2-core box).
 *
 * <p><b>Readers</b> (a dump, a shutdown's abort walk) copy the shard's cells under the lock,
 * leaving out those already COMPLETE; a cell is never missed: it is linked from its spawn (under
 * the lock) until a sweep finds it COMPLETE, and a reader holding the lock sees every link.
 *
 * <p><b>Rejection</b> happens under the lock, as before: a spawn reads the registry's refusal flag
 * after taking the lock, and a shutdown sets the flag and then takes every shard's lock to look.
 * So a spawn that does not see the flag is linked before the shutdown looks, and one that sees it
 * is never linked: nothing slips in unseen.
 */
final class TaskShard extends TaskShardPadding implements CellScheduler {

    private static final VarHandle LOCKED;
    private static final VarHandle LOCK_WAITERS;
    private static final VarHandle INSERTED;
    private static final VarHandle COMPLETED;
    private static final VarHandle COMPLETED_CANCELLED;
    private static final VarHandle DIRTY;

    static {
        try {
            MethodHandles.Lookup lookup = MethodHandles.lookup();
            LOCKED = lookup.findVarHandle(TaskShardFields.class, "locked", int.class);
            LOCK_WAITERS = lookup.findVarHandle(TaskShardFields.class, "lockWaiters", int.class);
            INSERTED = lookup.findVarHandle(TaskShardFields.class, "inserted", long.class);
            COMPLETED = lookup.findVarHandle(TaskShardFields.class, "completed", long.class);
            COMPLETED_CANCELLED = lookup.findVarHandle(TaskShardFields.class, "completedCancelled", long.class);
            DIRTY = lookup.findVarHandle(TaskShardDirty.class, "dirty", boolean.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /** Spin rounds before a contender starts yielding (a handful of the holder's pointer writes). */
    private static final int SPINS_BEFORE_YIELD = 64;
    /**
     * Cells a driver turn's sweep visits at most: about two per poll of the event interval (61),
     * a small tax on a busy worker whose shard keeps changing without spawns.
     */
    static final int TICK_SWEEP_BUDGET = 128;
    /**
     * Cells a parking worker's sweep visits at most, per shard: the whole cycle of any shard up to
     * 64 Ki cells (a millisecond or so), so that a worker with a very large shard does not walk it
     * all before it parks (a wake meanwhile would wait); a longer cycle goes on at the next park.
     */
    static final int PARK_SWEEP_BUDGET = 1 << 16;
    /**
     * Cells a sweep visits between two looks at {@link #lockWaiters}: a thread that waits for the
     * lock (a spawn, a reader) waits for at most this many visits of a long sweep (review20 R3).
     */
    static final int GIVE_WAY_STRIDE = 64;
    /** The spawn path sweeps once the list holds {@code 2 * L + SWEEP_SLACK} cells (see the class comment). */
    static final int SWEEP_SLACK = 64;
    /**
     * Cells one spawn's sweep visits at most (see the class comment, "Sweeps"): a few pointer
     * reads under the lock, so no spawn holds it long; the bound in count uses it (k = 8).
     */
    static final int SPAWN_SWEEP_STEP = 8;

    private final TaskRegistry registry;
    private final Scheduler scheduler;

    /** {@link #SWEEP_SLACK} but in tests (a small one makes the spawn path sweep at once). */
    private final int sweepSlack;

    TaskShard(TaskRegistry registry, Scheduler scheduler, int sweepSlack) {
        this.registry = registry;
        this.scheduler = scheduler;
        this.sweepSlack = sweepSlack;
        this.sweepTrigger = sweepSlack;
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
        registry.countCompletion(CancellableCell.isCancellation(cell.outcome()));
    }

    /** COMPLETE is set: a sweep may unlink the cell now. See the class comment, "Dirty". */
    @Override
    public void finished(TaskCell<?> cell) {
        if (!(boolean) DIRTY.getVolatile(this)) {
            // Opaque: a sweep needs to see it eventually, not ordered with anything else.
            DIRTY.setOpaque(this, true);
        }
        if (scheduler != null && scheduler.currentWorker() == null) {
            // Completed off the workers (an outside cancel(), a task finishing on the thread that
            // handed its worker over in blockInPlace): the workers may all be parked, and would
            // leave the outcome reachable until work arrives (review19 F3). Off the hot path, so
            // this thread sweeps a bounded share itself, if the lock is free. Not a turn: the
            // spawn path's visits stay credited to the owner's next turn (review20 R1).
            // The fence: the hint's store before the lock's read (see "Nobody left behind").
            VarHandle.fullFence();
            sweepOffTheWorkers();
        }
    }

    /**
     * A turn's share of this shard, from a thread that may be the only one to look at it for a
     * while (see the class comment, "Nobody left behind"): if it leaves a cycle under way or the
     * hint set, it wakes a parked worker (if none is searching), whose park sweep goes on with it.
     * Called with a full fence since the caller's last write of the hint or release of the lock.
     */
    private void sweepOffTheWorkers() {
        if (sweep(TICK_SWEEP_BUDGET, false, true) && scheduler != null && scheduler.currentWorker() == null) {
            // A turn's share each, not the whole cycle: a stream of outside cancels (an outside
            // abortAll) would each walk the shard anew (review20 R4).
            scheduler.notifyParked();
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

    /** Cells ever linked into this shard (acquire: see {@link #countOwnCompletion}); racy, a hint's input. */
    long inserted() {
        return (long) INSERTED.getAcquire(this);
    }

    /**
     * Cells ever linked into this shard, read under the lock: a spawn that passed the refusal
     * check (under the lock) before a refusal was set is counted by a read made after the refusal
     * (a shutdown's report relies on it: nothing is counted spawned after its abort began).
     */
    long insertedExact() {
        lock();
        long n;
        try {
            n = inserted;
        } finally {
            unlock();
        }
        afterRead();
        return n;
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
            cell.registryNext = head; // reads the old head's reference only: no write to its line
            head = cell;
            if (sweeping && sweepPrev == null) {
                sweepPrev = cell; // the cursor stood at the old head, which now follows this cell
            }
            INSERTED.setRelease(this, inserted + 1);
            linked++;
            if (sweeping) {
                cyclePushes++;
            }
            // A step of at most SPAWN_SWEEP_STEP cells, only in a cycle of the spawn path's own:
            // advancing it, or starting it at the trigger (restarting from the head a cycle a turn
            // or a park started). Cycles the others start are theirs to finish: the spawns pay
            // for none of them (review20 R5). See the class comment, "The bound in count".
            if (sweeping && spawnCycle || linked >= sweepTrigger) {
                if (!spawnCycle) {
                    sweeping = false; // sweepLocked starts a cycle at the head
                }
                int left = sweepLocked(SPAWN_SWEEP_STEP, true);
                // Capped: a shard no turn looks at for long must not overflow it.
                spawnVisits = Math.min(spawnVisits + SPAWN_SWEEP_STEP - left, TICK_SWEEP_BUDGET);
            }
        } finally {
            unlock();
        }
    }

    // ---- sweeping -----------------------------------------------------------------------------

    /**
     * Visits up to {@code budget} cells ({@link #TICK_SWEEP_BUDGET} at a driver turn; unbounded,
     * the rest of the cycle, before a worker parks) if there may be something to unlink and the
     * lock is free; never waits. For the sweeps that come round every driver turn (the owner's
     * own shard, the outside shards): a turn's budget is what the spawn path left of it.
     */
    void sweepIfDirty(int budget) {
        boolean turn = budget < PARK_SWEEP_BUDGET;
        sweep(budget, turn, !turn);
    }

    /**
     * As {@link #sweepIfDirty}, for a sweep that is no driver turn of this shard's regular
     * sweeper (an off-worker completer's share, another worker's share of a parked or stuck
     * owner's shard): its whole budget, the spawn path's visits left credited to the owner's next
     * turn. Spent here, the credit could leave such a one-off sweep with nothing (review20 R1: an
     * outside cancel() after a burst of spawns, the owner parked, unlinked nothing).
     */
    void sweepOnceIfDirty(int budget) {
        sweep(budget, false, true);
    }

    /**
     * {@code turn}: a driver turn of the shard's regular sweeper (the spawn path's credit counts
     * as its share). {@code recheck}: the caller may be the last to look at the shard for a while
     * (a park, another thread's share): after letting the lock go it looks at the hint again, with
     * a full fence (see the class comment, "Nobody left behind"), within the same budget.
     * Returns whether it spent its budget with a cycle under way or the hint set (the caller may
     * need to hand the rest on); false if it found the lock held or gave way to a waiter, whose
     * holder answers for the rest.
     */
    private boolean sweep(int budget, boolean turn, boolean recheck) {
        int left = budget;
        for (;;) {
            if (!sweeping && !(boolean) DIRTY.getOpaque(this)) {
                return false; // racy pre-check: sweeping is the lock holder's; a stale read only skips a turn
            }
            if (!tryLock()) {
                return false;
            }
            boolean gaveWay = false;
            boolean unfinished;
            try {
                if (turn) {
                    // A driver turn: the cells the spawn path visited since the last turn count as
                    // this turn's share (a spawn-heavy shard is not swept twice), and each turn
                    // interval still advances the sweep by a whole turn's share.
                    left = Math.max(left - spawnVisits, 0);
                    spawnVisits = 0;
                    turn = false;
                }
                // Finish the cycle under way, then start another while something completed
                // behind its cursor (dirty again), as far as the budget goes, in strides that
                // give way to a thread waiting for the lock (review20 R3: a spawn waited for a
                // park sweep of 64 Ki cells).
                while (left > 0 && (sweeping || (boolean) DIRTY.getOpaque(this))) {
                    int stride = Math.min(left, GIVE_WAY_STRIDE);
                    // At least one per stride: a run of empty cycles ends too.
                    left -= Math.max(stride - sweepLocked(stride, false), 1);
                    if ((int) LOCK_WAITERS.getOpaque(this) > 0) {
                        gaveWay = true;
                        break;
                    }
                }
                unfinished = sweeping || (boolean) DIRTY.getOpaque(this);
            } finally {
                unlock();
            }
            if (gaveWay || !recheck || left <= 0) {
                return !gaveWay && unfinished;
            }
            VarHandle.fullFence(); // the lock's release before the hint's read: see "Nobody left behind"
        }
    }

    /**
     * Visits up to {@code budget} cells from the cursor, unlinking the COMPLETE ones; starts a
     * cycle if none is under way ({@code bySpawn}: the spawn path's own, which its spawns advance).
     * Returns what is left of the budget. Under the lock.
     */
    private int sweepLocked(int budget, boolean bySpawn) {
        if (!sweeping) {
            sweeping = true;
            spawnCycle = bySpawn;
            cyclePushes = 0;
            sweepPrev = null;
            sweepAt = head;
            DIRTY.setVolatile(this, false); // before any state read: see the class comment, "Dirty"
        }
        TaskCell<?> prev = sweepPrev;
        TaskCell<?> at = sweepAt;
        int left = budget;
        while (at != null && left-- > 0) {
            TaskCell<?> next = at.registryNext;
            if (TaskState.isComplete(at.state())) {
                if (prev == null) {
                    head = next; // prev is null only while the cursor is at the head (see register)
                } else {
                    prev.registryNext = next;
                }
                at.registryNext = null; // no reader stands on it: they hold the lock too
                linked--;
            } else {
                prev = at;
            }
            at = next;
        }
        if (at == null) {
            sweeping = false;
            spawnCycle = false;
            sweepPrev = null;
            sweepAt = null;
            // K, the cells this cycle kept (those pushed meanwhile are all still linked, ahead of
            // the cursor): the next spawn-path cycle starts once the list holds 2K + S cells, or
            // at the next spawn if the pushes made it longer already ("The bound in count").
            long kept = linked - cyclePushes;
            sweepTrigger = (int) Math.min(Math.max(2 * kept + sweepSlack, linked + 1L), Integer.MAX_VALUE);
        } else {
            sweepPrev = prev;
            sweepAt = at;
        }
        return Math.max(left, 0);
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
        afterRead();
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
        afterRead();
        return n == all.length ? all : java.util.Arrays.copyOf(all, n);
    }

    /**
     * After a reader let the lock go: a completer off the workers that found it held skipped its
     * sweep, and a long sweep may have given way to this reader; this looks again (a full fence,
     * then the hint: see the class comment, "Nobody left behind") and sweeps a turn's share.
     */
    private void afterRead() {
        if (scheduler != null) {
            VarHandle.fullFence();
            sweepOffTheWorkers();
        }
    }

    // ---- the lock -------------------------------------------------------------------------------

    private void lock() {
        if (!LOCKED.compareAndSet(this, 0, 1)) {
            lockContended();
        }
    }

    /**
     * Whether a sweep is owed here that no lock holder answers for: a cycle under way or the hint
     * set, and the lock free. Racy reads; the caller (the last worker to park) fences first, which
     * pairs with the fence an off-worker sweeper issues after letting the lock go and before it
     * reads the idle state to pick a worker to wake (see "Nobody left behind"; review21 Q1).
     */
    boolean sweepOwed() {
        return (sweeping || (boolean) DIRTY.getOpaque(this)) && !isLockHeld();
    }

    /** Whether the lock is held now: a racy hint (opaque), for an outside spawn picking a shard. */
    boolean isLockHeld() {
        return (int) LOCKED.getOpaque(this) != 0;
    }

    /** Takes the lock if it is free (test before test-and-set), never waiting. */
    private boolean tryLock() {
        return (int) LOCKED.getOpaque(this) == 0 && LOCKED.compareAndSet(this, 0, 1);
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
    private void unlock() {
        LOCKED.setRelease(this, 0);
    }
}

/** Keeps the next object in the heap off the shard's {@code dirty} line. */
abstract class TaskShardPadding extends TaskShardDirty {
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
 * The hint that a cell of the shard completed since its last sweep began: read by every completer,
 * written by a completer only when clear and by a sweep when it starts, so on a line of its own
 * (the owner's line changes at every spawn; completers on other cores must not read that one).
 */
abstract class TaskShardDirty extends TaskShardMidPadding {
    /** Through {@code TaskShard.DIRTY}. */
    @SuppressWarnings("unused")
    boolean dirty;
}

abstract class TaskShardMidPadding extends TaskShardFields {
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
 * The shard's owner-side fields, between two pads (see {@code LocalQueue}'s padding for why 128
 * bytes): on a worker's shard only the worker's thread writes them, so the line stays in its core.
 */
abstract class TaskShardFields extends TaskShardHeadPadding {
    /** 0 free, 1 held; through {@code TaskShard.LOCKED}. */
    @SuppressWarnings("unused")
    int locked;
    /**
     * Threads spinning in {@code lock()} for the lock (a spawn, a reader): a long sweep gives way
     * while it is positive. Through {@code TaskShard.LOCK_WAITERS}; written on contention only.
     */
    @SuppressWarnings("unused")
    int lockWaiters;
    /** Cells linked, finished ones not yet swept included; under the lock. */
    int linked;
    /** The spawn path sweeps once {@link #linked} reaches it (see TaskShard's class comment); under the lock. */
    int sweepTrigger;
    /** A sweep cycle is under way: {@link #sweepAt} is the next cell to look at; under the lock. */
    boolean sweeping;
    /** The cycle under way was started by the spawn path, whose spawns advance it; under the lock. */
    boolean spawnCycle;
    /** Cells pushed since the cycle under way started (see TaskShard, "The bound in count"); under the lock. */
    int cyclePushes;
    /**
     * Cells the spawn path's sweeps visited since the last driver turn's sweep (which takes them
     * off its own share); under the lock.
     */
    int spawnVisits;
    /** The newest cell; the list runs through {@code TaskCell.registryNext}. Under the lock. */
    TaskCell<?> head;
    /** The cell whose link is {@link #sweepAt}, or null while that is {@link #head}; under the lock. */
    TaskCell<?> sweepPrev;
    TaskCell<?> sweepAt;
    /** Cells ever linked; written under the lock with a release store, read with acquire. */
    long inserted;
    /**
     * Tasks completed on this shard's worker, not cancelled and cancelled (a worker's shard only):
     * written by the worker's thread only, with release stores. See {@code TaskRegistry.counts}.
     */
    long completed;
    long completedCancelled;
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
