package io.asyncruntime.internal.scheduler;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * The sweep policy of a {@link TaskShard}: when and how far the shard's list is walked to unlink
 * the cells whose state is COMPLETE, and the bounds that policy keeps. The list, its lock and its
 * counters are the shard's ({@link TaskShard}); this class holds the sweep's cursor and decides.
 *
 * <p>"Spawn" below means a push onto the list: a worker's cell is pushed at its first pending
 * return, not at its spawn ({@link LazyLink}), and so is a spawn from outside (or earlier, when a
 * dump, abort or drain links it while queued). A task that completes in its first poll is never
 * pushed and costs the sweeps nothing; the bounds below count pushes ("spawns") and hold as stated.
 *
 * <p><b>Sweeps</b> unlink the cells whose state is COMPLETE, under the lock, from a cursor kept
 * across calls ({@link #sweepPrev}, {@link #sweepAt}): a <em>cycle</em> starts at the head (and
 * clears the shard's {@code dirty} hint) and ends at the tail; cells pushed meanwhile are ahead of
 * the cursor and wait for the next cycle. They run:
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
 *       to {@link #PARK_SWEEP_BUDGET} cells): each only if the hint is set or a cycle is
 *       under way, and only if the lock is free (a worker never waits for a task dump here; a
 *       turn that finds it held is skipped).
 *       A worker sweeps its own shard, the shards of workers that are parked, and every outside
 *       shard; when it parks, also the shards of workers that are neither parked nor turning
 *       their drivers (stuck in one long poll: review19 F2), with the park's budget: that park
 *       may be the last look at such a shard until the poll ends (flake20: a turn's share left a
 *       cell deeper than 128 cells linked for the whole poll); and what that park leaves owed
 *       there (a shard longer than its budget, the lock held or given way to) the parked worker
 *       takes on with timed looks while the owner stays in that poll ({@link StuckShardWatch},
 *       review36);</li>
 *   <li>by a thread that is not one of the workers, right after it completes a cell (an outside
 *       {@code cancel()}, a task finishing on the thread that handed its worker over in
 *       {@code blockInPlace}): a turn's share of that cell's shard, since the workers may all be
 *       parked (review19 F3); if that leaves a cycle under way or the hint set, it wakes a parked
 *       worker (unless one is searching), whose park sweep goes on (review20 R4: a cell deeper
 *       than a turn's share stayed linked), and marks the hand-off ({@code handOffPending}).
 *       Only a share, and none at all while a hand-off is pending (review21 Q2: a storm of
 *       outside cancels, an outside {@code abortAll}, cost ~128 visits per cancel on the
 *       cancelling thread): see ShardOffWorkerSweep, "The hand-off";</li>
 *   <li>by a reader (a dump, a shutdown's walk, {@code counts()}), right after it lets the lock
 *       go: as a completer off the workers, see ShardOffWorkerSweep, "Nobody left behind".</li>
 * </ul>
 * A sweep that holds the lock long (a park's) looks every {@link #GIVE_WAY_STRIDE} cells at
 * the shard's lock waiters ({@link #lockWaited}) and stops, the cycle left under way, if a thread
 * waits for the lock: so a spawn or a reader waits for at most that many visits of another
 * thread's sweep, never for a park's 64 Ki (review20 R3). The waiter answers for the rest: a
 * spawn's owner is awake and sweeps at its next turn or park (and if it sticks in one poll
 * first, a parking worker that gave way to it watches: {@link StuckShardWatch}); a reader looks
 * again after it reads (below).
 * So a finished cell stays linked at most until its shard has been swept twice after it finished
 * (the bound in time): while its owner is busy, {@code 2 * ceil(linked / TICK_SWEEP_BUDGET)} of
 * its driver turns; when its owner goes idle, its park (for a shard of more than
 * {@link #PARK_SWEEP_BUDGET} cells, the parks that finish the cycle); while its owner is parked,
 * the next driver turns or parks of the other workers; while its owner is stuck in a poll, the
 * next park of another worker, then the looks of that worker's watch while it stays parked
 * ({@link StuckShardWatch}, review36): one every {@code LOOK_INTERVAL_NANOS} (10 ms), each
 * sweeping a park's budget while the owner stays in that poll, until nothing is owed; so about
 * {@code ceil(linked / PARK_SWEEP_BUDGET)} looks for a shard longer than a park's budget, one
 * more for each look that finds the lock held or gives way to the owner, and none at all when
 * the park finished the cycle. If that worker is woken meanwhile, its next park takes over (it
 * sweeps every other worker's shard again and arms its watch afresh).
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
 * reads the {@code dirty} hint (volatile); a sweep clears it (volatile store) before it reads any
 * cell's state (volatile). In the one total order of these accesses, either the sweep reads the
 * cell after its CAS (and unlinks it), or the completer reads the flag after the clear (and sets
 * it, so a later tick or park sweeps again). The completer writes the flag only when it reads it
 * clear, so a stream of completions costs each completer one read of a line that changes once
 * per sweep.
 *
 * <p><b>Off the workers.</b> The sweeps of threads that run no worker (a completer off the
 * workers, a reader letting the lock go), why none leaves a finished cell behind, and the
 * hand-off of what they leave to the workers: {@link ShardOffWorkerSweep}, the next class down.
 *
 * <p><b>Where the state lives, and why this is a superclass.</b> The spawn path reads and writes
 * the cursor on every spawn ({@link #pushedLocked}), under the shard's lock. So the cursor's
 * fields are fields of the shard object itself ({@link ShardSweepCursor}, declared between the
 * shard's own fields and the padding after them, on the owner's line), and this policy is the
 * shard's superclass rather than an object of its own: a separate {@code ShardSweep} object would
 * add a dependent load ({@code this.sweep}, then its fields) to every spawn's {@code register},
 * and put the cursor on a line of its own that the spawn would also have to bring in. The
 * policy's methods are {@code final} or private (bound statically, inlined as before); the lock,
 * which is the shard's, is reached through the four abstract methods below, which the one final
 * subclass implements (devirtualized by class-hierarchy analysis) and which the spawn path never
 * calls: it holds the lock already. (Checked with field offsets on JDK 17, compressed oops: the
 * owner-side block, the shard's fields and the cursor, spans the same bytes 140 to 203 of the
 * object as before the split; the hint at 330, with the hand-off mark at 331 since review21 Q2;
 * the final fields after the last pad.)
 */
abstract class ShardSweep extends TaskShardPadding {

    static final VarHandle DIRTY;
    static final VarHandle HAND_OFF;
    private static final VarHandle CYCLES_ENDED;

    static {
        try {
            MethodHandles.Lookup lookup = MethodHandles.lookup();
            DIRTY = lookup.findVarHandle(TaskShardDirty.class, "dirty", boolean.class);
            HAND_OFF = lookup.findVarHandle(TaskShardDirty.class, "handOffPending", boolean.class);
            CYCLES_ENDED = lookup.findVarHandle(ShardSweepCursor.class, "cyclesEnded", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

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
     * Cells a sweep visits between two looks at the shard's lock waiters: a thread that waits for
     * the lock (a spawn, a reader) waits for at most this many visits of a long sweep (review20 R3).
     */
    static final int GIVE_WAY_STRIDE = 64;
    /** The spawn path sweeps once the list holds {@code 2 * L + SWEEP_SLACK} cells (see the class comment). */
    static final int SWEEP_SLACK = 64;
    /**
     * Cells one spawn's sweep visits at most (see the class comment, "Sweeps"): a few pointer
     * reads under the lock, so no spawn holds it long; the bound in count uses it (k = 8).
     */
    static final int SPAWN_SWEEP_STEP = 8;

    /** Null for a registry without workers (tests); else the scheduler whose workers sweep. */
    final Scheduler scheduler;
    /** {@link #SWEEP_SLACK} but in tests (a small one makes the spawn path sweep at once). */
    private final int sweepSlack;

    ShardSweep(Scheduler scheduler, int sweepSlack) {
        this.scheduler = scheduler;
        this.sweepSlack = sweepSlack;
        this.sweepTrigger = sweepSlack;
    }

    // ---- the shard's lock, as the sweeps use it (TaskShard implements these) --------------------

    /** Takes the shard's lock if it is free, never waiting. */
    abstract boolean tryLock();

    /** Lets the shard's lock go (a release store). */
    abstract void unlock();

    /** Whether the shard's lock is held now (a racy hint). */
    abstract boolean isLockHeld();

    /** Whether a thread waits for the shard's lock now (a racy hint: a long sweep gives way). */
    abstract boolean lockWaited();

    // ---- the spawn path (under the lock) ---------------------------------------------------------

    /**
     * The sweep's part of a spawn: {@code cell} was just pushed at the head, under the lock. Keeps
     * the cursor right and takes a step of at most {@link #SPAWN_SWEEP_STEP} cells, only in a cycle
     * of the spawn path's own: advancing it, or starting it at the trigger (restarting from the
     * head a cycle a turn or a park started). Cycles the others start are theirs to finish: the
     * spawns pay for none of them (review20 R5). See the class comment, "The bound in count".
     */
    final void pushedLocked(TaskCell<?> cell) {
        if (sweeping && sweepPrev == null) {
            sweepPrev = cell; // the cursor stood at the old head, which now follows this cell
        }
        if (sweeping) {
            cyclePushes++;
        }
        if (sweeping && spawnCycle || linked >= sweepTrigger) {
            // Not the spawn path's own cycle: sweepLocked starts one at the head (restarting a
            // cycle under way without ever storing sweeping = false in between, which a racy
            // pre-check could read as "nothing owed" mid-cycle; review37).
            int left = sweepLocked(SPAWN_SWEEP_STEP, true, !spawnCycle);
            // Capped: a shard no turn looks at for long must not overflow it.
            spawnVisits = Math.min(spawnVisits + SPAWN_SWEEP_STEP - left, TICK_SWEEP_BUDGET);
        }
    }

    // ---- the workers' sweeps -------------------------------------------------------------------------

    /**
     * Visits up to {@code budget} cells ({@link #TICK_SWEEP_BUDGET} at a driver turn; unbounded,
     * the rest of the cycle, before a worker parks) if there may be something to unlink and the
     * lock is free; never waits. For the sweeps that come round every driver turn (the owner's
     * own shard, the outside shards): a turn's budget is what the spawn path left of it.
     */
    final void sweepIfDirty(int budget) {
        boolean turn = budget < PARK_SWEEP_BUDGET;
        sweep(budget, turn, !turn, false);
    }

    /**
     * As {@link #sweepIfDirty}, for a sweep that is no driver turn of this shard's regular
     * sweeper (an off-worker completer's share, another worker's share of a parked or stuck
     * owner's shard): its whole budget, the spawn path's visits left credited to the owner's next
     * turn. Spent here, the credit could leave such a one-off sweep with nothing (review20 R1: an
     * outside cancel() after a burst of spawns, the owner parked, unlinked nothing).
     */
    final void sweepOnceIfDirty(int budget) {
        sweep(budget, false, true, false);
    }

    /**
     * Another worker's sweep of a stuck owner's shard ({@link StuckShardWatch}: at its park, and
     * at each look of its watch while the owner stays in one poll or is parked): as
     * {@link #sweepOnceIfDirty}, and returns whether it leaves a sweep owed that nobody else
     * answers for while the owner is stuck: its budget spent with a cycle under way or the hint
     * set, or the lock found held or given way to (the holder may be the owner itself, linking
     * or turning just before its long poll, and a stuck owner answers for nothing: review36).
     */
    final boolean sweepLeavesOwed(int budget) {
        return sweepOutcome(budget, false, true, false) != NOTHING_OWED;
    }

    /**
     * Whether a sweep may be owed here: the racy pre-check of {@link #sweepOutcome}'s park and
     * turn sweeps, read the same way (the hint with acquire, then the cycle flag, then the
     * hand-off opaque). False means that at some instant during the read nothing was owed: no
     * finish since the last cycle start left a hint, no cycle under way, no hand-off pending.
     */
    final boolean mayOweASweep() {
        return (boolean) DIRTY.getAcquire(this) || sweeping || (boolean) HAND_OFF.getOpaque(this);
    }

    /**
     * Sweep cycles this shard has ended (visited to its tail), wrapping. Volatile, as its store
     * at each cycle's end: a watch that reads {@code c} after a cell finished knows, once it
     * reads {@code c + 2} or more, that a cycle which started after the finish has ended, and
     * unlinked the cell (see {@link StuckShardWatch}, "Done").
     */
    final int cyclesEnded() {
        return (int) CYCLES_ENDED.getVolatile(this);
    }

    /**
     * {@code turn}: a driver turn of the shard's regular sweeper (the spawn path's credit counts
     * as its share). {@code recheck}: the caller may be the last to look at the shard for a while
     * (a park, another thread's share): after letting the lock go it looks at the hint again, with
     * a full fence (see ShardOffWorkerSweep, "Nobody left behind"), within the same budget.
     * A {@code recheck} sweep also takes a pending hand-off (clears it, then a full fence, under
     * the lock), even with nothing else owed. {@code handOff}: the caller hands what this leaves
     * to the workers (an off-worker sweeper, which then notifies): if it returns true, it marks the
     * hand-off pending under the lock.
     * Returns whether it spent its budget with a cycle under way or the hint set (the caller may
     * need to hand the rest on); false if it found the lock held or gave way to a waiter, whose
     * holder answers for the rest.
     */
    final boolean sweep(int budget, boolean turn, boolean recheck, boolean handOff) {
        return sweepOutcome(budget, turn, recheck, handOff) == LEFT_OWED;
    }

    /** {@link #sweepOutcome}: nothing owed here now (swept to the end, or nothing to sweep). */
    static final int NOTHING_OWED = 0;
    /** {@link #sweepOutcome}: the budget spent, with a cycle under way or the hint set. */
    static final int LEFT_OWED = 1;
    /** {@link #sweepOutcome}: the lock found held, or given way to a waiter: its holder answers. */
    static final int LEFT_TO_THE_HOLDER = 2;

    /** As {@link #sweep}, telling the three outcomes apart (a stuck owner's holder answers for nothing). */
    final int sweepOutcome(int budget, boolean turn, boolean recheck, boolean handOff) {
        int left = budget;
        for (;;) {
            // Racy pre-check. The hint first, with acquire: a sweep sets sweeping before it clears
            // the hint (a volatile store), so a read that finds the hint cleared by a cycle's start
            // finds that cycle under way too (or ended), never "nothing owed" in between.
            if (!(boolean) DIRTY.getAcquire(this) && !sweeping && !(recheck && (boolean) HAND_OFF.getOpaque(this))) {
                return NOTHING_OWED; // a stale read of a hint set meanwhile only skips a turn
            }
            if (!tryLock()) {
                return LEFT_TO_THE_HOLDER;
            }
            boolean gaveWay = false;
            boolean unfinished;
            try {
                if (recheck && (boolean) HAND_OFF.getOpaque(this)) {
                    // Taken: this sweep answers for the completers that skipped their shares
                    // while it was pending. The fence: the clear before this sweep's reads of the
                    // hint and the cycle (see ShardOffWorkerSweep, "The hand-off").
                    HAND_OFF.setOpaque(this, false);
                    VarHandle.fullFence();
                }
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
                    left -= Math.max(stride - sweepLocked(stride, false, false), 1);
                    if (lockWaited()) {
                        gaveWay = true;
                        break;
                    }
                }
                unfinished = sweeping || (boolean) DIRTY.getOpaque(this);
                if (handOff && unfinished && !gaveWay) {
                    // The budget is spent (only then does the loop end with work owed): the rest
                    // is the workers' (the caller notifies), marked while this holds the lock, so
                    // that no sweep takes the mark before it is made.
                    HAND_OFF.setOpaque(this, true);
                }
            } finally {
                unlock();
            }
            if (gaveWay || !recheck || left <= 0) {
                return gaveWay ? LEFT_TO_THE_HOLDER : unfinished ? LEFT_OWED : NOTHING_OWED;
            }
            VarHandle.fullFence(); // the lock's release before the hint's read: see ShardOffWorkerSweep, "Nobody left behind"
        }
    }

    /**
     * Visits up to {@code budget} cells from the cursor, unlinking the COMPLETE ones; starts a
     * cycle if none is under way, or a new one at the head if {@code restart} ({@code bySpawn}: the
     * spawn path's own, which its spawns advance). Returns what is left of the budget. Under the
     * lock.
     */
    private int sweepLocked(int budget, boolean bySpawn, boolean restart) {
        if (!sweeping || restart) {
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
                    head = next; // prev is null only while the cursor is at the head (see pushedLocked)
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
            // Volatile, once per cycle: a stuck owner's watch reads it (see cyclesEnded()).
            CYCLES_ENDED.setVolatile(this, cyclesEnded + 1);
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
}
