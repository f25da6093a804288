package io.asyncruntime.internal.scheduler;

import java.lang.invoke.VarHandle;

/**
 * How a worker parks and turns the driver: the park when it finds nothing to run, and the
 * non-blocking driver turn every {@code eventInterval} ticks. Static helpers on the worker's own
 * fields ({@code searching}, {@code busySince}, {@code turningDriver}, which the run loop reads on
 * every tick and the wake path on every wake), so the split adds no field hop; none of this is on
 * the per-poll path. Worker thread only.
 *
 * <p>Invariants:
 * <ul>
 *   <li>No lost wake-up (Dekker): a worker that parks as the last searcher updates the idle state
 *       with a locked read-modify-write, then re-checks every queue ({@link #notifyIfWorkPending});
 *       a spawner pushes, fences, then reads the idle state. Either the spawner sees the worker
 *       parked and wakes one, or the worker sees the work.</li>
 *   <li>Nothing left owed when all are parked: the last worker to park wakes the driver's holder
 *       (a paused test clock may then jump) and looks once more for a sweep that no lock holder
 *       answers for ({@code TaskRegistry.sweepOwedWhileAllParked}, review21 Q1).</li>
 *   <li>While the worker turns the driver ({@code Worker.turningDriver}), what the turn wakes goes
 *       to its ring without a wake per task; after the turn it wakes one peer if it holds more than
 *       the one task it runs next ({@link #notifyIfOthersCouldHelp}).</li>
 *   <li>A park whose sweep left a stuck worker's shard owed is timed: the worker looks at that
 *       shard again every 10 ms while it stays parked with nothing to run, still in the
 *       sleeper set ({@link StuckShardWatch}); any other park blocks until woken.</li>
 *   <li>An error thrown while registered as parked leaves the idle set first
 *       ({@code leaveIdleAfterError}), so no notifier counts a searcher that never searches.</li>
 * </ul>
 */
final class WorkerPark {

    private WorkerPark() {
    }

    /**
     * Every {@code eventInterval} ticks: publishes the counters, sweeps a bounded share of the
     * registry, turns the driver without blocking, then wakes a peer for the work it queued, or
     * else a sleeper if nobody attends the driver.
     */
    static void eventTurn(Worker worker) {
        worker.publishCounters();
        worker.scheduler.registry().sweep(worker.index, false); // a bounded share (see ShardSweep, "Sweeps")
        worker.turningDriver = true;
        try {
            worker.scheduler.sharedDriver().turnDriverWithoutBlocking();
        } finally {
            worker.turningDriver = false;
        }
        if (!notifyIfOthersCouldHelp(worker)) {
            worker.scheduler.sharedDriver().wakeASleeperIfTheDriverIsUnattended(worker.index);
        }
    }

    /**
     * After a driver turn: wake a peer if this worker holds more than the one task it runs next;
     * whether it tried.
     */
    static boolean notifyIfOthersCouldHelp(Worker worker) {
        if (!worker.searching && worker.localTaskCount() > 1) {
            worker.scheduler.notifyParkedLocal(worker.index);
            return true;
        }
        return false;
    }

