package io.asyncruntime.sync;

import io.asyncruntime.task.Context;
import io.asyncruntime.task.Waker;

/**
 * A hand-made context whose waker throws (a user combinator's, a bridge from another executor):
 * whatever a task polled with it registers wakes it by throwing an {@link IllegalStateException}
 * with the given message. An unlimited budget and no yields, so only the wake differs from a
 * well-behaved context.
 */
final class ThrowingWakerContext implements Context {

    private final Waker waker;

    ThrowingWakerContext(String message) {
        this.waker = () -> {
            throw new IllegalStateException(message);
        };
    }

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
}
