package io.asyncruntime.internal.scheduler;

import io.asyncruntime.task.Context;
import io.asyncruntime.task.Waker;

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
 * stall detector reads (racily, for its log line) through {@link WorkerHandOver#pollingTaskName()}.
 */
final class PollContext implements Context, TaskPoller, PollEndDeferral {

    private final Worker worker;
    /** The cell being polled; null between polls. */
    TaskCell<?> cell;
    /** Its lane; meaningful while {@link #cell} is set. */
    int lane;
    /** Budget units left in this poll (and in the LIFO polls that follow it). */
    int budget;
    private boolean yieldRequested;
    /** Set by this thread when {@code blockInPlace} gave the worker to another thread. */
    private boolean handedOver;
    /** What {@link #leave()} runs before it ends the poll, or null; see {@link PollEndDeferral}. */
    private Runnable atPollEnd;

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
     * Runs the deferred action, if any, once. Before the cell is cleared: wakes the action makes
     * are wakes "during the poll", as they would have been had the task made them itself (the
     * LIFO slot may take one). Also run before {@code blockInPlace} hands the worker over
     * (review27: a poll that then waits for a sender the action would wake would wait forever).
     */
    @Override
    public void endPoll() {
        Runnable action = atPollEnd;
        if (action != null) {
            atPollEnd = null;
            action.run();
        }
    }

    @Override
    public boolean leave() {
        endPoll(); // normally a no-op: TaskCell.run called it inside the poll's try
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
