package io.asyncruntime.task;

import java.util.concurrent.Callable;

/**
 * Blocking work with the context of the thread that spawned it ({@link ContextCarrier#carryBlocking}).
 * The work is a {@link Task#call} leaf wrapped by {@link ContextCarrier#carry(Task)}, so the
 * context is installed and removed by exactly the code that does it around a task's poll; the leaf
 * runs its callable on the first poll and never waits, so it is polled once, here, on the blocking
 * thread, with a context whose waker is never used.
 */
final class CarriedCall<T> implements Callable<T> {

    private final Task<T> carried;
    private final Callable<T> work;

    CarriedCall(Task<T> carried, Callable<T> work) {
        this.carried = carried;
        this.work = work;
    }

    @Override
    public T call() throws Exception {
        Poll<T> poll = carried.poll(BlockingThreadContext.INSTANCE);
        if (poll.isPending()) { // a Task.call leaf is ready on its first poll, whatever its callable does
            throw new IllegalStateException("blocking work " + work + " did not complete in its only call");
        }
        return poll.value();
    }

    @Override
    public String toString() {
        return work.toString();
    }

    /** The context of the single poll: nothing waits, so its waker and budget are never asked for more. */
    private enum BlockingThreadContext implements Context {
        INSTANCE;

        @Override
        public Waker waker() {
            return () -> { };
        }

        @Override
        public boolean consumeBudget() {
            return true;
        }

        @Override
        public void requestYield() {
            throw new IllegalStateException("blocking work cannot yield: it runs once, on its own thread");
        }
    }
}
