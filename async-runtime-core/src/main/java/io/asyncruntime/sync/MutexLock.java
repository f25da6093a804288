package io.asyncruntime.sync;

import io.asyncruntime.task.Context;
import io.asyncruntime.task.Poll;
import io.asyncruntime.task.Task;

/** {@link Mutex#lock()}: the waiting task, and once it completes the {@link Mutex.Guard} itself. */
final class MutexLock<T> extends BatchSemaphore.Acquirer implements Task<Mutex.Guard<T>>, Mutex.Guard<T> {

    private final Mutex<T> mutex;

    MutexLock(Mutex<T> mutex) {
        super(1);
        this.mutex = mutex;
    }

    static <T> MutexLock<T> taken(Mutex<T> mutex) {
        MutexLock<T> guard = new MutexLock<>(mutex);
        guard.phase = TAKEN;
        return guard;
    }

    @Override
    public Poll<Mutex.Guard<T>> poll(Context cx) {
        // A mutex is never closed, so the only results are ACQUIRED and pending.
        return mutex.permit().pollAcquire(this, cx) == BatchSemaphore.ACQUIRED ? Poll.ready(this) : Poll.pending();
    }

    @Override
    public void cancel() {
        mutex.permit().cancel(this);
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
        if (phase != TAKEN) {
            throw new IllegalStateException("this Mutex guard was closed: the lock is no longer held");
        }
    }

    @Override
    public void close() {
        if (markReleased()) {
            mutex.permit().release(1);
        }
    }

    @Override
    public String toString() {
        return phase == TAKEN ? "Mutex.Guard[held]" : "Mutex.Guard[closed]";
    }
}
