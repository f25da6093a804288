package io.asyncruntime.sync;

import io.asyncruntime.task.Context;
import io.asyncruntime.task.Poll;
import io.asyncruntime.task.Task;

/**
 * {@link Semaphore#acquire}: the waiting task, its place in the wait queue and, once it completes,
 * the {@link Semaphore.Permit} itself — one object per acquire.
 */
final class SemaphoreAcquire extends BatchSemaphore.Acquirer implements Task<Semaphore.Permit>, Semaphore.Permit {

    private final BatchSemaphore semaphore;

    SemaphoreAcquire(BatchSemaphore semaphore, int permits) {
        super(permits);
        this.semaphore = semaphore;
    }

    /** A permit for {@code n} permits already taken from {@code semaphore}. */
    static SemaphoreAcquire taken(BatchSemaphore semaphore, int n) {
        SemaphoreAcquire permit = new SemaphoreAcquire(semaphore, n);
        permit.phase = TAKEN;
        return permit;
    }

    @Override
    public Poll<Semaphore.Permit> poll(Context cx) {
        switch (semaphore.pollAcquire(this, cx)) {
            case BatchSemaphore.ACQUIRED:
                return Poll.ready(this);
            case BatchSemaphore.CLOSED_RESULT:
                throw Semaphore.closed();
            default:
                return Poll.pending();
        }
    }

    @Override
    public void cancel() {
        semaphore.cancel(this);
    }

    @Override
    public int permits() {
        return requested;
    }

    @Override
    public boolean isClosed() {
        return phase == RELEASED;
    }

    @Override
    public void close() {
        if (markReleased()) {
            semaphore.release(requested);
        }
    }

    @Override
    public String toString() {
        return "Semaphore.Permit[" + requested + (phase == RELEASED ? ", closed]" : "]");
    }
}
