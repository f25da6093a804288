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
     * Asking again for the action already pending returns true and runs it once.
     */
    boolean runAtPollEnd(Runnable action);
}
