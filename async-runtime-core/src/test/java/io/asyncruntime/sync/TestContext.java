package io.asyncruntime.sync;

import io.asyncruntime.task.Context;
import io.asyncruntime.task.Poll;
import io.asyncruntime.task.Task;
import io.asyncruntime.task.Waker;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A context for polling tasks by hand: counts wakes and yield requests (a yield request is a
 * promise to be polled again, so it counts as a wake too), with an unlimited or a fixed budget.
 */
final class TestContext implements Context {

    final AtomicInteger wakes = new AtomicInteger();
    final AtomicInteger yields = new AtomicInteger();
    private final Waker waker = wakes::incrementAndGet;
    private int budget;

    TestContext() {
        this(Integer.MAX_VALUE);
    }

    TestContext(int budget) {
        this.budget = budget;
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
        }
    }
}
