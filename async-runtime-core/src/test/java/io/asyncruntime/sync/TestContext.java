package io.asyncruntime.sync;

import io.asyncruntime.internal.scheduler.PollEndDeferral;
import io.asyncruntime.task.Context;
import io.asyncruntime.task.Poll;
import io.asyncruntime.task.Task;
import io.asyncruntime.task.Waker;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A context for polling tasks by hand: counts wakes and yield requests (a yield request is a
 * promise to be polled again, so it counts as a wake too), with an unlimited or a fixed budget.
 * A {@linkplain #deferring() deferring} one is also a {@link PollEndDeferral}, as a worker's
 * context is: {@link #poll} runs the deferred action when the task's poll returns, and a test that
 * polls with {@code task.poll(cx)} itself ends the poll with {@link #endPoll()}.
 */
final class TestContext implements Context, PollEndDeferral {

    final AtomicInteger wakes = new AtomicInteger();
    final AtomicInteger yields = new AtomicInteger();
    private final Waker waker = wakes::incrementAndGet;
    private int budget;
    private final boolean deferring;
    private Runnable atPollEnd;

    TestContext() {
        this(Integer.MAX_VALUE);
    }

    TestContext(int budget) {
        this(budget, false);
    }

    private TestContext(int budget, boolean deferring) {
        this.budget = budget;
        this.deferring = deferring;
    }

    /** A context with an unlimited budget that takes poll-end actions, as a worker's does. */
    static TestContext deferring() {
        return new TestContext(Integer.MAX_VALUE, true);
    }

    @Override
    public boolean runAtPollEnd(Runnable action) {
        if (!deferring || (atPollEnd != null && atPollEnd != action)) {
            return false;
        }
        atPollEnd = action;
        return true;
    }

    /** Whether an action waits for the end of the poll. */
    boolean hasPollEndAction() {
        return atPollEnd != null;
    }

    /** Ends the current poll: runs the deferred action, if any. */
    void endPoll() {
        Runnable action = atPollEnd;
        if (action != null) {
            atPollEnd = null;
            action.run();
        }
    }

    void refill(int units) {
        budget = units;
    }

    /** Wakes and yield requests so far: any of them means the task will be polled again. */
    int repollSignals() {
        return wakes.get() + yields.get();
    }

    @Override
    public Waker waker() {
        return waker;
    }

    @Override
    public boolean consumeBudget() {
        if (budget > 0) {
            budget--;
            return true;
        }
        yields.incrementAndGet();
        return false;
    }

    @Override
    public void requestYield() {
        yields.incrementAndGet();
    }

    /** Polls once, rethrowing a failure unchecked. */
    <T> Poll<T> poll(Task<T> task) {
        try {
            return task.poll(this);
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Exception e) {
            throw new AssertionError(e);
        } finally {
            endPoll();
        }
    }
}
