package io.asyncruntime.task;

/**
 * What a task gets for one {@link Task#poll(Context) poll}: the waker to use when it cannot make
 * progress yet, and the cooperative budget of the current poll.
 *
 * <p>A context is valid only during the poll it was passed to. Tasks composed inside another
 * task (the branches of a {@code select}, the inner task of a {@code map}) are polled with their
 * parent's context, so they share its waker and its budget.
 */
public interface Context {

    /**
     * The waker of the task being polled. It stays valid after the poll returns: store it and
     * call {@link Waker#wake()} when the task can make progress.
     */
    Waker waker();

    /**
     * Spends one unit of the cooperative budget of this poll (Tokio's {@code poll_proceed}).
     *
     * <p>Runtime resources call this once per ready operation. When it returns {@code false} the
     * budget is spent: the caller must return {@link Task#pending()} without doing the
     * operation, and the context has already arranged for the task to be polled again after the
     * other runnable tasks on its worker. This is what keeps a task that always finds ready work
     * from starving its worker.
     *
     * @return {@code true} if a unit was spent and the operation may proceed
     */
    boolean consumeBudget();

    /**
     * Asks for this task to be polled again after the other runnable tasks of its worker, as
     * if it had been woken and queued at the back. The caller then returns
     * {@link Task#pending()}. Used by {@link Task#yieldNow()}.
     */
    void requestYield();
}
