package io.asyncruntime.internal.scheduler;

import io.asyncruntime.task.Context;

/**
 * The thread polling a task cell: gives the poll its {@link Context} and reports whether the poll
 * asked to yield. {@link Worker} is the production implementation; tests of the cell's state
 * machine use a bare one.
 */
interface TaskPoller {

    /** Starts polling {@code cell}; returns the context to pass to its task. */
    Context enter(TaskCell<?> cell);

    /**
     * The task's poll returned (or threw): runs what the poll deferred to its end (see
     * {@link PollEndDeferral}), still inside the poll's error handling, so an action that throws
     * fails the task like a throw of the poll itself (review27). Before {@link #leave()}.
     */
    default void endPoll() {
    }

    /**
     * {@code cell} is about to be cancelled without a poll by this poller's thread (a first poll
     * refused once the abort began, {@link LazyLink}): show it where the shutdown's wait looks,
     * between the count of its cancellation and its COMPLETE ({@link PollContext#showCancelling}).
     */
    default void showCancelling(ScheduledTask cell) {
    }

    /** Ends the poll; returns whether the task asked to yield (or ran out of budget). */
    boolean leave();

    /**
     * Queues {@code task}, just moved back to NOTIFIED after a poll that returned pending while
     * woken or yielding, at the back of this poller's queue (never its LIFO slot).
     */
    void requeue(ScheduledTask task);

    /** Counts a task this poller completed. */
    void taskCompleted();

    /**
     * Whose completion counters a task this poller completes is counted in (see
     * {@code RegistryCounts.countCompletion(int, boolean)}): the index of the worker this
     * poller's thread runs, or -1 for a thread that runs none (the default).
     */
    default int completerIndex() {
        return -1;
    }
}
