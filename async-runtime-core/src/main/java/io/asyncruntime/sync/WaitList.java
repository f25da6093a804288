package io.asyncruntime.sync;

import io.asyncruntime.task.Waker;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * A lock-guarded intrusive FIFO of waiting tasks: the structure under every primitive of this
 * package that makes tasks wait. Tokio guards its waiter lists with a mutex too; the fast paths of
 * the primitives never take this lock, only waiting, waking a waiter and cancelling a wait do.
 *
 * <h2>The lock</h2>
 * A test-and-test-and-set spin lock. Every critical section is a handful of field updates: no user
 * code, no waker call, no allocation. A holder therefore releases it within nanoseconds unless the
 * operating system deschedules it; a contender spins briefly, then yields its thread, and never
 * parks a worker. Wakes are collected during the critical section ({@link #toWake}) and run after
 * the lock is released ({@link #unlockAndWake}), so a waker that re-enters the primitive or takes
 * a scheduler lock never runs under this one.
 *
 * <p>Memory ordering: the lock is taken with a volatile CAS (acquire) and released with a release
 * store, so everything written under it is seen by the next holder.
 */
class WaitList {

    /**
     * Spins before a contender starts yielding its thread: a few hundred nanoseconds, longer than
     * any critical section of this package takes when its holder is running.
     */
    private static final int SPINS_BEFORE_YIELD = 64;

    private static final VarHandle LOCK;

    static {
        try {
            LOCK = MethodHandles.lookup().findVarHandle(WaitList.class, "locked", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    @SuppressWarnings("unused") // through LOCK
    private int locked;
    private WaitNode head;
    private WaitNode tail;
    private WaitNode wakeHead;
    private WaitNode wakeTail;

    final void lock() {
        if (!LOCK.compareAndSet(this, 0, 1)) {
            lockContended();
        }
    }

    private void lockContended() {
        int spins = 0;
        for (;;) {
            // Test before test-and-set: spinning on a read keeps the line shared until it is free.
            if ((int) LOCK.getOpaque(this) == 0 && LOCK.compareAndSet(this, 0, 1)) {
                return;
            }
            if (spins < SPINS_BEFORE_YIELD) {
                spins++;
                Thread.onSpinWait();
            } else {
                Thread.yield();
            }
        }
    }

    final void unlock() {
        LOCK.setRelease(this, 0);
    }

    /**
     * Releases the lock, then wakes every node collected by {@link #toWake}, in order.
     *
     * <p>Every node on the chain was already granted (or told to re-check) under the lock, so each
     * one's wake is owed regardless of the others: a waker that throws must not keep the nodes after
     * it asleep, or a node granted in the same batch would hold what it was granted for ever
     * (review30, F1). So every waker runs; the first throw is rethrown after the last wake, with
     * any later ones added to it as suppressed.
     */
    final void unlockAndWake() {
        WaitNode chain = wakeHead;
        wakeHead = null;
        wakeTail = null;
        unlock();
        Throwable firstFailure = null;
        while (chain != null) {
            WaitNode next = chain.wakeNext;
            chain.wakeNext = null;
            Waker waker = chain.waker;
            chain.waker = null; // a granted node may live on as a permit: keep no task reachable
            if (waker != null) {
                try {
                    waker.wake();
                } catch (Throwable failure) {
                    if (firstFailure == null) {
                        firstFailure = failure;
                    } else if (firstFailure != failure) {
                        firstFailure.addSuppressed(failure);
                    }
                }
            }
            chain = next;
        }
        if (firstFailure != null) {
            throwUnchecked(firstFailure);
        }
    }

    /** Rethrows {@code failure} as it is: a waker's checked exception (sneaky) stays what it was. */
    @SuppressWarnings("unchecked")
    private static <E extends Throwable> void throwUnchecked(Throwable failure) throws E {
        throw (E) failure;
    }

    // ---- under the lock ------------------------------------------------------------------------

    /** Puts an unlinked node on the chain that {@link #unlockAndWake} wakes. Lock held. */
    final void toWake(WaitNode node) {
        node.wakeNext = null;
        if (wakeTail == null) {
            wakeHead = node;
        } else {
            wakeTail.wakeNext = node;
        }
        wakeTail = node;
    }

    final boolean isEmpty() {
        return head == null;
    }

    final WaitNode first() {
        return head;
    }

    final void pushBack(WaitNode node) {
        node.prev = tail;
        node.next = null;
        if (tail == null) {
            head = node;
        } else {
            tail.next = node;
        }
        tail = node;
        node.linked = true;
    }

    final void unlink(WaitNode node) {
        WaitNode prev = node.prev;
        WaitNode next = node.next;
        if (prev == null) {
            head = next;
        } else {
            prev.next = next;
        }
        if (next == null) {
            tail = prev;
        } else {
            next.prev = prev;
        }
        node.prev = null;
        node.next = null;
        node.linked = false;
    }

    /** Unlinks and returns the first node, or null. */
    final WaitNode popFront() {
        WaitNode node = head;
        if (node != null) {
            unlink(node);
        }
        return node;
    }

    /** For tests and diagnostics: how many nodes wait. Takes the lock. */
    final int waiterCount() {
        lock();
        try {
            int n = 0;
            for (WaitNode node = head; node != null; node = node.next) {
                n++;
            }
            return n;
        } finally {
            unlock();
        }
    }
}
