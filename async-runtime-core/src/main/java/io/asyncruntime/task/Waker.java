package io.asyncruntime.task;

/**
 * A handle that tells an executor a task can make progress and should be polled again.
 *
 * <p>A leaf task that returns {@link Task#pending()} must first have arranged for the waker of
 * its {@link Context} to be woken when progress is possible; otherwise the task is never polled
 * again. Waking is idempotent and cheap: waking a task that is already scheduled, running or
 * finished does nothing beyond recording the wake. A waker may be called from any thread, any
 * number of times, including after its task finished.
 */
@FunctionalInterface
public interface Waker {

    /** Schedules the task this waker belongs to for another poll. Safe from any thread. */
    void wake();

    /**
     * Whether this waker is obsolete: whoever it would wake has stopped waiting, for good (a
     * combinator branch that finished or was cancelled, a thread whose wait timed out). What holds
     * wakers until an event (a handle's list of awaiters) may then drop it without waking it, so
     * awaits that were given up do not pile up on a long-lived handle.
     *
     * <p>Must be monotonic: once it returned {@code true} it returns {@code true} for ever, and a
     * waker that reports itself obsolete must not depend on being woken any more. May be called
     * from any thread, concurrently with {@link #wake()}; must be cheap and must not block.
     *
     * @return {@code true} if a wake is no longer needed by anyone; the default, {@code false},
     *     keeps the waker until the event it waits for happens or its task finishes
     */
    default boolean isObsolete() {
        return false;
    }
}
