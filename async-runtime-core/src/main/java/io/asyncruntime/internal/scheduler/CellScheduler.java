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

    /**
     * The live-task registry's coarse clock (nanoseconds since the runtime started, refreshed at
     * driver turns; see {@link TaskRegistry}), read to stamp a cell's spawn and polls; 0 for
     * cells no registry tracks.
     */
    default long coarseNanos() {
        return 0;
    }

    /**
     * {@code cell} is about to publish its outcome: count it out of the live-task registry. Called
     * once per cell, by the thread completing it, after its outcome is written and before COMPLETE
     * is set, so whoever sees the handle finished no longer finds it live; the registry counts the
     * removals whose outcome is a cancellation, so that a shutdown report counts as aborted
     * exactly the tasks whose handles say so. A no-op for cells no registry tracks.
     */
    default void unregister(TaskCell<?> cell) {
    }

    /**
     * As {@link #unregister(TaskCell)}, called by the thread of {@code completer}, the poller
     * that just polled {@code cell} to its outcome (null off the poll path: an abort, a cancel,
     * a shutdown): the registry then knows whose counters to count in without looking the thread up.
     */
    default void unregister(TaskCell<?> cell, TaskPoller completer) {
        unregister(cell);
    }

    /**
     * {@code cell} has just published COMPLETE (after {@link #unregister}): the live-task registry
     * may unlink it from now on. Called once per cell, by the thread that completed it. A no-op
     * for cells no registry tracks.
     */
    default void finished(TaskCell<?> cell) {
    }

    /** Why an aborted cell was cancelled, for its {@code TaskCancelledException}: "task x was ...". */
    default String abortReason() {
        return "aborted";
    }
}
