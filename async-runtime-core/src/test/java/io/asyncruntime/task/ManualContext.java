package io.asyncruntime.task;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * A context for driving tasks by hand in tests: counts wakes and yield requests, with an
 * unlimited or a fixed budget.
 */
final class ManualContext implements Context {

    final AtomicInteger wakes = new AtomicInteger();
    int yieldRequests;
    private int budget;

    ManualContext() {
        this(Integer.MAX_VALUE);
    }

    ManualContext(int budget) {
        this.budget = budget;
    }

    @Override
    public Waker waker() {
        return wakes::incrementAndGet;
    }

    @Override
    public boolean consumeBudget() {
        if (budget > 0) {
            budget--;
            return true;
        }
        yieldRequests++;
        return false;
    }

    @Override
    public void requestYield() {
        yieldRequests++;
    }

    /** Polls until the task is ready, refilling nothing: for tasks that never truly wait. */
    static <T> T runToCompletion(Task<T> task) throws Exception {
        ManualContext cx = new ManualContext();
        for (int i = 0; i < 10_000_000; i++) {
            Poll<T> polled = task.poll(cx);
            if (polled.isReady()) {
                return polled.value();
            }
        }
        throw new AssertionError("task did not complete in 10,000,000 polls");
    }
}
