package io.asyncruntime.task;

import java.util.concurrent.CancellationException;

/**
 * The error a task ends with when it was cancelled (aborted through its {@link JoinHandle}, or
 * dropped by a combinator such as {@code select} or {@code timeout}) before it produced a value.
 *
 * <p>It is a {@link CancellationException}, so {@link java.util.concurrent.Future#get()} and
 * {@link java.util.concurrent.CompletionStage} users see the standard type.
 */
public class TaskCancelledException extends CancellationException {

    private static final long serialVersionUID = 1L;

    /** Creates the exception with a message that says what was cancelled. */
    public TaskCancelledException(String message) {
        super(message);
    }
}
