package io.asyncruntime.internal.io;

import io.asyncruntime.task.Waker;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The wakers a select made due, in the order their events came, waiting to be called: a turn
 * calls at most {@link SelectorDriver#WAKES_PER_TURN} of them and leaves the rest for the next
 * turn (which then does not block). Driver-private: a growable ring, so a burst of events costs
 * no allocation once the ring has grown to it. A waker that throws is logged; the others are
 * still called.
 */
final class WakeQueue {

    private static final Logger LOG = LoggerFactory.getLogger(WakeQueue.class);

    private static final int INITIAL_CAPACITY = 256;

    private Waker[] ring = new Waker[INITIAL_CAPACITY];
    private int head;
    private int size;

    /** Adds the waiters a registration handed over ({@code null}, a Waker or a Waker[]). */
    void addAll(Object waiters) {
        if (waiters instanceof Waker single) {
            add(single);
        } else if (waiters != null) {
            for (Waker w : (Waker[]) waiters) {
                add(w);
            }
        }
    }

    void add(Waker waker) {
        if (size == ring.length) {
            grow();
        }
        ring[(head + size) & (ring.length - 1)] = waker;
        size++;
    }

    private void grow() {
        Waker[] bigger = new Waker[ring.length * 2];
        for (int i = 0; i < size; i++) {
            bigger[i] = ring[(head + i) & (ring.length - 1)];
        }
        ring = bigger;
        head = 0;
    }

    boolean isEmpty() {
        return size == 0;
    }

    int size() {
        return size;
    }

    /** Calls up to {@code max} wakers, oldest first, and returns how many it called. */
    int wake(int max) {
        int n = Math.min(max, size);
        for (int i = 0; i < n; i++) {
            Waker w = ring[head];
            ring[head] = null;
            head = (head + 1) & (ring.length - 1);
            size--;
            try {
                w.wake();
            } catch (Throwable e) { // an Error too: one waker's failure is not the driver's
                LOG.error("an I/O waker threw; the driver goes on", e);
            }
        }
        return n;
    }
}
