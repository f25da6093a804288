package io.asyncruntime.internal.scheduler;

import io.asyncruntime.task.Waker;
import java.util.concurrent.locks.LockSupport;

/** The wakers waiting for a task cell to complete: an immutable stack built by CAS. */
final class Waiters {

    /** Marks a cell whose waiters were already woken: later registrants wake themselves. */
    static final Waiters DONE = new Waiters(null, null);

    final Waker waker;
    final Waiters next;

    Waiters(Waker waker, Waiters next) {
        this.waker = waker;
        this.next = next;
    }

    /** Wakes every waiter of a stack taken off a cell, oldest registration last. */
    static void wakeAll(Waiters head) {
        for (Waiters w = head; w != null && w != DONE; w = w.next) {
            w.waker.wake();
        }
    }

    /**
     * A waker that unparks one thread, for callers that block: {@code Future.get} and
     * {@code blockOn}. {@link #woken} is a flag rather than relying on the park permit alone, so
     * spurious unparks are filtered out by the loop that parks.
     */
    static final class ThreadWaker implements Waker {
        private final Thread thread = Thread.currentThread();
        private volatile boolean woken;

        @Override
        public void wake() {
            woken = true;
            LockSupport.unpark(thread);
        }

        /** Consumes a wake-up if one happened since the last call. Only the owning thread calls. */
        boolean consumeWake() {
            if (woken) {
                woken = false;
                return true;
            }
            return false;
        }
    }
}
