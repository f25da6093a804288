package io.asyncruntime.internal.scheduler;

/**
 * Spawns from outside the workers, between their push into the {@link InjectQueue} and their
 * hand-over to lazy linking (see InjectQueue's class comment, "Spawns from outside"). Such a spawn
 * takes no shard lock: its cell is marked and pushed, and whoever takes it out of the inject queue
 * (a worker, holding the queue's consumer flag) re-marks it as a worker's unlinked cell
 * ({@link #handOverToLazyLink}): from there on it is linked into its shard (the outside shard of
 * its lane, see {@code TaskRegistry.outsideShard}) at its first pending return, as a worker's
 * spawn is ({@link LazyLink}). Only a dump, an abort or a shutdown's drain links the marked cells
 * still queued ({@link #link}, one lock hold for a run of cells of one shard), so that a walk of
 * the shards finds them; the drain also links the handed-over ones a full ring moved back there,
 * as it does a worker's never-polled cells.
 *
 * <p><b>Why not as Tokio does.</b> Tokio's {@code OwnedTasks::bind} locks a shard's mutex for every
 * spawn, remote or not, and checks its {@code closed} flag under it; its inject queue is behind
 * another mutex. Here a worker's spawn still takes its own shard's (uncontended) lock, but a spawn
 * from outside pays only what the inject queue charged it before the registry existed: the
 * counting CAS and the push CAS (reg10g measured the shard lock's CAS at ~12 ns of the remaining
 * ~20 ns gap to the pre-registry spawn). The consumer pays a plain write per cell; a task that
 * completes in its first poll is never linked (cell10: linking each batch at the take, one lock
 * hold per batch and a link and a sweep step per cell, kept every finished cell reachable from
 * its shard until a sweep).
 *
 * <p><b>The mark</b> is the cell's registry link pointing at the cell itself: a linked cell's link
 * is the next (older) cell of its shard or null, never itself, and a worker's unlinked cell's is
 * {@link LazyLink#UNLINKED}, so the mark needs no field and no bit of the state word. The spawner
 * writes it plainly before the push, whose release CAS publishes it with the cell; the consumer
 * flag's holder overwrites it (with UNLINKED, or a link under the shard's lock). A cell taken out
 * of the queue later (a wake from outside, a batch a full ring moved there) is read by its taker
 * after that write happened-before (the write precedes the cell's hand-off to the thread that ran
 * it, whose state transitions precede the wake or the overflow that queued it again), so no one
 * sees the mark again.
 */
final class QueuedSpawns {

    private QueuedSpawns() {
    }

    /** Marks a cell spawned from outside as not linked yet; before its push. */
    static void markUnlinked(TaskCell<?> cell) {
        cell.registryNext = cell;
    }

    /** Whether {@code task}, just taken out of the inject queue by the consumer flag's holder, is a marked cell. */
    static boolean isUnlinked(ScheduledTask task) {
        return task instanceof TaskCell<?> cell && cell.registryNext == cell;
    }

    /**
     * The taker of the marked {@code cell} out of the inject queue, holding the consumer flag,
     * hands it to lazy linking: re-marks it as a worker's unlinked cell ({@link LazyLink#UNLINKED}),
     * plainly, before the cell is handed on (run, or pushed to a ring, whose release publishes
     * the mark). From here it is a worker's cell that never returned pending: linked at its first
     * pending return, cancelled by a first poll or a pending return after the abort began, listed
     * by a dump from where it waits (LazyLink's invariant and "Abort" hold for it unchanged: it
     * was counted, and refusal-checked, by its spawn's CAS on the queue's spawn word).
     */
    static void handOverToLazyLink(TaskCell<?> cell) {
        LazyLink.markUnlinked(cell);
    }

    /**
     * Links the marked {@code cell} (or, for the shutdown's drain, a never-polled cell a full ring
     * moved to the inject queue, {@link LazyLink}: a worker's spawn, or a spawn from outside a take
     * handed over) into its shard, whose lock the caller
     * then holds: {@code held} (the shard the caller holds from the previous link, or null) if it
     * is the same one, else {@code held} is let go and the cell's shard taken. Returns the shard
     * held now.
     */
    static TaskShard link(TaskCell<?> cell, TaskShard held) {
        TaskShard shard = (TaskShard) cell.cellScheduler();
        if (shard != held) {
            if (held != null) {
                held.unlockAfterLinking();
            }
            shard.lockForLinking();
        }
        shard.linkQueuedLocked(cell);
        return shard;
    }

    /** Lets go of the shard the last {@link #link} left held. */
    static void release(TaskShard held) {
        held.unlockAfterLinking();
    }
}
