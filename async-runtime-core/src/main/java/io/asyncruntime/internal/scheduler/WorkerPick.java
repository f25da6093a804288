package io.asyncruntime.internal.scheduler;

import io.asyncruntime.task.Priority;

/**
 * How a worker picks the task it runs next (see {@link Worker}'s class comment for the order):
 * the inject queue first every {@code globalQueueInterval} ticks, a lane owed its share, the LIFO
 * slot, its rings and the inject queues lane by lane; then the search (steal lane by lane, a
 * stalled worker's LIFO slot first), and a short spin before it parks. Static helpers on the
 * worker's own fields, as {@link WorkerPark}: the split adds no field hop and no dispatch to the
 * per-tick path. Worker thread only.
 */
final class WorkerPick {

    /**
     * How long a searching worker that found nothing keeps looking before it parks, in
     * {@code Thread.onSpinWait()} rounds (some tens of microseconds). Parking and unparking cost a
     * futex call each (microseconds); measured on spawn bursts (benchmarks' spawn_many_local) a
     * worker without this parked ~80 times per 10,000 spawns, and the spawner paid for every
     * unpark. While it spins the worker counts as searching, so spawners skip waking anyone.
     */
    private static final int SPINS_BEFORE_PARK = 1 << 10;
    /** Spin rounds between two looks at the queues while spinning. */
    private static final int SPINS_BETWEEN_LOOKS = 1 << 5;

    private WorkerPick() {
    }

    /** The next task without a search: the inject queue's turn, an owed lane, the LIFO slot, the rings; or null. */
    static ScheduledTask nextTask(Worker worker) {
        if (--worker.ticksToGlobalQueue == 0) {
            ScheduledTask remote = globalQueueTurn(worker);
            if (remote != null) {
                return remote;
            }
        }
        LaneShares shares = worker.shares;
        int tick = worker.tick;
        if (shares.mayOweAShare(tick)) { // one compare on most polls; the check itself stays out of line
            ScheduledTask owed = shares.pollDueLane(tick);
            if (owed != null) {
                return owed;
            }
        }
        ScheduledTask fromSlot = worker.takeLifoSlot();
        if (fromSlot != null) {
            return fromSlot;
        }
        for (int lane = 0; lane < Priority.COUNT; lane++) {
            ScheduledTask task = worker.popLane(lane);
            if (task != null) {
                return task;
            }
        }
        return null;
    }

    /**
     * Every {@code globalQueueInterval} ticks: a task from the inject queues, highest lane first,
     * else a higher lane's task from another worker's ring, or null. Out of line: the pick runs
     * on every poll and should stay small enough for the JIT to inline into the run loop.
     */
    private static ScheduledTask globalQueueTurn(Worker worker) {
        worker.ticksToGlobalQueue = worker.config.globalQueueInterval();
        ScheduledTask remote = popInjectByPriority(worker.scheduler.injectQueues());
        if (remote != null) {
            worker.counters.increment(WorkerCounters.INJECT_POPS);
            return remote;
        }
        return worker.shares.stealLaneAboveLocalWork();
    }

    /** Pops one task from the inject queues, highest lane first (the global-queue-interval check). */
    private static ScheduledTask popInjectByPriority(InjectQueue[] inject) {
        for (InjectQueue queue : inject) {
            if (!queue.isEmpty()) {
                ScheduledTask task = queue.pop();
                if (task != null) {
                    return task;
                }
            }
        }
        return null;
    }

    /** The idle search: lane by lane from HIGH, steal half a victim's ring, else the inject queue. */
    static ScheduledTask steal(Worker worker) {
        if (!worker.searching) {
            if (!worker.scheduler.idle().tryStartSearching()) {
                return null;
            }
            worker.searching = true;
        }
        if (worker.scheduler.hasStalledWorkers()) {
            ScheduledTask task = worker.handOver.stealFromStalledLifoSlot();
            if (task != null) {
                return task;
            }
        }
        for (int lane = 0; lane < Priority.COUNT; lane++) {
            ScheduledTask task = worker.shares.stealFromLane(lane);
            if (task == null) {
                task = worker.popLane(lane);
            }
            if (task != null) {
                return task;
            }
        }
        return null;
    }

    /** Keeps searching for a short while before parking (see {@link #SPINS_BEFORE_PARK}). */
    static ScheduledTask spinForWork(Worker worker) {
        worker.publishCounters();
        for (int spin = 1; spin <= SPINS_BEFORE_PARK; spin++) {
            Thread.onSpinWait();
            if ((spin & (SPINS_BETWEEN_LOOKS - 1)) == 0) {
                if (worker.scheduler.isClosed()) {
                    return null;
                }
                ScheduledTask task = nextTask(worker);
                if (task == null) {
                    task = steal(worker);
                }
                if (task != null) {
                    return task;
                }
            }
        }
        return null;
    }
}
