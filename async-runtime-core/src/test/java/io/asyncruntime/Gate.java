package io.asyncruntime;

import io.asyncruntime.task.Context;
import io.asyncruntime.task.Poll;
import io.asyncruntime.task.Task;
import io.asyncruntime.task.Waker;
import java.util.concurrent.CountDownLatch;

/**
 * A leaf task for tests: pending until {@link #open()}, then ready with {@code null}. It counts
 * down {@link #polled} at its first poll, so a test can wait until the task is parked on it, and
 * records whether it was cancelled.
 */
final class Gate implements Task<Void> {

    final CountDownLatch polled = new CountDownLatch(1);
    private volatile boolean open;
    private volatile Waker waker;
    volatile boolean cancelled;

    @Override
    public Poll<Void> poll(Context cx) {
        waker = cx.waker();
        polled.countDown();
        return open ? Poll.ready(null) : Poll.pending();
    }

    /** Makes the next poll ready and wakes the task (on the calling thread). */
    void open() {
        open = true;
        wake();
    }

    /** Calls the waker the last poll saw, without opening. */
    void wake() {
        Waker w = waker;
        if (w != null) {
            w.wake();
        }
    }

    @Override
    public void cancel() {
        cancelled = true;
    }
}
