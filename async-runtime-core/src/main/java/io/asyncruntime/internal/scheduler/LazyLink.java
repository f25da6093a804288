package io.asyncruntime.internal.scheduler;

import io.asyncruntime.task.Priority;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.Set;

/**
 * Lazy linking: a task spawned on a worker enters its shard's list only once a poll of it returns
 * pending. A task that completes in its first poll (every task of a spawn burst, every runnable
 * and callable) is counted in and out of the registry but never linked: no link, no sweep step,
 * no sweep visit, and its cell is garbage as soon as its handle is (before, a finished cell stayed
 * reachable from its shard until a sweep unlinked it, and young collections copied it).
 *
 * <p><b>The mark.</b> A worker's spawn counts the cell and checks the refusal (no lock,
 * {@link TaskShard#admit}), and sets the cell's registry link to {@link #UNLINKED}, a
 * sentinel no shard ever links, before the push that publishes the cell. Spawns from outside carry
 * their own mark while they wait in the inject queue (the link pointing at the cell itself,
 * {@link QueuedSpawns}); the worker that takes one out replaces it with this one before it hands
 * the cell on ({@link QueuedSpawns#handOverToLazyLink}, cell10), and from there it is a worker's
 * unlinked cell like any other: everything below holds for it, with its lane's outside shard as
 * its shard. A never-polled cell that a full ring moved back to the inject queue keeps this mark
 * and must not be taken for a queued spawn from outside.
 *
 * <p><b>Invariant: an unlinked live cell has never returned pending.</b> It is queued for its
 * first poll (a ring, the LIFO slot, the inject queue, in a thief's hands between two rings) or
 * in its first poll, on its worker's thread (a first poll that calls {@code blockInPlace} is
 * linked before the hand-over, {@link #linkBeforeHandOver}, even after the abort began). Every
 * other live cell is linked. A shutdown's drain of an inject queue links the never-polled cells
 * it takes out (a full ring's overflow) before it lets the queue's consumer flag go, and cancels
 * them after ({@link InjectQueue#drainForShutdown}, review29): so none waits for its cancel in a
 * drainer's private list unseen by the shutdown's wait.
 *
 * <p><b>Linked exactly once.</b> Only the thread holding the cell's RUNNING links it (or the
 * shutdown's drain, the only thread that can reach the never-polled cell it took out), in
 * {@code TaskCell.afterPending} (or earlier in the poll, in {@code BlockInPlace}: then
 * afterPending finds it linked), before it lets RUNNING go (the releasing CAS, a yield's requeue,
 * which hands RUNNING over through the queue, or a completion): it reads the mark, links the cell
 * under the shard's lock, which overwrites the mark, and only then gives the cell up. The next
 * holder of RUNNING takes it with an acquire CAS of the state word (or from a queue, release and
 * acquire) after that release, so it reads the link, not the mark: a wake during the first poll
 * (NOTIFIED set while RUNNING), and the poll on another worker it leads to, come after the link.
 * A sweep never writes the mark back (it writes null or another cell). So: at most one link per
 * cell, and exactly one for a cell that returns pending.
 *
 * <p><b>Abort: no idle cell escapes.</b> A shutdown's abort sets REFUSING_ALL, then copies every
 * shard under its lock ({@link AbortWalk}). The walk sees no unlinked cell; the gap is closed at
 * both ends of the first poll:
 * <ol>
 *   <li>The link reads the refusal under the shard's lock ({@link TaskShard#linkPending}). If it
 *       holds the lock before the walk copies that shard, the walk sees the cell (and marks it
 *       CANCELLED, which the poller's releasing CAS then sees: it cancels instead). If after, the
 *       lock's release and acquire order the refusal's store before its read: it sees
 *       REFUSING_ALL, links nothing, and the poller cancels the cell itself, still holding RUNNING.
 *       The link before a {@code blockInPlace} hand-over is the same link, earlier in the poll,
 *       but never refused: if it reads REFUSING_ALL under the lock it still links the cell and
 *       marks it CANCELLED, as the walk would (it may have copied the shard already), so the
 *       blocked poll stays visible and its pending return cancels it.</li>
 *   <li>A first poll that starts after REFUSING_ALL does not poll: the poller reads the refusal once
 *       it holds RUNNING ({@link #refusedAll}) and cancels the cell, as the walk would have had it
 *       been linked. A first poll that started before it runs on, and ends in a completion (which
 *       the shutdown counts) or a pending return (case 1).</li>
 * </ol>
 * Queued cells the workers cancel as they stop are cancelled as before.
 *
 * <p><b>Dumps.</b> A dump lists the linked cells from the shards and the unlinked ones from where
 * they wait: the cell each worker's poll context shows (in its poll now, or the last cell it left,
 * which is unlinked and not COMPLETE only until its pending return links it or its completion,
 * counted, is published, {@link PollContext}), its LIFO slot and its rings, read racily, and the
 * inject queues, walked under their consumer flags ({@link #collectUnlinked}). A best-effort
 * snapshot: a cell moving between two of those places during the read (a steal, an overflow) may
 * be missed. It never lists a task that is not live: a cell read from a stale slot is listed only
 * if it is unlinked and not COMPLETE, and by the invariant such a cell is live. Duplicates are
 * removed by identity (a cell read unlinked and linked before its shard is copied is listed once).
 * A capped dump stops collecting at its cap: it holds at most that many cells whatever is queued.
 */
