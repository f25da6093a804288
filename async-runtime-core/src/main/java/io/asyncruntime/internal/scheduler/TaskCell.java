package io.asyncruntime.internal.scheduler;

import io.asyncruntime.task.Context;
import io.asyncruntime.task.JoinHandle;
import io.asyncruntime.task.Poll;
import io.asyncruntime.task.Priority;
import io.asyncruntime.task.Task;
import io.asyncruntime.task.TaskCancelledException;
import io.asyncruntime.task.Waker;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one runtime-owned cell of a spawned task: the task, its outcome, its polls and completion;
 * with, in {@link StampedCell}, its registry link, its stamps and the poll count's bookkeeping,
 * in {@link CancellableCell}, the state word and the cancel requests, and in
 * {@link AwaitableCell}, its waiters. It is the task's {@link Waker} and its {@link JoinHandle},
 * so a plain spawn allocates this object and nothing else (48 bytes: header 12, queue link,
 * waiters, scheduler, state, slot, and for the live-task registry one link and two stamps), and
 * a wake allocates nothing (it re-queues this same cell). For a spawned task the scheduler field
 * holds its registry shard ({@link TaskShard}), which passes scheduling on.
 *
 * <p>The state machine is documented in {@link TaskState}. Memory ordering: the state word is a
 * plain field reached only through {@link #STATE} with volatile CAS, the owner's volatile atomic
 * adds ({@link #takeOwnership}, {@link #addPolls}) and volatile/acquire reads.
 * The outcome is written by the owner before the CAS that sets COMPLETE (which releases it) and
 * read only after an acquire read that saw COMPLETE. Cells are never pooled: a stale waker held by
 * some resource must never wake a recycled cell (the ABA hazard in ARCHITECTURE.md).
 *
 * <p>Whatever a task does in its poll, only its own handle bears it: a throw or a broken
 * contract (a {@code null} poll result) fails this handle, and the worker goes on.
 */
class TaskCell<T> extends StampedCell<T> implements JoinHandle<T>, Waker {

    private static final Logger log = LoggerFactory.getLogger(TaskCell.class);

    /** What the body is (kept in the state word): a Runnable or Callable needs no adapter. */
    static final int TASK = 0;
    static final int RUNNABLE = 1;
    static final int CALLABLE = 2;

    private final CellScheduler scheduler;
    /**
     * Before completion, the work (a {@link Task}, {@link Runnable} or {@link Callable}), owned by
     * the thread holding RUNNING; from completion on, the outcome (the value or a
     * {@link Failure}), published by the CAS that sets COMPLETE. One field for both keeps a cell
     * at 32 bytes.
     */
    private Object slot;
    TaskCell(CellScheduler scheduler, Task<T> task, Priority priority) {
        this(scheduler, task, TASK, priority);
    }

    TaskCell(CellScheduler scheduler, Object body, int kind, Priority priority) {
        super(TaskState.initial(priority.ordinal(), kind));
        this.scheduler = scheduler;
        this.slot = body;
        long now = scheduler.coarseNanos();
        this.spawnStamp = (int) (now >>> TaskRegistry.SPAWN_STAMP_SHIFT);
        this.pollStamp = (int) (now >>> TaskRegistry.POLL_STAMP_SHIFT) & POLL_STAMP_MASK;
    }

    /** A cell for a named task: the name lives in a subclass so unnamed cells do not pay for it. */
    static <T> TaskCell<T> create(CellScheduler scheduler, Object body, int kind, Priority priority, String name) {
        return name == null ? new TaskCell<>(scheduler, body, kind, priority) : new NamedTaskCell<>(scheduler, body, kind, priority, name);
    }

    /** The scheduler this cell was made with: for a spawned cell, its registry shard (see QueuedSpawns). */
    final CellScheduler cellScheduler() {
        return scheduler;
    }

    @Override
    int lane() {
        // The lane bits never change after construction: a plain read sees them.
        return TaskState.lane((int) STATE.get(this));
    }

    // ---- the worker side ------------------------------------------------------------------

    /**
     * Polls the task once; called by a worker that took this cell off a queue.
     *
     * <p>Kept under C2's hot-inlining limit ({@code FreqInlineSize}, 325 bytecodes) so that the
     * worker's poll loop can inline it, and small once compiled: every branch a yield does not
     * take (a fold of the uncounted polls, a refused first poll, a cancellation, a failure) is a
     * method of its own. At 345 bytecodes it was never inlined ("hot method too big", JDK 17), and
     * its own compiled code, with the yield's re-queue, was a separate frame on every poll (perf,
     * issue 14, yield_many). YieldPathStaysInlineableTest keeps the bytecode bound.
     */
    @Override
    void run(TaskPoller worker) {
        int s = (int) STATE.getVolatile(this);
        int uncounted = 0;
        if ((s & (TaskState.RUNNING | TaskState.NOTIFIED | TaskState.COMPLETE)) == TaskState.RUNNING
                && TaskState.kind(s) == TASK) {
            // Yield-queued (see TaskState) and not woken since: its owner kept RUNNING when it
            // re-queued it after a yield, and the queue handed it over to us (release by the
            // pusher, acquire by the taker). No CAS, and mostly no atomic at all: this poll is
            // counted in the stamp's uncounted-poll bits (plain, ours while we hold RUNNING), and
            // only every MAX_UNCOUNTED_POLLS + 1 such takes does one atomic add move them to the
            // word ({@link #foldUncountedPolls}).
            // A lock-prefixed add per yield was the single largest cost of yield_many (JFR).
            int stamp = pollStamp;
            if ((stamp & YIELD_QUEUED) == 0) {
                throw queuedTwice(s);
            }
            uncounted = ((stamp & UNCOUNTED_POLLS) >>> UNCOUNTED_SHIFT) + 1;
            if (uncounted > MAX_UNCOUNTED_POLLS) {
                s = foldUncountedPolls(s, stamp, uncounted);
                uncounted = 0;
            }
        } else {
            s = takeOwnership(s);
            if (LazyLink.isUnlinked(this) && LazyLink.refusedAll(this)) { // a first poll after the abort began
                refuseFirstPoll(worker);
                return;
            }
        }
        // A wake or abort since the cell was queued is seen below or at the end of the poll.
        if ((s & TaskState.CANCELLED) != 0) {
            cancelAtPollStart(worker);
            return;
        }
        // Clears YIELD_QUEUED; keeps the uncounted polls.
        pollStamp = ((int) (scheduler.coarseNanos() >>> TaskRegistry.POLL_STAMP_SHIFT) & POLL_STAMP_MASK)
                | (uncounted << UNCOUNTED_SHIFT);
        // Null until the poll returned a Poll: the catch below tells "the poll threw" (the task
        // finished, having released what it held) from "the poll-end action threw" (it may not have).
        Poll<T> result = null;
        boolean ready;
        try {
            result = pollBody(worker.enter(this));
            if (result == null) {
                throw nullPollResult();
            }
            ready = result.isReady();
            worker.endPoll(); // inside the try: an action that throws fails this task (review27, F2)
        } catch (Throwable failure) {
            pollFailed(failure, result, worker);
            return;
        }
        // The poller keeps this cell visible as the last one left until its next poll starts, so a
        // completion below (counted, then COMPLETE) is seen between the two (PollContext).
        boolean yieldRequested = worker.leave();
        if (ready) {
            complete(result.value(), worker);
            return;
        }
        afterPending(yieldRequested, worker);
    }

    /** A yield-queued take found RUNNING without the mark: the cell was queued twice (a runtime bug). */
    private static IllegalStateException queuedTwice(int s) {
        return new IllegalStateException("task cell dequeued while being polled (state "
                + TaskState.describe(s) + ", not yield-queued): it was queued twice");
    }

    /**
     * A yield-queued take whose uncounted-poll bits are full: moves them, with this poll, to the
     * state word with one atomic add (an add, not a plain store: wakes and aborts may update the
     * word meanwhile). Returns the state the add replaced. The bits are cleared before the add: a
     * dump reads the word, then the stamp, and so may count too few for a moment, never too many;
     * nor does an abort after it count them again.
     */
    private int foldUncountedPolls(int s, int stamp, int uncounted) {
        pollStamp = stamp & ~UNCOUNTED_POLLS;
        return addPolls(s, 0, uncounted);
    }

    /** A first poll refused because the abort began: cancelled, not polled (LazyLink, "Abort"). */
    private void refuseFirstPoll(TaskPoller worker) {
        worker.showCancelling(this); // in no queue, shard or poll now: seen by the shutdown's wait
        cancelAndComplete(scheduler.abortReason());
    }

    /** An abort seen as the poll was about to start: cancelled, not polled. */
    private void cancelAtPollStart(TaskPoller worker) {
        if (LazyLink.isUnlinked(this)) {
            worker.showCancelling(this); // aborted while queued for its first poll: as above
        }
        cancelAndComplete(scheduler.abortReason());
    }

    /** The poll returned null: a broken contract, which fails this task only. */
    private IllegalStateException nullPollResult() {
        return new IllegalStateException("task " + name() + ": poll returned null (" + taskDescription()
                + "); a poll must return Poll.ready(value) or Poll.pending()");
    }

    /**
     * The poll threw, or returned null, or its poll-end action threw: the task fails. {@code result}
     * is what the poll returned, or null if it threw.
     */
    private void pollFailed(Throwable failure, Poll<T> result, TaskPoller worker) {
        try {
            worker.endPoll(); // a throw after the poll deferred something: still run it, once
        } catch (Throwable alsoFailed) {
            failure.addSuppressed(alsoFailed);
        }
        worker.leave();
        if (result != null && !result.isReady()) {
            // The poll returned pending, so the task is alive and holds what it registered
            // (a queued send, a timer); only the poll-end action threw. Failing it drops it,
            // as an abort does and as Tokio drops a future whose poll panicked (review30, F2).
            // A poll that threw or returned ready has finished: Task.cancel() is not for it.
            dropTaskBody();
        }
        complete(new Failure(failure), worker);
    }

    /** What the body is, for an error message: its class (never its toString, user code that may throw). */
    private String taskDescription() {
        Object body = slot;
        return body == null ? "no task" : body.getClass().getName();
    }

    @SuppressWarnings("unchecked")
    private Poll<T> pollBody(Context cx) throws Exception {
        switch (TaskState.kind((int) STATE.get(this))) {
            case RUNNABLE:
                ((Runnable) slot).run();
                return Poll.ready(null);
            case CALLABLE:
                return Poll.ready(((Callable<T>) slot).call());
            default:
                return ((Task<T>) slot).poll(cx);
        }
    }

    /**
     * RUNNING → idle, or back to the queue if woken or yielding during the poll, or cancelled.
     *
     * <p>A yield keeps RUNNING: the cell goes to the back of this worker's queue still owned, and
     * the worker that takes it next polls it without taking it over (see {@link #run}). So a
     * yield costs no atomic on the state word but one add per {@link #MAX_UNCOUNTED_POLLS} + 1
     * yields (the next poll is counted in the stamp's plain bits), where releasing and re-taking
     * it would cost two CAS (with the ring's pop, two thirds of the atomics of
     * {@code yield_many}). A wake in
     * between only sets NOTIFIED (RUNNING is set) and an abort only sets CANCELLED; the next poll
     * consumes the one and honours the other. An abort seen here is honoured at once.
     */
    private void afterPending(boolean yieldRequested, TaskPoller worker) {
        int s = (int) STATE.getVolatile(this);
        if (yieldRequested && (s & TaskState.CANCELLED) == 0 && !LazyLink.isUnlinked(this)) {
            // The yield path, split from the rest so that it stays small enough for the JIT to
            // inline into the poll (on JDK 17 the whole method was compiled apart and called).
            pollStamp |= YIELD_QUEUED; // before the push, whose release publishes it to the taker
            worker.requeue(this);
            return;
        }
        afterPendingNotYielding(s, yieldRequested, worker);
    }

    /** {@link #afterPending} for a first pending return, a cancelled cell or a poll that did not yield. */
    private void afterPendingNotYielding(int s, boolean yieldRequested, TaskPoller worker) {
        if (LazyLink.isUnlinked(this) && (s & TaskState.CANCELLED) == 0 && !LazyLink.linkPending(this)) {
            // The first pending return links it, RUNNING still held: exactly once (LazyLink). Refused
            // once the abort began: cancelled (no uncounted polls: it never yielded before).
            cancelAndComplete(scheduler.abortReason());
            return;
        }
        if (yieldRequested && (s & TaskState.CANCELLED) == 0) {
            pollStamp |= YIELD_QUEUED; // before the push, whose release publishes it to the taker
            worker.requeue(this);
            return;
        }
        // Releasing RUNNING folds the uncounted polls into the word (whoever takes the cell next
        // starts with none); the plain clear is published by the releasing CAS. Restored if the
        // loop ends in a completion instead, which folds them itself. None unless the task
        // yielded before this poll: a task that never yields pays a read and a branch here.
        int uncounted = uncountedPolls();
        if (uncounted != 0) {
            pollStamp &= ~UNCOUNTED_POLLS;
        }
        for (;;) {
            if ((s & TaskState.CANCELLED) != 0) {
                pollStamp |= uncounted << UNCOUNTED_SHIFT;
                cancelAndComplete(scheduler.abortReason());
                return;
            }
            boolean requeue = yieldRequested || (s & TaskState.NOTIFIED) != 0;
            int next = requeue ? (s & ~TaskState.RUNNING) | TaskState.NOTIFIED : s & ~TaskState.RUNNING;
            int witness = (int) STATE.compareAndExchange(this, s, uncounted == 0 ? next : TaskState.countPolls(next, uncounted));
            if (witness == s) {
                if (requeue) {
                    // Back of the queue, never the LIFO slot: a self-wake or yield must let others run.
                    worker.requeue(this);
                }
                return;
            }
            s = witness;
        }
    }

    /**
     * Cancels on the owner's behalf when the runtime will never run this queued cell (shutdown).
     * Called by the caller that holds the cell out of every queue: with NOTIFIED set, or, for a
     * task cell, yield-queued (RUNNING kept by its owner, who handed it over through the queue:
     * the caller owns it now). A runnable or callable cell completes in one poll and is never
     * yield-queued, so RUNNING there means it started, and this is a no-op (what
     * {@code BlockingTask.cancelBeforeStart} relies on).
     */
    @Override
    void cancelQueued(String why) {
        int s = (int) STATE.getVolatile(this);
        if ((s & (TaskState.RUNNING | TaskState.COMPLETE)) == TaskState.RUNNING && TaskState.kind(s) == TASK) {
            cancelAndComplete(why);
            return;
        }
        super.cancelQueued(why);
    }

    @Override
    void cancelAndComplete(String why) {
        dropTaskBody();
        complete(new Failure(TaskCancelledException.withoutStackTrace("task " + name() + " was " + why)), null);
    }

    /**
     * Drops a task that did not finish: its {@code cancel()} releases what it registered. Owner
     * only, before {@link #complete} replaces the body in {@code slot}; a runnable or callable
     * holds nothing between polls. A {@code cancel()} that throws is logged, not propagated: the
     * task completes regardless.
     */
    private void dropTaskBody() {
        Object dropped = slot;
        if (TaskState.kind((int) STATE.get(this)) == TASK) {
            try {
                ((Task<?>) dropped).cancel();
            } catch (Throwable cancelFailure) {
                log.warn("cancel() of task {} threw; its resources may not all be released", name(), cancelFailure);
            }
        }
    }

    /**
     * The owner publishes the outcome, sets COMPLETE, and wakes every waiter. {@code worker} is
     * the poller completing the task, or null off the poll path (abort, shutdown).
     */
    private void complete(Object result, TaskPoller worker) {
        slot = result;
        // Counted before COMPLETE is published: whoever sees the handle finished sees it counted.
        if (worker != null) {
            worker.taskCompleted();
        } else {
            scheduler.taskCompleted();
        }
        int uncounted = uncountedPolls(); // folded into the count by the completing CAS
        int s = (int) STATE.getVolatile(this);
        if ((s & TaskState.FUTURE_CANCELLED) != 0) {
            futureCancelWins(); // before the registry counts the outcome (see below)
        }
        scheduler.unregister(this, worker); // counts the outcome as a cancellation or not
        for (;;) { // s may be stale: the CAS fails then, and the loop goes on with its witness
            if ((s & TaskState.FUTURE_CANCELLED) != 0) {
                // Future.cancel returned true during the poll that produced this outcome: the
                // cancellation wins (its contract). Checked in the loop, so a cancel whose CAS
                // beat ours is seen; one that comes after ours fails on COMPLETE. One that lands
                // after the registry counted the outcome (a window of a few instructions) is
                // counted by the outcome it replaced.
                futureCancelWins();
            }
            int next = TaskState.COMPLETE | (s & (TaskState.CANCELLED | TaskState.FUTURE_CANCELLED | ~TaskState.FLAGS));
            if (uncounted != 0) {
                next = TaskState.countPolls(next, uncounted);
            }
            int witness = (int) STATE.compareAndExchange(this, s, next);
            if (witness == s) {
                break;
            }
            s = witness;
        }
        scheduler.finished(this); // after the CAS: the registry may unlink it now (see ShardSweep, "Dirty")
        // Iteratively, whoever completes: a wake can complete another cell (CompletionCascade).
        wakeWaitersAfterCompletion();
    }

    /** Makes the outcome a cancellation, unless it is one: a {@code Future.cancel} that returned true wins. */
    private void futureCancelWins() {
        if (!isCancellation(slot)) {
            slot = new Failure(TaskCancelledException.withoutStackTrace("task " + name() + " was " + scheduler.abortReason()));
        }
    }

    // ---- the waker side -------------------------------------------------------------------

    @Override
    public void wake() {
        int s = (int) STATE.getVolatile(this);
        for (;;) {
            if ((s & (TaskState.COMPLETE | TaskState.NOTIFIED)) != 0) {
                return;
            }
            int witness = (int) STATE.compareAndExchange(this, s, s | TaskState.NOTIFIED);
            if (witness == s) {
                if ((s & TaskState.RUNNING) == 0) {
                    scheduler.schedule(this, false);
                }
                return;
            }
            s = witness;
        }
    }

    // ---- the handle side ------------------------------------------------------------------

    @Override
    String abortReason() {
        return scheduler.abortReason();
    }

    @Override
    Object outcome() {
        return slot;
    }

    @Override
    public Priority priority() {
        return Priority.ofLane(lane());
    }

    @Override
    public String name() {
        return "task-" + Integer.toHexString(System.identityHashCode(this));
    }

    /**
     * Awaiting the handle inside another task: ready when this task is, else registers the
     * context's waker. The registration stands for that waker alone and is dropped once the waker
     * says it is obsolete (see {@link Waiters}), even if the awaiter gave up without a word (a
     * lost race). It is not attributed to the task polling now: a waker from another library's
     * context may outlive that task (issue 15 review, ForeignContextWakeDroppedTest).
     */
    @Override
    @SuppressWarnings("unchecked")
    public Poll<T> poll(Context cx) throws Exception {
        if (!isFinished()) {
            addWaiter(cx.waker());
            if (!isFinished()) {
                return Poll.pending();
            }
        }
        if (!cx.consumeBudget()) {
            return Poll.pending();
        }
        Object result = slot;
        if (result instanceof Failure failure) {
            throw rethrow(failure.cause);
        }
        return Poll.ready((T) result);
    }

    /**
     * Dropping interest in the handle detaches the task; it runs on. The handle is shared and
     * this call names no awaiter, so nothing is removed by name: the call counts as a give-up on
     * the waiter list, which unlinks the registrations that became obsolete (their owner
     * finished, or their waker says so, as a cancelled combinator branch does) once enough
     * awaiters gave up (see {@link Waiters}). Combinators call this on every branch they drop.
     */
    @Override
    public void cancel() {
        waiterGaveUp();
    }

    /**
     * As this task's waker: obsolete once the task finished (it is never polled again), so the
     * registrations it made on other handles may be dropped.
     */
    @Override
    public boolean isObsolete() {
        return isFinished();
    }

    private static Exception rethrow(Throwable failure) {
        if (failure instanceof Exception e) {
            return e;
        }
        if (failure instanceof Error e) {
            throw e;
        }
        return new CompletionException(failure);
    }

    @Override
    public String toString() {
        return "JoinHandle[" + name() + ", " + priority() + ", " + TaskState.describe((int) STATE.getVolatile(this)) + "]";
    }

    /** A failed outcome, boxed so that a value which happens to be a Throwable stays a value. */
    record Failure(Throwable cause) {
    }
}
