package io.asyncruntime.internal.scheduler;

import java.lang.invoke.VarHandle;

/**
 * A {@link TaskShard}'s sweeps from threads that may be the last to look at it for a while: a
 * completer off the workers ({@link #cellFinished}), a reader that lets the lock go
 * ({@link #sweepAfterRead}), and the last worker to park ({@link #sweepOwed}); and the hand-off
 * of what such a sweeper leaves to the workers. The policy they share (the cursor, the budgets,
 * the bounds, the "Dirty" protocol) is {@link ShardSweep}'s, the class above; this one is between
 * it and the final {@link TaskShard}, for the reasons ShardSweep's "Where the state lives" gives
 * (its methods are final or private, bound statically).
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
 * The owner answers only while it goes on polling: one that holds the lock to link or turn just
 * before a long poll answers for nothing until that poll ends. So a completer off the workers
 * that finds the lock held (or gives way to a waiter) wakes a parked worker too: that worker's
 * park sweep looks at the owner's shard, and what it leaves owed its watch takes on
 * ({@link StuckShardWatch}, review36).
 * (A completer that found the hint set stores nothing, but it is set when it fences all the
 * same: a sweep clearing it after that reads the cell's state after its COMPLETE.) A sweeper off
 * the workers that leaves a cycle under way wakes nobody while a worker searches or is on its way
 * to park, and that worker's park sweep may have found the shard locked by that sweeper: so the
 * last worker to enter the sleeper set looks again ({@link #sweepOwed}, after a full fence) and
 * wakes one if a sweep is owed that no lock holder answers for (review21 Q1: two outside
 * completers and two workers left a cell linked with both parked; the one-worker case of
 * review20 R4's residue is the same race).
 *
 * <p><b>The hand-off</b> (review21 Q2). A sweeper off the workers whose share ends with work owed
 * (its budget spent, a cycle under way or the hint set) marks {@code handOffPending} while it
 * still holds the lock, then wakes a worker (above). While the mark is set, a completer off the
 * workers, after its hint store and fence, reads the mark and sweeps nothing: the sweep that
 * takes the mark answers for it. Every sweep that may be the last look (a park's, another
 * thread's share, a sweeper's off the workers, a reader's: those that check again) takes a
 * pending mark once it holds the lock, even with nothing else owed (its racy pre-check looks at
 * the mark too): it clears it, then a full fence, then reads the hint and the cycle. Readers
 * never skip (they answer for give-ways). Why nothing is left behind:
 * <ul>
 *   <li>A completer that skipped read the mark set after its fence, so before the taker's clear
 *       (only a clear unsets it). In the one order of the two fences, the completer's comes first
 *       (else its read would see the clear), so the taker's reads after its own fence see the hint
 *       (or a later state of it): the taker finds the work owed, exactly as a sweep that found the
 *       hint after the completer's store. From there the cases are the ones above: it sweeps while
 *       owed within its budget; its budget spent, an off-worker taker marks the hand-off again and
 *       wakes a worker, a parking worker's is the last parker's look ({@link #sweepOwed}: the
 *       hint, the cycle and the mark, after a fence), a worker's reader is on an awake worker; if
 *       it gives way, the waiter answers (a spawn's owner is awake; a reader's check after its
 *       read fences after the taker's fence, so it sees the hint too).</li>
 *   <li>A mark is always taken. It is set only by a sweeper that then wakes a worker (or leaves
 *       it to a worker searching or on its way to park); that worker's park sweep takes it, or
 *       finds the lock held and the holder answers (a sweep that checks again takes it; the owner's
 *       turn or spawn: the owner is awake, and its own park takes it); and the last worker to park
 *       wakes one for a mark left with the lock free. A stale mark (the work done meanwhile by a
 *       turn or a spawn step, which never touch it) costs one such wake, never a lost sweep.</li>
 *   <li>So a completer that skips leaves its cell to the answerers a completer that found the lock
 *       held has (its holder, then the same chain), and the bound in time is as stated: while the
 *       owner is parked, the woken worker's park. The bounds in count and in the spawns' cost
 *       never count the off-worker shares ("whatever the turns and parks do") and stand as proven.</li>
 * </ul>
 * Cost: in a storm of outside cancels the canceller sweeps a share only when no hand-off is
 * pending, about once per park sweep of the woken worker (20,000 cancels into a parked worker's
 * shard: 0.02 to 0.06 visits per cancel, 120 to 128 before; {@code
 * AnOutsideCancelStormSweepsATurnsSharePerCancelTest}). The mark is written once per hand-off
 * and per take, on the hint's line, which the completers read anyway.
 */
abstract class ShardOffWorkerSweep extends ShardSweep {

    ShardOffWorkerSweep(Scheduler scheduler, int sweepSlack) {
        super(scheduler, sweepSlack);
    }

    // ---- the completion path -----------------------------------------------------------------------

    /** A cell of the shard is COMPLETE: a sweep may unlink it now. See ShardSweep's class comment, "Dirty". */
    final void cellFinished() {
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
            // The fence: the hint's store before the hand-off's and the lock's reads (see
            // "Nobody left behind" and "The hand-off").
            VarHandle.fullFence();
            if ((boolean) HAND_OFF.getOpaque(this)) {
                // Handed to the workers already, and not yet taken: the sweep that takes it answers
                // for this cell too, so no share here (review21 Q2: a storm of outside cancels
                // walked a turn's share, ~128 cells, on the cancelling thread per cancel).
                return;
            }
            sweepOffTheWorkers();
        }
    }

    /**
     * After a reader let the lock go: a completer off the workers that found it held skipped its
     * sweep, and a long sweep may have given way to this reader; this looks again (a full fence,
     * then the hint: see the class comment, "Nobody left behind") and sweeps a turn's share.
     */
    final void sweepAfterRead() {
        if (scheduler != null) {
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
        boolean offTheWorkers = scheduler != null && scheduler.currentWorker() == null;
        int outcome = sweepOutcome(TICK_SWEEP_BUDGET, false, true, offTheWorkers);
        if (outcome != NOTHING_OWED && offTheWorkers) {
            // Owed: a turn's share each, not the whole cycle: a stream of outside cancels (an
            // outside abortAll) would each walk the shard anew (review20 R4). The hand-off is
            // marked (under the lock, by sweepOutcome): see "The hand-off".
            // Left to the holder: a holder that checks again answers, but the owner's own link
            // or turn does not, and an owner that then sticks in one poll answers for nothing;
            // the woken worker's park sweep does, with its watch (StuckShardWatch; review36).
            scheduler.notifyParked();
        }
    }

    /**
     * Whether a sweep is owed here that no lock holder answers for: a cycle under way or the hint
     * set, and the lock free. Racy reads; the caller (the last worker to park) fences first, which
     * pairs with the fence an off-worker sweeper issues after letting the lock go and before it
     * reads the idle state to pick a worker to wake (see "Nobody left behind"; review21 Q1).
     */
    final boolean sweepOwed() {
        return (sweeping || (boolean) DIRTY.getOpaque(this) || (boolean) HAND_OFF.getOpaque(this)) && !isLockHeld();
    }
}
