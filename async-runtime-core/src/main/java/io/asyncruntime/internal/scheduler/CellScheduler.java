package io.asyncruntime.internal.scheduler;

/**
 * What a task cell needs from its scheduler: somewhere to queue it when it becomes NOTIFIED, and
 * a place to count completions. {@link Scheduler} is the one production implementation; the
 * Lincheck test of the cell's state machine substitutes a recording one.
 */
interface CellScheduler {

    /**
     * Queues {@code task}, whose state the caller just moved to NOTIFIED. {@code isYield} sends it
     * to the back of the queue rather than the LIFO slot.
     */
    void schedule(ScheduledTask task, boolean isYield);

    /** Counts one finished task. */
    void taskCompleted();
}
