package io.asyncruntime.task;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * Counts tasks so that a shutdown can wait for them (tokio-util's {@code TaskTracker}): spawn
 * through it or {@link #track} a task, {@link #close()} it when no more will come, and await
 * {@link #whenClosedAndEmpty()}. Unlike {@link JoinSet} it keeps no results and no reference to
 * the tasks (memory does not grow with finished tasks), and it never aborts anything.
 *
 * <pre>{@code
 * TaskTracker tracker = new TaskTracker();
 * for (Connection c : accepted) {
 *     tracker.spawn(runtime, token.runUntilCancelled(serve(c)));
 * }
 * token.cancel();
 * tracker.close();
 * runtime.blockOn(Time.timeout(Duration.ofSeconds(30), tracker.whenClosedAndEmpty()));
 * }</pre>
 *
 * <p>A task counts from the moment it is tracked until it finishes (value or failure) or is
 * cancelled; the count drops inside the task's last poll, just before its join handle completes.
 * A tracked task that is never spawned, polled nor cancelled counts forever. Thread-safe and
 * lock-free.
 */
public final class TaskTracker {

    private static final VarHandle STATE;

    static {
        try {
            STATE = MethodHandles.lookup().findVarHandle(TaskTracker.class, "state", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /** Bit 0 of {@link #state}: closed. */
    private static final long CLOSED = 1;
    /** One tracked task in {@link #state}. */
    private static final long ONE_TASK = 2;

    /** {@code count * ONE_TASK | closed}, so that "closed and empty" is one value: {@link #CLOSED}. */
    @SuppressWarnings("unused") // through STATE
    private long state;
    /** Tasks awaiting {@link #whenClosedAndEmpty()}; woken at each transition to closed and empty. */
    private final ListenerStack waiters = new ListenerStack();

    /** An open, empty tracker. */
    public TaskTracker() {
    }

    /**
     * Spawns {@code task} on {@code spawner}, tracked. If the spawn fails (the runtime is shutting
     * down) the task is not counted and the exception propagates.
     *
     * @param spawner not null
     * @param task not null
     */
    public <T> JoinHandle<T> spawn(Spawner spawner, Task<T> task) {
        if (spawner == null) {
            throw new NullPointerException("spawner must not be null");
        }
        Task<T> tracked = track(task);
        try {
            return spawner.spawn(tracked);
        } catch (RuntimeException | Error e) {
            tracked.cancel(); // never ran: uncount it
            throw e;
        }
    }

    /**
     * {@code task}, counted by this tracker from now until it finishes or is cancelled. Tracking
     * a closed tracker is allowed (as in Tokio): the count just is not empty until it finishes.
     *
     * @param task not null
     */
    public <T> Task<T> track(Task<T> task) {
        if (task == null) {
            throw new NullPointerException("task must not be null");
        }
        STATE.getAndAdd(this, ONE_TASK);
        return new Tracked<>(this, task);
    }

    /**
     * Closes the tracker: {@link #whenClosedAndEmpty()} can complete once the count reaches zero.
     * Tracking goes on being allowed. Returns whether this call closed it.
     */
    public boolean close() {
        long before = (long) STATE.getAndBitwiseOr(this, CLOSED);
        if ((before & CLOSED) != 0) {
            return false;
        }
        if (before == 0) {
            waiters.wakeAll();
        }
        return true;
    }

    /** Opens a closed tracker again; returns whether this call reopened it. */
    public boolean reopen() {
        return ((long) STATE.getAndBitwiseAnd(this, ~CLOSED) & CLOSED) != 0;
    }

    /** Whether the tracker is closed. */
    public boolean isClosed() {
        return ((long) STATE.getVolatile(this) & CLOSED) != 0;
    }

    /** Tasks tracked and not yet finished. */
    public long size() {
        return (long) STATE.getVolatile(this) / ONE_TASK;
    }

    /** Whether no tracked task is unfinished. */
    public boolean isEmpty() {
        return size() == 0;
    }

    /**
     * A task that completes once the tracker is closed and has no unfinished task: at once if it
     * is so now, else at the first moment it becomes so after the task was first polled (it then
     * completes even if the tracker is reopened before the task is polled again). Cancelling it
     * leaves nothing registered.
     */
    public Task<Void> whenClosedAndEmpty() {
        return new WhenClosedAndEmpty();
    }

    private void release() {
        long after = (long) STATE.getAndAdd(this, -ONE_TASK) - ONE_TASK;
        if (after == CLOSED) {
            waiters.wakeAll();
        }
    }

    private boolean isClosedAndEmpty() {
        return (long) STATE.getVolatile(this) == CLOSED;
    }

    /** Tasks waiting on this object right now: for tests. */
    int waitingTasks() {
        return waiters.liveListeners();
    }

    @Override
    public String toString() {
        return "TaskTracker[size=" + size() + (isClosed() ? ", closed]" : "]");
    }

    private final class WhenClosedAndEmpty implements Task<Void> {
        private ListenerStack.Waiter waiter;

        @Override
        public Poll<Void> poll(Context cx) {
            if (isClosedAndEmpty() || (waiter != null && !waiter.isLive())) {
                // Closed and empty now, or it was when our waiter was fired.
                waiter = null;
                return Poll.ready(null);
            }
            Waker waker = cx.waker();
            if (waiter == null || !waiter.wakes(waker)) {
                if (waiter != null) {
                    waiter.remove();
                }
                waiter = waiters.pushWaiter(waker);
            }
            // Re-check after registering: a transition before the push woke nobody.
            if (isClosedAndEmpty()) {
                waiter.remove();
                waiter = null;
                return Poll.ready(null);
            }
            return Poll.pending();
        }

        @Override
        public void cancel() {
            if (waiter != null) {
                waiter.remove();
                waiter = null;
            }
        }
    }

    /** A tracked task: uncounts itself once, when it finishes or is cancelled. */
    private static final class Tracked<T> extends FinishReportingTask<T> {
        private final TaskTracker tracker;

        Tracked(TaskTracker tracker, Task<T> inner) {
            super(inner);
            this.tracker = tracker;
        }

        @Override
        void onFinished() {
            tracker.release();
        }
    }
}
