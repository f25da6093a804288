package io.asyncruntime.sync;

import io.asyncruntime.task.Context;
import io.asyncruntime.task.Poll;
import io.asyncruntime.task.Task;

/** {@link RwLock#read()}: one permit; the task and, once it completes, the read guard. */
final class RwLockRead<T> extends RwLockGuard<T> implements Task<RwLock.ReadGuard<T>>, RwLock.ReadGuard<T> {

    RwLockRead(RwLock<T> lock) {
        super(lock, 1);
    }

    static <T> RwLockRead<T> taken(RwLock<T> lock) {
        RwLockRead<T> guard = new RwLockRead<>(lock);
        guard.markTaken();
        return guard;
    }

    @Override
    public Poll<RwLock.ReadGuard<T>> poll(Context cx) {
        return pollLock(cx) ? Poll.ready(this) : Poll.pending();
    }

    @Override
    public String toString() {
        return "RwLock.ReadGuard[" + (state == TAKEN ? "held]" : "closed]");
    }
}
