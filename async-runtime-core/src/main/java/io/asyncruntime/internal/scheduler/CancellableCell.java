package io.asyncruntime.internal.scheduler;

import io.asyncruntime.task.TaskCancelledException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * The state word of a task cell ({@link TaskState}) and the transitions that others than the
 * task's poller make on it to cancel: {@link #abort()}, {@link java.util.concurrent.Future#cancel}
 * and the shutdown's {@link #cancelQueued}. {@link TaskCell} adds the task, its polls and its
 * completion, including {@link #cancelAndComplete}, which drops the task. The split keeps one idea per file;
 * a spawn is still one object (this class adds one field, the state word).
 *
 * <p>Memory ordering: the state word is a plain field reached only through {@link #STATE}, with
 * volatile CAS and volatile or acquire reads (see {@link TaskCell}).
 */
abstract class CancellableCell<T> extends AwaitableCell<T> {

    /** The state word's handle, for {@link TaskCell}'s transitions too. */
    static final VarHandle STATE;

    static {
        try {
            STATE = MethodHandles.lookup().findVarHandle(CancellableCell.class, "state", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    @SuppressWarnings("unused") // through STATE
    private int state;

    CancellableCell(int initialState) {
        this.state = initialState;
    }

    /**
     * The owner (the caller set RUNNING) drops the task and completes the handle as cancelled
     * with {@code why} in the message.
     */
    abstract void cancelAndComplete(String why);

    /** Why a task of this cell's runtime is being cancelled, for the cancellation's message. */
    abstract String abortReason();

    @Override
    public void abort() {
        abortIfLive();
    }

    /**
     * {@link java.util.concurrent.Future#cancel}: as {@link #abort()}, and moreover the
     * cancellation wins over the outcome of a poll in progress, so that from the moment this
     * returns true {@link #isDone()} and {@link #isCancelled()} are true and {@code get} throws
     * {@link TaskCancelledException}, as the {@code Future} contract requires. False if the task
     * had completed or was cancelled this way before. {@code mayInterruptIfRunning} is ignored: a
     * poll is never interrupted.
     */
    @Override
    public boolean cancel(boolean mayInterruptIfRunning) {
        if (!requestCancel(TaskState.CANCELLED | TaskState.FUTURE_CANCELLED)) {
            return false;
        }
        abort(); // the cell part is done; what a subclass adds to abort (a pool's dequeue) runs
        return true;
    }

    @Override
    final boolean isFutureCancelled() {
        return (((int) STATE.getAcquire(this)) & TaskState.FUTURE_CANCELLED) != 0;
    }

    /** Whether {@code outcome} is a cancellation (boxed as a {@link TaskCell.Failure}). */
    static boolean isCancellation(Object outcome) {
        return outcome instanceof TaskCell.Failure failure && failure.cause() instanceof TaskCancelledException;
    }

    /**
     * {@link #abort()}, telling whether this call requested the cancellation: false if the task
     * had completed or was already being cancelled. An idle task is cancelled on the calling
     * thread; a queued or running one at its next poll boundary.
     */
    final boolean abortIfLive() {
        return requestCancel(TaskState.CANCELLED);
    }

    /**
     * Sets {@code marks} (CANCELLED, with or without FUTURE_CANCELLED) unless the task completed
     * or all of them are set already; returns whether this call set them.
     */
    private boolean requestCancel(int marks) {
        int s = (int) STATE.getVolatile(this);
        for (;;) {
            if ((s & TaskState.COMPLETE) != 0 || (s & marks) == marks) {
                return false;
            }
            boolean idle = (s & (TaskState.RUNNING | TaskState.NOTIFIED)) == 0;
            // An idle task is taken over (RUNNING) and cancelled right here; a queued or running
            // one is marked, and whoever polls it next (or the poller, when its poll returns)
            // cancels it at that poll boundary.
            int next = idle ? s | marks | TaskState.RUNNING : s | marks;
            int witness = (int) STATE.compareAndExchange(this, s, next);
            if (witness == s) {
                if (idle) {
                    cancelAndComplete(abortReason());
                }
                return true;
            }
            s = witness;
        }
    }

    /**
     * Cancels on the owner's behalf when the runtime will never run this queued cell (shutdown).
     * Called with NOTIFIED set by the caller that holds the cell out of every queue.
     */
    @Override
    void cancelQueued(String why) {
        int s = (int) STATE.getVolatile(this);
        for (;;) {
            if ((s & (TaskState.COMPLETE | TaskState.RUNNING)) != 0) {
                return;
            }
            int witness = (int) STATE.compareAndExchange(this, s, (s & ~TaskState.NOTIFIED) | TaskState.RUNNING);
            if (witness == s) {
                cancelAndComplete(why);
                return;
            }
            s = witness;
        }
    }

    /** The raw state word, for diagnostics and tests. */
    int state() {
        return (int) STATE.getVolatile(this);
    }

    @Override
    public boolean isFinished() {
        return TaskState.isComplete((int) STATE.getAcquire(this));
    }
}
