package io.asyncruntime.internal.scheduler;

/**
 * Spawns from outside the workers, between their push into the {@link InjectQueue} and their link
 * into a {@link TaskShard} of the registry (see InjectQueue's class comment, "Spawns from
 * outside"). Such a spawn takes no shard lock: its cell is marked unlinked and pushed, and whoever
 * takes it out of the inject queue (a worker, holding the queue's consumer flag) links it into the
 * cell's shard, one lock hold for a run of cells of one shard (a batch from one lane: the outside
 * shard of a lane, see {@code TaskRegistry.outsideShard}).
 *
 * <p><b>Why not as Tokio does.</b> Tokio's {@code OwnedTasks::bind} locks a shard's mutex for every
 * spawn, remote or not, and checks its {@code closed} flag under it; its inject queue is behind
 * another mutex. Here a worker's spawn still takes its own shard's (uncontended) lock, but a spawn
 * from outside pays only what the inject queue charged it before the registry existed: the
 * counting CAS and the push CAS (reg10g measured the shard lock's CAS at ~12 ns of the remaining
 * ~20 ns gap to the pre-registry spawn). The work moves to the consumer, which takes a batch
 * anyway, and pays one lock per batch plus the link and the spawn-path sweep step per cell.
 *
 * <p><b>The mark</b> is the cell's registry link pointing at the cell itself: a linked cell's link
 * is the next (older) cell of its shard or null, never itself, so the mark needs no field and no
 * bit of the state word. The spawner writes it plainly before the push, whose release CAS
 * publishes it with the cell; the linker overwrites it under the shard's lock while it holds the
 * queue's consumer flag. A cell taken out of the queue later (a wake from outside, a batch a full
 * ring moved there) is read by its taker after the link happened-before (the link precedes the
 * cell's hand-off to the thread that ran it, whose state transitions precede the wake or the
 * overflow that queued it again), so no one sees the mark again: linked once, never twice.
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
     * Links the marked {@code cell} (or, for the shutdown's drain, a worker's never-polled cell a
     * full ring moved to the inject queue, {@link LazyLink}) into its shard, whose lock the caller
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
