package io.asyncruntime.internal.time;

import io.asyncruntime.task.Waker;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Wakers of fired timers, called {@value #CAPACITY} at a time (Tokio's {@code WakeList}) between
 * wheel operations, never inside one. Driver-private. A waker that throws is logged and the
 * others are still called: one bad waker must not stop the driver.
 */
final class WakeBatch {

    private static final Logger LOG = LoggerFactory.getLogger(WakeBatch.class);

    /** Tokio's WakeList size: enough to amortise the calls, small enough to stay in cache. */
    static final int CAPACITY = 32;

    private final Waker[] wakers = new Waker[CAPACITY];
    private int count;

    /** Adds a waker; delivers the batch when it is full. */
    void add(Waker waker) {
        wakers[count++] = waker;
        if (count == CAPACITY) {
            deliver();
        }
    }

    /** Calls and forgets every collected waker. */
    void deliver() {
        int n = count;
        count = 0;
        for (int i = 0; i < n; i++) {
            Waker w = wakers[i];
            wakers[i] = null;
            try {
                w.wake();
            } catch (Throwable ex) { // an Error too: the wakers after it in the batch were forgotten with it
                LOG.error("a timer's waker threw; the driver goes on", ex);
            }
        }
    }
}
