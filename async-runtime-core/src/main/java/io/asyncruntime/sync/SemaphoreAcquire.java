package io.asyncruntime.sync;

import io.asyncruntime.task.Context;
import io.asyncruntime.task.Poll;
import io.asyncruntime.task.Task;

/**
 * {@link Semaphore#acquire}: the waiting task and, once it completes, the
 * {@link Semaphore.Permit} itself — one object per uncontended acquire.
 */
final class SemaphoreAcquire extends PermitTask implements Task<Semaphore.Permit>, Semaphore.Permit {

    SemaphoreAcquire(BatchSemaphore semaphore, int permits) {
        super(semaphore, permits);
    }

    /** A permit for {@code n} permits already taken from {@code semaphore}. */
    static SemaphoreAcquire taken(BatchSemaphore semaphore, int n) {
        SemaphoreAcquire permit = new SemaphoreAcquire(semaphore, n);
        permit.markTaken();
        return permit;
    }

    @Override
    public Poll<Semaphore.Permit> poll(Context cx) {
        switch (pollPermits(cx)) {
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
        cancelAcquire();
    }

    @Override
    public int permits() {
        return requested;
    }

    @Override
    public boolean isClosed() {
        return state == RELEASED;
    }

    @Override
    public void close() {
        releasePermits();
    }

    @Override
    public String toString() {
        return "Semaphore.Permit[" + requested + (state == RELEASED ? ", closed]" : "]");
    }
}
