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
 * <p>Thread-confined: only the thread polling with it touches it, except {@link #current}, which a
 * dump and the shutdown's wait read (acquire), and {@link #polling}, which the stall detector reads
 * racily with it for its log line ({@link WorkerHandOver#pollingTaskName()}).
 *
 * <p><b>One cell field, and a flag</b> (issues 10, 14). {@link #current} is the cell of the poll in
 * progress or, between polls, the cell of the last poll that started here (or that the stop-time
 * loop cancels, {@link #showCancelling}); {@link #polling} tells the two apart. Only
 * {@link #enter} stores a cell: on JDK 17 and 25 G1's post-write barrier runs a StoreLoad fence
 * for each store of a young object's reference into an old one (this context is old, cells are
 * young), so a poll that sets a cell field and then keeps its cell as the last one left paid two;
 * a flag store pays none, and a null store no card mark. So {@link #leave} stores no reference:
 * every reader that means "in a poll now" reads the flag, on this thread (exact: {@link #waker()},
 * {@link Worker#schedule}, {@link Worker#polling()}, {@code BlockInPlace}) or racily (the stall
 * detector's log line, a best effort). A dump and the shutdown's wait read only the field: they
 * list a cell found there if it is unlinked and not COMPLETE ({@link LazyLink}, "Dumps"), whether
 * its poll is in progress or has ended, so they need no flag, and what they see of it (RUNNING,
 * the "still inside a poll" count) is the cell's own state word. That keeps both sound: a cell
 * shown after its poll ended is listed only while unlinked and not COMPLETE, which is only from
 * its leave to its link (a pending return) or to its COMPLETE (a completion, counted first), with
 * no other poll in between, when the old last-cell-left field showed it too; and a poll that does
 * not return keeps its cell in the field, RUNNING, as before.
 *
 * <p><b>The last cell left stays visible</b> (review26 F2). A worker's cell that completes in its
 * first poll is never linked ({@link LazyLink}); the poller leaves the poll ({@link #leave}) before
 * it completes the cell, which counts the completion and then publishes COMPLETE, with no other
 * poll on this thread in between. So that {@link SchedulerShutdown#awaitCompletionsPublished} sees
 * such a cell between its count and its COMPLETE, the field keeps it from its {@link #enter} until
 * the next write, each a release store made by this thread after that COMPLETE: the next poll's
 * {@link #enter}, the park's {@link #forgetLastLeft} (null), the stop-time loop's
 * {@link #showCancelling}. The count's release store comes after the enter's, so a reader whose
 * acquire read saw the count then reads (acquire) this cell, or a later value, whose release store
 * came after the cell's COMPLETE: either way it sees the cell unfinished or COMPLETE, never a
 * counted cell unfinished and hidden. A linked cell stays in the field too (its shard shows it
 * until it is COMPLETE; readers skip it there), so retention is bounded to the latest polled cell
 * until the next poll or the park (review32 F1: never an earlier cell while the worker polls
 * others). The worker's stop-time cancel loop and a first poll refused after the abort began show
 * the cell they cancel the same way ({@link #showCancelling}), outside any poll.
 */
final class PollContext extends HeadPadding implements Context, TaskPoller, PollEndDeferral {

    private static final VarHandle CURRENT;

    static {
        try {
            CURRENT = MethodHandles.lookup().findVarHandle(PollContext.class, "current", TaskCell.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final Worker worker;
    /**
     * Through {@link #CURRENT}: the cell being polled, or between polls the cell of the last poll
     * that started here (or that the stop-time loop cancels), or null after a park; see the class
     * comment. Written with release stores by this context's thread only (which reads it plain),
     * read with acquire by any.
     */
    private TaskCell<?> current;
    /**
     * Whether a poll is in progress ({@link #current} is its cell). This thread writes and reads it
     * plain; the stall detector reads it racily (a best effort).
     */
    private boolean polling;
    /** The lane of the cell being polled; meaningful while {@link #polling}. */
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

    /**
     * The cell being polled, or of the last poll started here, or being cancelled by the stop-time
     * loop, or null; any thread (acquire), for a dump or the shutdown's wait (see the class comment).
     */
    TaskCell<?> shown() {
        return (TaskCell<?>) CURRENT.getAcquire(this);
    }

    /** The cell being polled, or null between polls. This context's thread only. */
    TaskCell<?> polled() {
        return polling ? current : null;
    }

    /** Whether a poll is in progress. This context's thread only. */
    boolean isPolling() {
        return polling;
    }

    /**
     * A poll ended without {@link #leave} (a runtime bug caught by the worker): not in a poll now.
     * The cell stays shown, as after a leave.
     */
    void abandonPoll() {
        polling = false;
    }

    /**
     * The cell being polled, or null between polls, read racily from another thread: for the stall
     * detector's log line, a best effort: the flag, then the field (opaque), read apart, so a poll
     * that ends or starts meanwhile may show the next cell, or this one just after it ended (a
     * reference read is atomic and a cell's name immutable). A poll stalled for the detector's
     * threshold was entered long before, and its two stores are visible by then in practice.
     */
    TaskCell<?> polledRacy() {
        return polling ? (TaskCell<?>) CURRENT.getOpaque(this) : null;
    }

    /**
     * The worker parks: the last cell polled (completed, or linked) need not stay reachable from
     * here meanwhile. Release: its COMPLETE comes before. Between polls only.
     */
    void forgetLastLeft() {
        if (current != null) { // plain: written only by this thread
            CURRENT.setRelease(this, null);
        }
    }

    /**
     * The stop-time cancel loop is about to cancel {@code task}, which it took out of a queue, or
     * a first poll refused after the abort began is about to cancel its cell (TaskCell.run): shows
     * it in {@link #current} (release), so that the shutdown's wait sees it between the count of
     * its cancellation and its COMPLETE. Outside any poll (the refused first poll never enters),
     * so {@link #polling} stays false.
     */
    @Override
    public void showCancelling(ScheduledTask task) {
        CURRENT.setRelease(this, task instanceof TaskCell<?> c ? c : null);
    }

    /** The scheduler of the worker this context's polls run on. */
    Scheduler scheduler() {
        return worker.scheduler;
    }

    @Override
    public Context enter(TaskCell<?> polled) {
        // Release: the previous cell's COMPLETE (and anything before) comes first; the one
        // reference store of the poll (see the class comment, "One cell field, and a flag").
        CURRENT.setRelease(this, polled);
        polling = true;
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
        // No reference store: the cell stays in the field, where the shutdown's wait sees it
        // between its count and its COMPLETE (the class comment, "The last cell left stays
        // visible"), until the next enter, the park or the stop-time loop replaces it.
        polling = false;
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

    /** This context's worker, unless {@code blockInPlace} gave it away: then a thread outside the workers (-1). */
    @Override
    public int completerIndex() {
        return handedOver ? -1 : worker.index;
    }

    @Override
    public Waker waker() {
        if (!polling) {
            throw new IllegalStateException("Context.waker() used outside the poll it was passed to");
        }
        return current;
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
