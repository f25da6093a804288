package io.asyncruntime.sync;

import io.asyncruntime.task.Context;
import io.asyncruntime.task.Poll;
import io.asyncruntime.task.Task;

/** {@link Mutex#lock()}: the waiting task, and once it completes the {@link Mutex.Guard} itself. */
final class MutexLock<T> extends PermitTask implements Task<Mutex.Guard<T>>, Mutex.Guard<T> {

    private final Mutex<T> mutex;

    MutexLock(Mutex<T> mutex) {
        super(mutex.permit(), 1);
        this.mutex = mutex;
    }

    static <T> MutexLock<T> taken(Mutex<T> mutex) {
        MutexLock<T> guard = new MutexLock<>(mutex);
        guard.markTaken();
        return guard;
    }

    @Override
    public Poll<Mutex.Guard<T>> poll(Context cx) {
        // A mutex is never closed, so the only results are ACQUIRED and pending.
        return pollPermits(cx) == BatchSemaphore.ACQUIRED ? Poll.ready(this) : Poll.pending();
    }

    @Override
    public void cancel() {
        cancelAcquire();
    }

    @Override
    public T get() {
        requireHeld();
        return mutex.value();
    }

    @Override
    public void set(T value) {
        requireHeld();
        mutex.value(value);
    }

    private void requireHeld() {
        if (state != TAKEN) {
            throw new IllegalStateException("this Mutex guard was closed: the lock is no longer held");
        }
    }

    @Override
    public void close() {
        releasePermits();
    }

    @Override
    public String toString() {
        return state == TAKEN ? "Mutex.Guard[held]" : "Mutex.Guard[closed]";
    }
}
