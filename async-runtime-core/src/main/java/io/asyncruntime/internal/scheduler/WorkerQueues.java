package io.asyncruntime.internal.scheduler;

import io.asyncruntime.task.Priority;
import java.lang.invoke.VarHandle;

/**
 * A worker's queues: its LIFO slot and one local ring per lane, and how tasks move between them,
 * the lane's inject queue and the other workers. {@link Worker} extends it rather than holding one,
 * so that the hottest path of the runtime (take the slot, pop the ring, push a wake) reaches these
 * fields directly, with no field hop per poll. The LIFO slot is the superclass {@link LifoSlot}.
 *
 * <p>Invariants:
 * <ul>
 *   <li>Only the worker's thread pushes to and pops from {@link #local} (other workers steal half
 *       of a ring through {@link LocalQueue#stealInto}, which is safe against the owner).</li>
 *   <li>The LIFO slot is read opaque and written and taken only with atomic exchanges
 *       ({@link LifoSlot}): the owner, and a thief of a stalled worker
 *       ({@link WorkerHandOver#stealFromStalledLifoSlot}), may both take it, and a task is never
 *       taken twice. A healthy worker's slot is never stolen (its locality is the point).</li>
 *   <li>A ring that is full moves half of itself to the lane's inject queue in one batch; a task
 *       popped from the inject queue comes with a batch of at most half a ring, its fair share.</li>
 * </ul>
 */
abstract class WorkerQueues extends LifoSlot {

    /** Most tasks moved from the inject queue into a local ring at once (half the ring). */
    private static final int MAX_INJECT_BATCH = LocalQueue.CAPACITY / 2;

    final Scheduler scheduler;
    final int index;
    final LocalQueue[] local = new LocalQueue[Priority.COUNT];
    /**
     * The scheduler's inject queue of each lane, copied here: {@link #popLane} looks at the HIGH
     * lane's on every poll, and the scheduler object shares its cache lines with fields that
     * workers write (the driver flag, CASed on every driver turn), so reading the array through it
     * could miss on every poll after another worker's turn.
     */
    private final InjectQueue[] injectByLane = new InjectQueue[Priority.COUNT];
    final WorkerCounters counters = new WorkerCounters();

    /**
     * Pushes to the rings since the worker last published its counters: a plain field on the hot
     * path, added to {@link WorkerCounters#LOCAL_SCHEDULES} by the worker every event interval.
     */
    long unpublishedLocalSchedules;

    WorkerQueues(Scheduler scheduler, int index) {
        this.scheduler = scheduler;
        this.index = index;
        for (int lane = 0; lane < local.length; lane++) {
            local[lane] = new LocalQueue();
            injectByLane[lane] = scheduler.inject(lane); // the scheduler makes them before its workers
        }
    }

    // ---- the rings -----------------------------------------------------------------------------

    /** A task of {@code lane} from this worker's ring, else a batch from the lane's inject queue. Owner only. */
    final ScheduledTask popLane(int lane) {
        ScheduledTask task = local[lane].pop();
        if (task != null) {
            return task;
        }
        InjectQueue inject = injectByLane[lane];
        if (inject.isEmpty()) {
            return null;
        }
        return popInjectBatch(lane, inject);
    }

    /**
     * {@link #popLane} with the ring empty and the inject queue not: a batch of its fair share.
     * Out of line: the pick looks at every lane's ring on every poll and should stay small.
     */
    private ScheduledTask popInjectBatch(int lane, InjectQueue inject) {
        int fairShare = inject.len() / scheduler.workerCount() + 1;
        int max = Math.min(Math.min(fairShare, local[lane].remainingSlots() + 1), MAX_INJECT_BATCH);
        ScheduledTask task = inject.popBatchInto(local[lane], Math.max(1, max));
        if (task != null) {
            counters.increment(WorkerCounters.INJECT_POPS);
        }
        return task;
    }

