package io.asyncruntime.internal.scheduler;

import io.asyncruntime.internal.metrics.StallTarget;

/**
 * The stall detector's view of a scheduler's workers: their poll stamps, what they poll, their
 * threads, and the two calls that open a stalled worker's LIFO slot to thieves and close it again
 * (the protocol is in {@link WorkerHandOver}'s class comment, "Long polls").
 */
public final class WorkerWatch implements StallTarget {

    private final Scheduler scheduler;

    /** The view of {@code scheduler}'s workers. */
    public WorkerWatch(Scheduler scheduler) {
        this.scheduler = scheduler;
    }

    @Override
    public int workerCount() {
        return scheduler.workerCount();
    }

    @Override
    public long pollStamp(int worker) {
        return scheduler.workers()[worker].handOver.pollStamp();
    }

    @Override
    public String pollingTaskName(int worker) {
        return scheduler.workers()[worker].handOver.pollingTaskName();
    }

    @Override
    public Thread workerThread(int worker) {
        return scheduler.workers()[worker].thread;
    }

    /** The detector marked the worker's poll {@code stamp} stalled: let a thief come for its LIFO slot. */
    @Override
    public void markStalled(int worker, long stamp) {
        scheduler.workers()[worker].handOver.markStalled(stamp);
        scheduler.stalledWorkers().incrementAndGet(); // a full fence: the mark is visible before the wake below
        // Wake a sleeper (if nobody searches): it takes the LIFO slot, or at least the driver.
        scheduler.notifyParked();
    }

    /** The poll the detector marked stalled has ended. */
    @Override
    public void stallEnded(int worker) {
        scheduler.workers()[worker].handOver.clearStallMark();
        scheduler.stalledWorkers().decrementAndGet();
    }

    @Override
    public void attendDriver() {
        scheduler.sharedDriver().wakeASleeperIfTheDriverIsUnattended(-1);
    }

    @Override
    public void heartbeat() {
        scheduler.outside().heartbeat();
    }

    @Override
    public void heartbeatPausing() {
        scheduler.outside().heartbeatPausing();
    }
}
