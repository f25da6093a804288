package io.asyncruntime.internal.scheduler;

/**
 * A {@link io.asyncruntime.task.Context} that can run one action when the poll it was passed to
 * ends, after the task's {@code poll} returned or threw and before the worker does anything else.
 * A worker's context ({@link PollContext}) is one; contexts of polls off the workers
 * ({@code blockOn}, blocking tasks) are not, and a caller then does the work at once.
 *
 * <p>What it is for: work a resource may batch over the many operations of one poll, but must
 * not leave undone once the task stops polling it. A bounded channel's receiver, for example,
 * frees one slot per message; handing freed room to senders waiting for it takes the waiters'
 * lock and wakes them, which it does once per poll rather than once per message. The poll's end
 * is the one point the resource is sure to reach: the task may never poll the resource again.
 */
public interface PollEndDeferral {

    /**
     * Asks for {@code action} to run when the current poll ends (on the polling thread, while the
     * polled task's waker still counts as "woken during the poll"). Returns false if it cannot:
     * one action per poll, so a second, different action must be done by the caller at once.
     * Asking again for the action already pending returns true and runs it once. The tasks the
     * action wakes are queued as by {@link #runWakingToRing}: the poll-end hand-over is a grant,
     * not the poll's continuation (its one user is a bounded channel's receiver).
     */
    boolean runAtPollEnd(Runnable action);

    /**
     * Runs {@code action} now, on the polling thread, with the tasks it wakes queued where an idle
     * worker can take them: at the back of this worker's ring, with the notification a push that
     * makes work appear sends to a parked worker, instead of this worker's LIFO slot (where only
     * this worker runs them, after the poll). For wakes that hand a resource to tasks which need
     * not run after the waker and had better run beside it: a bounded channel's receiver
     * granting room to waiting senders (issue 11, chan11i). Nests; the wakes made after it
     * returns go where they went before. A context off the workers just runs the action.
     */
    default void runWakingToRing(Runnable action) {
        action.run();
    }

    /**
     * Runs {@code action} now, on the polling thread, with the tasks it wakes queued as by
     * {@link #runWakingToRing} (the back of this worker's ring, notified as any ring push is) only while
     * some worker is parked or searching, one that takes them from there and runs them beside
     * this one; with every worker busy they go where a wake during a poll goes (the LIFO slot:
     * run next here, not behind the work queued in the ring). For a wake whose task had better
     * run on another worker if one is free but must not wait behind queued work otherwise: a
     * bounded channel's receiver woken by a send (issue 11, chan11k). Nests. A context off the
     * workers just runs the action.
     */
    default void runWakingToIdleWorker(Runnable action) {
        action.run();
    }
}
