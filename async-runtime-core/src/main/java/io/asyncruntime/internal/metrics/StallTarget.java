package io.asyncruntime.internal.metrics;

/**
 * What the {@link StallDetector} watches: the workers of one scheduler. Each worker publishes a
 * stamp per poll; the detector reads them from its own thread.
 */
public interface StallTarget {

    /** The stamp of a worker that is parked (or has not started): never a stall. */
    long PARKED = -1;

    /** Number of workers. */
    int workerCount();

    /**
     * The worker's poll stamp: a new value at the start of every poll (its poll count), and
     * {@link #PARKED} while it is parked. An unchanged stamp across two reads, not {@code PARKED},
     * means the worker spent all that time inside one poll (or the scheduling step after it).
     * Any thread; a recent, not necessarily the latest, value.
     */
    long pollStamp(int worker);

    /** The name of the task the worker is polling now, or null between polls. Any thread; racy. */
    String pollingTaskName(int worker);

    /** The thread running the worker now (it changes after a {@code blockInPlace}). */
    Thread workerThread(int worker);

    /**
     * The worker has been inside the poll with {@code stamp} longer than the threshold: let the
     * other workers take its LIFO slot, and wake one to do it. No effect once that poll ended.
     */
    void markStalled(int worker, long stamp);

    /** The poll that {@link #markStalled} named has ended. */
    void stallEnded(int worker);

    /**
     * Some worker has stayed inside one poll for a whole sampling period (not yet a stall, maybe
     * never one): if nobody attends the timer and I/O driver now, wake a parked worker to take it,
     * so that timers and sockets do not wait for that poll to end. A no-op while a worker holds
     * the driver.
     */
    void attendDriver();

    /**
     * Called on the detector's thread once per sampling period (a quarter of the threshold),
     * before the sample: a periodic beat from a thread that neither parks with the workers nor is
     * stuck with them. The scheduler refreshes the coarse clock its task stamps read from it
     * (see {@code TaskRegistry}, "Cost per task"), so that clock moves while every worker is
     * parked or stuck, and a spawn from outside need not read the real clock.
     */
    default void heartbeat() {
    }

    /**
     * The heartbeats may stop for a while from now until the next {@link #heartbeat}: the
     * detector is about to do something that can block (report a stall: a stack capture, a log
     * call whose appender may be stuck like the worker) or is stopping. Whoever relies on the
     * beat must not from now on (review28: a blocked stall report left spawns trusting a clock
     * nobody refreshed).
     */
    default void heartbeatPausing() {
    }
}
