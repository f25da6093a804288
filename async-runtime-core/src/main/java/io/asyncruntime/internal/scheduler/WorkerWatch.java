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

    @Override
    public void markStalled(int worker, long stamp) {
        scheduler.stallBegan(scheduler.workers()[worker], stamp);
    }

    @Override
    public void stallEnded(int worker) {
        scheduler.stallEnded(scheduler.workers()[worker]);
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
