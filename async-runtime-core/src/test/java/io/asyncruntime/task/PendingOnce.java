package io.asyncruntime.task;

import java.util.concurrent.atomic.AtomicInteger;

/** A test leaf: pending on its first poll (waking its waker), then ready with its value; counts cancels. */
final class PendingOnce implements Task<Integer> {

    private final int value;
    private boolean polled;
    final AtomicInteger cancels = new AtomicInteger();

    PendingOnce(int value) {
        this.value = value;
    }

    @Override
    public Poll<Integer> poll(Context cx) {
        if (!polled) {
            polled = true;
            cx.waker().wake();
            return Poll.pending();
        }
        return Poll.ready(value);
    }

    @Override
    public void cancel() {
        cancels.incrementAndGet();
    }
}
