package io.asyncruntime.sync;

import io.asyncruntime.task.Context;

/**
 * What {@link RwLock#read()} and {@link RwLock#write()} share: a task waiting for permits of the
 * lock's semaphore (one for a read, all for a write) that, once it completes, is the guard itself.
 */
abstract class RwLockGuard<T> extends PermitTask {

    final RwLock<T> lock;

    RwLockGuard(RwLock<T> lock, int permits) {
        super(lock.permits(), permits);
        this.lock = lock;
    }

    /** Whether the lock is now held; an RwLock is never closed, so it is that or pending. */
    final boolean pollLock(Context cx) {
        return pollPermits(cx) == BatchSemaphore.ACQUIRED;
    }

    public final void cancel() {
        cancelAcquire();
    }

    public final T get() {
        requireHeld();
        return lock.value();
    }

    final void requireHeld() {
        if (state != TAKEN) {
            throw new IllegalStateException("this RwLock guard was closed: the lock is no longer held");
        }
    }

    public final void close() {
        releasePermits();
    }
}
