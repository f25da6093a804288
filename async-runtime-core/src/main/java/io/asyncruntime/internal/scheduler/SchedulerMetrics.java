package io.asyncruntime.internal.scheduler;

import io.asyncruntime.task.Priority;

/**
 * Reads the scheduler's counters for a metrics snapshot. Each read is an opaque load of a counter
 * its owner writes without contention; a snapshot is therefore cheap and not atomic across
 * counters (a task may show as spawned but not yet as completed, never the reverse for one
 * worker's own counters).
 */
public final class SchedulerMetrics {

    private final Scheduler scheduler;

    SchedulerMetrics(Scheduler scheduler) {
        this.scheduler = scheduler;
    }

    public int workers() {
        return scheduler.workerCount();
    }

    public long spawnedTasks() {
        return sum(WorkerCounters.SPAWNS) + scheduler.remoteSpawns();
    }

    public long remoteSpawns() {
        return scheduler.remoteSpawns();
    }

    public long completedTasks() {
        return sum(WorkerCounters.COMPLETIONS) + scheduler.remoteCompletions();
    }

    public long injectQueueDepth() {
        long depth = 0;
        for (int lane = 0; lane < Priority.COUNT; lane++) {
            depth += scheduler.inject(lane).len();
        }
        return depth;
    }

    public long localQueueDepth(int worker, Priority lane) {
        return scheduler.workers()[worker].localDepth(lane.ordinal());
    }

    public long polls(int worker) {
        return counter(worker, WorkerCounters.POLLS);
    }

    public long steals(int worker) {
        return counter(worker, WorkerCounters.STEALS);
    }

    public long stealOperations(int worker) {
        return counter(worker, WorkerCounters.STEAL_OPERATIONS);
    }

    public long parks(int worker) {
        return counter(worker, WorkerCounters.PARKS);
    }

    public long overflows(int worker) {
        return counter(worker, WorkerCounters.OVERFLOWS);
    }

    public long lifoHits(int worker) {
        return counter(worker, WorkerCounters.LIFO_HITS);
    }

    public long localSchedules(int worker) {
        return counter(worker, WorkerCounters.LOCAL_SCHEDULES);
    }

    public long budgetForcedYields(int worker) {
        return counter(worker, WorkerCounters.BUDGET_FORCED_YIELDS);
    }

    public long busyNanos(int worker) {
        return counter(worker, WorkerCounters.BUSY_NANOS);
    }

    public long injectPops(int worker) {
        return counter(worker, WorkerCounters.INJECT_POPS);
    }

    private long counter(int worker, int counter) {
        return scheduler.workers()[worker].counters.get(counter);
    }

    private long sum(int counter) {
        long total = 0;
        for (Worker worker : scheduler.workers()) {
            total += worker.counters.get(counter);
        }
        return total;
    }
}
