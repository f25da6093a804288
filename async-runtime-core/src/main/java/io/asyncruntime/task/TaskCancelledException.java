package io.asyncruntime.task;

import java.util.concurrent.CancellationException;

/**
 * The error a task ends with when it was cancelled (aborted through its {@link JoinHandle}, or
 * dropped by a combinator such as {@code select} or {@code timeout}) before it produced a value.
 *
 * <p>It is a {@link CancellationException}, so {@link java.util.concurrent.Future#get()} and
 * {@link java.util.concurrent.CompletionStage} users see the standard type.
 *
 * <p>The runtime's own cancellations (an abort, a shutdown, {@code Future.cancel}) are made by
 * {@link #withoutStackTrace}: their stack would show only the runtime's frames, and walking it was
 * most of the cost of aborting an idle task (a shutdown aborts every task left, on one thread).
 * Their message names the task and the reason, and {@code JoinHandle.get} throws a fresh
 * exception, with the caller's stack, whose cause is the stored one. Set the system property
 * {@value #STACK_TRACES_PROPERTY} to {@code true} to give them a stack trace as well (the same trade
 * kotlinx.coroutines makes for its job cancellations outside its debug mode).
 */
public class TaskCancelledException extends CancellationException {

    private static final long serialVersionUID = 1L;

    /** The system property that makes even the runtime's own cancellations record a stack trace. */
    public static final String STACK_TRACES_PROPERTY = "asyncruntime.cancellation.stackTraces";

    private static final boolean ALWAYS_STACK_TRACES = Boolean.getBoolean(STACK_TRACES_PROPERTY);

    /**
     * Creates the exception with a message that says what was cancelled, and the stack trace of
     * the calling thread.
     *
     * @param message what was cancelled and why; may be null
     */
    public TaskCancelledException(String message) {
        super(message);
        super.fillInStackTrace(); // the constructor's own call reached the override below, which skips it
    }

    private TaskCancelledException(String message, boolean stackTrace) {
        super(message);
        if (stackTrace) {
            super.fillInStackTrace();
        }
    }

    /**
     * A cancellation without a stack trace (unless {@value #STACK_TRACES_PROPERTY} is set), for
     * cancellations whose message says all there is: creating one walks no stack.
     *
     * @param message what was cancelled and why; may be null
     * @return a new exception, never null
     */
    public static TaskCancelledException withoutStackTrace(String message) {
        return new TaskCancelledException(message, ALWAYS_STACK_TRACES);
    }

    /**
     * Leaves the trace alone: the constructors record it themselves, when they should (Throwable's
     * constructor calls this before a subclass constructor could say which kind it makes). An
     * instance's trace can still be replaced with {@link #setStackTrace}.
     *
     * @return this exception
     */
    @Override
    public Throwable fillInStackTrace() {
        return this;
    }
}
