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
}
