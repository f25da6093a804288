package io.asyncruntime.task;

import java.util.concurrent.CompletionStage;
import java.util.concurrent.Future;

/**
 * The handle of a spawned task: await it inside another task, chain on it as a
 * {@link CompletionStage}, or block on it as a {@link Future} from plain Java code.
 *
 * <p>Forgetting a handle detaches the task: it runs on to completion, as in Tokio. Cancelling the
 * handle as a {@link Task} (what {@code select} does to a losing branch) only drops this
 * awaiter's interest; {@link #abort()} (or {@link Future#cancel(boolean)}) is what stops the
 * spawned task.
 *
 * <p>The handle always completes: with the task's value, with the exception the task threw, or
 * with a {@link TaskCancelledException} if the task was aborted or its runtime shut down first.
 *
 * @param <T> the task's value type
 */
public interface JoinHandle<T> extends Task<T>, Future<T>, CompletionStage<T> {

    /**
     * Cancels the task at its next poll boundary: a task that is idle or queued is cancelled at
     * once (its {@link Task#cancel()} releases what it registered); a task being polled is
     * cancelled as soon as that poll returns pending. The handle then completes with a
     * {@link TaskCancelledException}. A task that completes before the abort takes effect keeps
     * its result. ({@link Future#cancel(boolean)} differs there: once it returned true the handle
     * is done and cancelled, as its contract requires, and the outcome of a poll in progress is
     * dropped.) Idempotent; safe from any thread.
     */
    void abort();

    /** Whether the task has finished: completed with a value, failed, or cancelled. */
    boolean isFinished();

    /** The lane the task was spawned into. */
    Priority priority();

    /** The task's name, for logs, metrics and task dumps. */
    String name();
}
