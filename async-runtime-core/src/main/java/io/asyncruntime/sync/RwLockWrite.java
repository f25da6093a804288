package io.asyncruntime.sync;

import io.asyncruntime.task.Context;
import io.asyncruntime.task.Poll;
import io.asyncruntime.task.Task;

/** {@link RwLock#write()}: every permit; the task and, once it completes, the write guard. */
final class RwLockWrite<T> extends RwLockGuard<T> implements Task<RwLock.WriteGuard<T>>, RwLock.WriteGuard<T> {

    RwLockWrite(RwLock<T> lock) {
        super(lock, lock.maxReaders());
    }

    static <T> RwLockWrite<T> taken(RwLock<T> lock) {
        RwLockWrite<T> guard = new RwLockWrite<>(lock);
        guard.markTaken();
        return guard;
    }

    @Override
    public Poll<RwLock.WriteGuard<T>> poll(Context cx) {
        return pollLock(cx) ? Poll.ready(this) : Poll.pending();
    }

    @Override
    public void set(T value) {
        requireHeld();
        lock.value(value);
    }

    @Override
    public String toString() {
        return "RwLock.WriteGuard[" + (state == TAKEN ? "held]" : "closed]");
    }
}