final class LazyLink {

    /** The mark of a worker's cell that never returned pending; never linked into any shard. */
    static final TaskCell<?> UNLINKED = new TaskCell<>(new CellScheduler() {
        @Override
        public void schedule(ScheduledTask task, boolean isYield) {
            throw new IllegalStateException("the registry's unlinked mark is not a task");
        }

        @Override
        public void taskCompleted() {
        }
    }, (Runnable) () -> { }, TaskCell.RUNNABLE, Priority.NORMAL);

    private LazyLink() {
    }

    /** Marks a worker's cell as not linked; by its spawner, before the push that publishes it. */
    static void markUnlinked(TaskCell<?> cell) {
        cell.registryNext = UNLINKED;
    }

    /**
     * Whether {@code cell} never returned pending: read by the thread holding its RUNNING (exact,
     * see the class comment), or racily by a completer or a dump.
     */
    static boolean isUnlinked(TaskCell<?> cell) {
        return cell.registryNext == UNLINKED;
    }

    /**
     * The first pending return of the marked {@code cell}, whose RUNNING the caller holds: links
     * it into its shard, or returns false if the runtime aborts everything now (the caller then
     * cancels the cell instead; see the class comment, "Abort", case 1).
     */
    static boolean linkPending(TaskCell<?> cell) {
        return ((TaskShard) cell.cellScheduler()).linkPending(cell);
    }

    /**
     * {@code blockInPlace} in the poll of {@code cell}, whose RUNNING the caller holds: links it
     * now if it is in its first poll (marked), since the hand-over takes the poll out of its
     * worker's context, where a dump finds an unlinked cell in its poll (class comment, "Linked
     * exactly once", "Dumps"). Linked even once the abort has begun (review29): refused, the cell
     * would block in no shard, queue or context, missing from the report's "still inside a poll"
     * and from the shutdown's wait for published completions. Then the walk may have copied the
     * shard before the link, so the cell is marked CANCELLED here, as the walk would have (it
     * holds RUNNING: only the mark is set, no {@code cancel()} runs); its pending return cancels
     * it, a ready return completes it, and until then every walk, dump and report sees it linked
     * and RUNNING ("Abort", case 1).
     */
    static void linkBeforeHandOver(TaskCell<?> cell) {
        if (isUnlinked(cell) && ((TaskShard) cell.cellScheduler()).linkBeforeHandOver(cell)) {
            cell.abortIfLive(); // idempotent: the walk's own mark, if it copied the shard after the link
        }
    }

    /**
     * Whether the marked {@code cell}, whose RUNNING the caller holds for its first poll, is to be
     * cancelled rather than polled: a shutdown's abort has begun ("Abort", case 2).
     */
    static boolean refusedAll(TaskCell<?> cell) {
        return ((TaskShard) cell.cellScheduler()).refusesAll();
    }

    /**
     * Up to {@code max} of the workers' live cells that are not linked (queued for or in their
     * first poll), as an identity set (see the class comment, "Dumps"): found in the
     * {@code injectQueues}, walked under their consumer flags, which also link the spawns from
     * outside queued there ({@link InjectQueue#linkQueuedSpawns(long, java.util.function.Predicate)},
     * waiting up to {@code injectWaitNanos} for one in flight), and, racily, in each worker's
     * poll, LIFO slot and rings. A cell found is listed if it is unlinked and not COMPLETE: live,
     * by the invariant. The search stops at {@code max} cells (a capped dump holds no more than
     * its cap, review26 F3); the inject queues' link walk is not capped (it links every spawn from
     * outside queued there, as before lazy linking).
     */
    static Set<TaskCell<?>> collectUnlinked(InjectQueue[] injectQueues, Scheduler scheduler, long injectWaitNanos,
            int max) {
        Set<TaskCell<?>> found = Collections.newSetFromMap(new IdentityHashMap<>());
        java.util.function.Predicate<ScheduledTask> sink = task -> {
            if (found.size() >= max) {
                return false;
            }
            if (task instanceof TaskCell<?> cell && isUnlinked(cell) && !TaskState.isComplete(cell.state())) {
                found.add(cell);
            }
            return found.size() < max;
        };
        for (InjectQueue queue : injectQueues) {
            queue.linkQueuedSpawns(injectWaitNanos, sink); // links all; hands over until the sink is full
        }
        if (scheduler != null) {
            for (Worker worker : scheduler.workers()) {
                if (!worker.forEachPolledOrQueued(sink)) {
                    break;
                }
            }
        }
        return found;
    }
}