    /**
     * Pushes {@code task} to the back of its lane's ring (half the ring overflows to the inject
     * queue if full). Owner only. When {@code notify}, wakes a parked peer only if the push made
     * work appear: the ring was empty, or it overflowed. A push into a ring that already held
     * work wakes nobody (ForkJoinPool, too, signals only a push into an empty deque): whoever was
     * told of, or found, the work already there finds this task with it, since a thief takes
     * half the ring. Measured at c4fe4da: ~58% of yield_many's worker samples were in
     * {@code notifyParkedLocal} from the re-queue of every yield, with 0.6 parks per 200,000 polls.
     *
     * <p>None of this is needed for liveness: this worker is awake and runs what it queued. It is
     * for parallelism, and it holds under the Dekker pattern: a push that makes work appear
     * issues a full fence before it reads the idle state, and a peer that parks as the last
     * searcher re-checks every ring after its own fenced state change; so either the pusher sees
     * the peer parked or the peer sees the work. Only a thief emptying the ring between the
     * emptiness check and the push can make a push that makes work appear look like one that does
     * not; that thief is awake and searches again when it is done, and the worker's check after
     * every event interval ({@code WorkerPark.notifyIfOthersCouldHelp}: more than the one task it runs
     * next) bounds what is left, a peer parked in that window beside two or more queued tasks, to
     * one event interval (LocalQueueWakeupLincheckTest).
     */
    final void pushLocal(ScheduledTask task, boolean notify) {
        int lane = task.lane();
        LocalQueue ring = local[lane];
        boolean wasEmpty = notify && ring.isEmpty();
        int moved = ring.pushBackOrOverflow(task, injectByLane[lane]);
        unpublishedLocalSchedules++;
        if (wasEmpty || moved > 0) {
            afterPushMadeWorkAppear(moved, notify);
        }
    }

    /**
     * A push filled an empty ring (and {@code notify} was asked) or overflowed {@code moved > 0}
     * tasks: counts the overflow, and when {@code notify}, fences (the Dekker pattern of
     * {@link #pushLocal}) and wakes a parked peer. Out of line: the push into a ring that already
     * holds work (every yield of a busy worker) stays small enough to inline into its callers.
     */
    private void afterPushMadeWorkAppear(int moved, boolean notify) {
        if (moved > 0) {
            counters.increment(WorkerCounters.OVERFLOWS);
        }
        if (notify) {
            VarHandle.fullFence();
            scheduler.notifyParkedLocal(index);
        }
    }

    /** Tasks in the LIFO slot and the rings; racy from other threads. */
    final int localTaskCount() {
        int count = hasTaskInLifoSlot() ? 1 : 0;
        for (LocalQueue queue : local) {
            count += queue.len();
        }
        return count;
    }

    /** Whether the LIFO slot or a ring holds a task; racy from other threads. */
    final boolean hasLocalWork() {
        if (hasTaskInLifoSlot()) {
            return true;
        }
        for (LocalQueue queue : local) {
            if (!queue.isEmpty()) {
                return true;
            }
        }
        return false;
    }

    final int localDepth(int lane) {
        return local[lane].len();
    }

    /**
     * The worker stops: what it queued is cancelled, and the inject queues are drained once more,
     * after its own last push there (a ring that overflowed just before the flag).
     */
    final void cancelQueuedOnShutdown() {
        ScheduledTask inSlot = stealLifoSlot();
        if (inSlot != null) {
            cancelOnShutdown(inSlot);
        }
        for (LocalQueue queue : local) {
            for (ScheduledTask task = queue.pop(); task != null; task = queue.pop()) {
                cancelOnShutdown(task);
            }
        }
        scheduler.shutdownSide().cancelInjected(this::cancelOnShutdown);
    }

    /** Cancels {@code task}, taken out of a queue by the stop-time loop; the worker's thread. */
    abstract void cancelOnShutdown(ScheduledTask task);
}
