package io.asyncruntime.internal.scheduler;

import io.asyncruntime.task.Context;
import io.asyncruntime.task.Waker;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * The {@link Context} of the polls a worker runs, and the {@link TaskPoller} its cells report to:
 * which cell is being polled, its lane, the cooperative budget, whether the poll asked to yield.
 *
 * <p>Separate from {@link Worker} because a poll can outlive its thread's hold on the worker:
 * {@code blockInPlace} hands the worker (its queues, LIFO slot and run loop) to a replacement
 * thread in the middle of a poll, and the poll then finishes on the old thread. That thread keeps
 * this object and the worker gets a new one, so the two threads never share a field. After the
 * hand-over ({@link #handedOver}) what the rest of the poll reports goes through the scheduler as
 * from any thread outside the workers: a re-queue to the inject queue, a completion to the remote
 * count.
 *
 * <p>Thread-confined: only the thread polling with it touches it, except {@link #cell}, which the
 * stall detector reads (racily, for its log line) through {@link WorkerHandOver#pollingTaskName()}
 * and a dump reads racily, and {@link #lastLeft}, read by a dump and the shutdown's wait.
 *
 * <p><b>The last cell left stays visible</b> (review26 F2). A worker's cell that completes in its
 * first poll is never linked ({@link LazyLink}); the poller leaves the poll ({@link #leave}) before
 * it completes the cell, which counts the completion and then publishes COMPLETE. So that
 * {@link SchedulerShutdown#awaitCompletionsPublished} sees such a cell between its count and its
 * COMPLETE, {@link #leave} keeps it in {@link #lastLeft} until a later poll of a cell not linked
 * yet ends here (or the worker parks, {@link #forgetLastLeft}): one more release store per such
 * poll. A linked cell's poll leaves the field as it is: the shard shows that cell until it is
 * COMPLETE, and the value kept is an earlier cell, COMPLETE or linked by now. The count's release
 * store comes after it, so a reader whose acquire read saw the count then reads (acquire) this
 * cell, or a later value, written after the cell's COMPLETE: either way it sees the cell
 * unfinished or COMPLETE. The worker's stop-time cancel loop shows each cell it cancels the same
 * way ({@link #showCancelling}).
 */
final class PollContext extends HeadPadding implements Context, TaskPoller, PollEndDeferral {

    private static final VarHandle LAST_LEFT;

    static {
        try {
            LAST_LEFT = MethodHandles.lookup().findVarHandle(PollContext.class, "lastLeft", TaskCell.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final Worker worker;
    /** The cell being polled; null between polls. */
    TaskCell<?> cell;
    /**
     * Through {@link #LAST_LEFT}: the cell of the last poll that ended here (or that the stop-time
     * loop cancels), until the next one ends; see the class comment. Written with release stores
     * by this context's thread, read with acquire by any.
     */
    @SuppressWarnings("unused")
    private TaskCell<?> lastLeft;
    /** Its lane; meaningful while {@link #cell} is set. */
    int lane;
    /** Budget units left in this poll (and in the LIFO polls that follow it). */
    int budget;
    private boolean yieldRequested;
    /** Set by this thread when {@code blockInPlace} gave the worker to another thread. */
    private boolean handedOver;
    /** What {@link #leave()} runs before it ends the poll, or null; see {@link PollEndDeferral}. */
    private Runnable atPollEnd;
    /**
     * Set while a {@link #runWakingToRing} action (or the poll-end action) runs: {@link Worker#schedule}
     * then sends a woken task to the ring, not the LIFO slot. This thread only.
     */
    boolean wakesToRing;
    /**
     * Set while a {@link #runWakingToIdleWorker} action runs: {@link Worker#schedule} then sends a
     * woken task to the ring if some worker is parked or searching. This thread only.
     */
    boolean wakesToIdleWorker;

    PollContext(Worker worker) {
        this.worker = worker;
    }

    /** This poll's thread no longer runs the worker; see the class comment. */
    void handOver() {
        handedOver = true;
    }

    /** Undoes {@link #handOver()} (the replacement thread could not be started). */
    void takeBack() {
        handedOver = false;
    }

    boolean isHandedOver() {
        return handedOver;
    }

    /** The cell of the last poll that ended here, or null; any thread (acquire). */
    TaskCell<?> lastLeft() {
        return (TaskCell<?>) LAST_LEFT.getAcquire(this);
    }

    /**
     * The worker parks: the last cell left (completed, or linked) need not stay reachable from
     * here meanwhile. Release: its COMPLETE comes before.
     */
    void forgetLastLeft() {
        if (lastLeft != null) { // plain: written only by this thread
            LAST_LEFT.setRelease(this, null);
        }
    }

    /**
     * The stop-time cancel loop is about to cancel {@code task}, which it took out of a queue, or
     * a first poll refused after the abort began is about to cancel its cell (TaskCell.run):
     * shows it as the last cell left (release), so that the shutdown's wait sees it between the
     * count of its cancellation and its COMPLETE.
     */
    @Override
    public void showCancelling(ScheduledTask task) {
        LAST_LEFT.setRelease(this, task instanceof TaskCell<?> c ? c : null);
    }

    /** The scheduler of the worker this context's polls run on. */
    Scheduler scheduler() {
        return worker.scheduler;
    }

    @Override
    public Context enter(TaskCell<?> polled) {
        cell = polled;
        lane = polled.lane();
        yieldRequested = false;
        return this;
    }

    /**
     * Runs the deferred action, if any, once, through {@link #runWakingToRing}: before the cell is
     * cleared, so its wakes are wakes "during the poll" (counted, budgeted as the task's own), but
     * they go to the back of the ring, not the LIFO slot (a channel's grant: the woken sender may
     * then run on an idle worker beside the receiver). Also run before {@code blockInPlace} hands
     * the worker over (review27: a poll that then waits for a sender the action would wake would
     * wait forever).
     */
    @Override
    public void endPoll() {
        Runnable action = atPollEnd;
        if (action != null) {
            atPollEnd = null;
            runWakingToRing(action);
        }
    }

    @Override
    public void runWakingToRing(Runnable action) {
        boolean outer = wakesToRing;
        wakesToRing = true;
        try {
            action.run();
        } finally {
            wakesToRing = outer;
        }
    }

    @Override
    public void runWakingToIdleWorker(Runnable action) {
        boolean outer = wakesToIdleWorker;
        wakesToIdleWorker = true;
        try {
            action.run();
        } finally {
            wakesToIdleWorker = outer;
        }
    }

    @Override
    public boolean leave() {
        endPoll(); // normally a no-op: TaskCell.run called it inside the poll's try
        TaskCell<?> left = cell;
        if (left == null || LazyLink.isUnlinked(left)) {
            // Release: this cell's COMPLETE, and the previous one's, come before the store (the
            // class comment, "The last cell left stays visible"). Only a cell that was never
            // linked needs it: a linked one stays in its shard until it is COMPLETE, where the
            // shutdown's wait and dumps find it, and a cell never goes from linked back to unlinked.
            // A reference store into this long-lived object costs G1's card-marking barrier, a
            // StoreLoad fence, so every poll of a task that yields or waits no longer pays it.
            LAST_LEFT.setRelease(this, left);
        } else if (lastLeft != null) { // plain: written only by this thread
            // A linked cell's poll lets go of the earlier unlinked one (COMPLETE by now: release,
            // as forgetLastLeft), so that a worker busy with linked tasks does not keep a completed
            // task's result reachable for as long as it runs (review32 F1). A null store needs no
            // card mark, and is made once, not every poll.
            LAST_LEFT.setRelease(this, null);
        }
        cell = null;
        boolean yielded = yieldRequested;
        yieldRequested = false;
        return yielded;
    }

    @Override
    public void requeue(ScheduledTask task) {
        if (handedOver) {
            worker.scheduler.schedule(task, true); // not a worker now: the inject queue
        } else {
            worker.requeue(task);
        }
    }

    @Override
    public void taskCompleted() {
        if (handedOver) {
            worker.scheduler.taskCompleted();
        } else {
            worker.counters.increment(WorkerCounters.COMPLETIONS);
        }
    }

    @Override
    public Waker waker() {
        TaskCell<?> polled = cell;
        if (polled == null) {
            throw new IllegalStateException("Context.waker() used outside the poll it was passed to");
        }
        return polled;
    }

    @Override
    public boolean consumeBudget() {
        if (budget > 0) {
            budget--;
            return true;
        }
        yieldRequested = true;
        if (!handedOver) {
            worker.counters.increment(WorkerCounters.BUDGET_FORCED_YIELDS);
        }
        return false;
    }

    @Override
    public boolean runAtPollEnd(Runnable action) {
        if (handedOver) {
            return false; // the poll runs blocking code now (blockInPlace): serve at once
        }
        Runnable pending = atPollEnd;
        if (pending == null) {
            atPollEnd = action;
            return true;
        }
        return pending == action;
    }

    @Override
    public void requestYield() {
        yieldRequested = true;
    }
}
