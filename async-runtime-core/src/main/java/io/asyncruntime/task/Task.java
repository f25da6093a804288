package io.asyncruntime.task;

/**
 * A lazy, poll-based description of asynchronous work that produces a value of type {@code T}.
 *
 * <p>Nothing runs until the task is spawned on a runtime or awaited by a task that is running.
 * The executor then calls {@link #poll(Context)}: the task returns its value, throws its failure,
 * or returns {@link #pending()} after arranging for {@code context.waker()} to be woken when it
 * can make progress. A task is a one-shot state machine: it has one owner that polls it, never
 * from two threads at once, and never again after it returned a value, threw, or was cancelled.
 *
 * <p>Most users compose tasks with the combinators rather than implement {@code poll}; writing
 * {@code poll} is for new leaf tasks, as writing {@code Future::poll} is in Rust.
 *
 * @param <T> the value type; {@code null} is a legal value
 */
public interface Task<T> {

    /**
     * Makes progress. Returns the value when done, or {@link #pending()} after arranging for
     * {@code cx.waker()} to be woken. Throwing fails the task with that exception.
     */
    T poll(Context cx) throws Exception;

    /**
     * Drops the task before it finished: releases everything it registered (timer entries,
     * waiter slots, I/O interest) and cancels the tasks composed inside it. Called by the owner
     * only, never concurrently with {@code poll}, at most once, and never after the task finished.
     * The default releases nothing.
     */
    default void cancel() {
    }

    /** The marker a {@link #poll} returns when the task is not ready; compare with {@link #isPending}. */
    @SuppressWarnings("unchecked")
    static <T> T pending() {
        return (T) Pending.MARKER;
    }

    /** Whether a value returned by {@link #poll} is the pending marker rather than a result. */
    static boolean isPending(Object polled) {
        return polled == Pending.MARKER;
    }
}