    /**
     * The worker found nothing to run: it sweeps, leaves the searchers (the last one re-checks every
     * queue), and parks, in the driver if no other worker holds it, until woken or its driver turn
     * queued work for it.
     */
    static void park(Worker worker) {
        worker.handOver.publishParked();
        // Before going idle, finish unlinking what completed (see ShardSweep, "Sweeps"): a parked
        // worker sweeps nothing, and the finished cells' outcomes would stay reachable meanwhile.
        // What it leaves owed in a stuck worker's shard, its watch takes on (StuckShardWatch).
        worker.scheduler.registry().sweep(worker.index, true, worker.stuckShardWatch);
        worker.forgetLastLeft(); // nor the last polled cell's (PollContext, "The last cell left stays visible")
        worker.publishCounters();
        Idle idle = worker.scheduler.idle();
        boolean lastSearcher = idle.transitionToParked(worker.index, worker.searching);
        worker.searching = false;
        try {
            worker.counters.add(WorkerCounters.BUSY_NANOS, System.nanoTime() - worker.busySince);
            if (lastSearcher) {
                // The Dekker half on the worker side: state updated above (a locked RMW), full fence,
                // then re-check every queue; a spawner does push, full fence, read state.
                notifyIfWorkPending(worker.scheduler);
            }
            if (idle.allParked()) {
                // Everyone is parked now: let the driver's holder re-check, so that it can see the
                // runtime is idle (a paused test clock then jumps to its next deadline).
                worker.scheduler.sharedDriver().wakeDriverHolder();
                if (worker.scheduler.registry().sweepOwedWhileAllParked()) {
                    // An off-worker sweep left a cycle while this worker searched, and its park
                    // sweep found the shard locked: nobody else would finish it (review21 Q1).
                    worker.scheduler.notifyParked();
                }
            }
            worker.counters.increment(WorkerCounters.PARKS);
        } catch (Throwable error) {
            leaveIdleAfterError(worker, idle);
            throw error;
        }
        StuckShardWatch watch = worker.stuckShardWatch;
        try {
            parkUntilWoken(worker, idle, watch);
        } finally {
            watch.clear(); // the next park sweep arms it afresh
        }
        worker.counters.increment(WorkerCounters.UNPARKS);
        worker.busySince = System.nanoTime();
    }

    /**
     * Blocks until woken, until the driver queued work for this worker, or until the scheduler
     * closes; while its watch watches a stuck worker's shard, in timed parks, looking at the
     * watch between them (see StuckShardWatch).
     */
    private static void parkUntilWoken(Worker worker, Idle idle, StuckShardWatch watch) {
        for (;;) {
            worker.turningDriver = true;
            try {
                worker.scheduler.sharedDriver().parkWorker(worker, watch.parkNanos());
            } catch (Throwable error) {
                leaveIdleAfterError(worker, idle);
                throw error;
            } finally {
                worker.turningDriver = false;
            }
            if (worker.scheduler.isClosed()) {
                idle.unparkSelf(worker.index);
                break;
            }
            if (worker.hasLocalWork()) {
                // The driver woke tasks into our ring while we held it.
                if (!idle.unparkSelf(worker.index)) {
                    worker.searching = true; // a notifier claimed us meanwhile and counted us searching
                }
                notifyIfOthersCouldHelp(worker);
                break;
            }
            if (!idle.isParked(worker.index)) {
                worker.searching = true; // woken by a notifier, which counted us as worker.searching
                break;
            }
            // Nothing to run and still in the sleeper set: a timed wake (or an early one).
            try {
                watch.lookIfDue();
            } catch (Throwable error) {
                leaveIdleAfterError(worker, idle);
                throw error;
            }
        }
    }

    /** The last searcher parks: if any queue holds work, wake a worker for it. */
    static void notifyIfWorkPending(Scheduler scheduler) {
        VarHandle.fullFence();
        if (hasQueuedWork(scheduler)) {
            scheduler.notifyParked();
        }
    }

    /** Whether any inject queue, ring, or a stalled worker's LIFO slot holds work (after the caller's fence). */
    static boolean hasQueuedWork(Scheduler scheduler) {
        for (InjectQueue queue : scheduler.injectQueues()) {
            if (!queue.isEmpty()) {
                return true;
            }
        }
        for (Worker worker : scheduler.workers()) {
            for (LocalQueue queue : worker.local) {
                if (!queue.isEmpty()) {
                    return true;
                }
            }
            if (scheduler.hasStalledWorkers() && worker.handOver.isStalled() && worker.hasTaskInLifoSlot()) {
                return true; // a stalled worker's LIFO slot is up for stealing
            }
        }
        return false;
    }

    /**
     * Leaves the idle set as a wake would, before the run loop survives an error thrown while this
     * worker was registered as parked ({@code Worker.survive}): left registered, a notifier would count
     * a searcher that never stops searching (no other worker would be woken for new work), or the
     * next park would register this worker twice.
     */
    private static void leaveIdleAfterError(Worker worker, Idle idle) {
        if (!idle.unparkSelf(worker.index)) {
            worker.searching = true; // a notifier claimed us meanwhile and counted us searching
        }
        worker.busySince = System.nanoTime();
    }
}
