package io.asyncruntime;

import io.asyncruntime.task.Context;
import io.asyncruntime.task.Poll;
import io.asyncruntime.task.Task;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A test task that is idle forever and counts its polls in {@code polled}; the first
 * {@code cancel()} of all the tasks sharing {@code firstCancel} (a shutdown's abort walk's first)
 * counts down {@code cancelBlocked} and blocks until {@code release} (at most 60 s), as a
 * {@code cancel()} that breaks {@code Task.cancel}'s no-blocking rule would.
 */
final class IdleTaskWithBlockingCancel implements Task<Void> {
    private final AtomicInteger polled;
    private final AtomicBoolean firstCancel;
    private final CountDownLatch cancelBlocked;
    private final CountDownLatch release;

    IdleTaskWithBlockingCancel(AtomicInteger polled, AtomicBoolean firstCancel, CountDownLatch cancelBlocked,
                               CountDownLatch release) {
        this.polled = polled;
        this.firstCancel = firstCancel;
        this.cancelBlocked = cancelBlocked;
        this.release = release;
    }

    @Override
    public Poll<Void> poll(Context cx) {
        polled.incrementAndGet();
        return Poll.pending();
    }

    @Override
    public void cancel() {
        if (firstCancel.compareAndSet(false, true)) {
            cancelBlocked.countDown();
            try {
                release.await(60, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
