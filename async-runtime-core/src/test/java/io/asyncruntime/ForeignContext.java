package io.asyncruntime;

import io.asyncruntime.task.Context;
import io.asyncruntime.task.Waker;

/**
 * A context that belongs to no task (a bridge from another executor, a test harness, a user's
 * combinator) for polling a task by hand from a test's thread: it hands out the given waker, has
 * an unlimited budget and ignores yield requests, so only what the waker does differs from one
 * test to the next (counts a latch down, throws, breaks {@code isObsolete}).
 */
final class ForeignContext {

    private ForeignContext() {
    }

    /** A context whose waker is {@code waker}. */
    static Context withWaker(Waker waker) {
        return new Context() {
            @Override
            public Waker waker() {
                return waker;
            }

            @Override
            public boolean consumeBudget() {
                return true;
            }

            @Override
            public void requestYield() {
            }
        };
    }
}
