package io.asyncruntime.task;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * A lock-free stack of listeners (task wakers, or the children of a {@link CancellationToken})
 * with O(1) push, O(1) logical removal, and a way to take every listener at once: for good
 * ({@link #close()}: a cancelled token) or again and again ({@link #wakeAll()}: a JoinSet or a
 * TaskTracker waking whoever waits on it).
 *
 * <p><b>Removal.</b> A listener is removed by emptying it in place (a waiter drops its waker), so
 * an abandoned wait holds nothing from that moment; the emptied node stays linked until the next
 * compaction. Compaction runs after a number of pushes proportional to the listeners that were
 * live at the last one ({@link #MIN_PUSHES_BETWEEN_COMPACTIONS} at least), so the stack holds at
 * most about twice its live listeners plus a constant, and pushing stays O(1) amortised: a
 * long-lived token waited on and abandoned a million times does not grow.
 *
 * <p><b>Compaction in place.</b> A compaction walks the chain below the head and unlinks emptied
 * nodes by pointing their predecessor past them ({@code p.next = dead.next}). It never takes the
 * chain off the stack, so a concurrent {@link #close()} or {@link #wakeAll()} always sees every
 * live node. Only dead nodes are bypassed and a bypass points at a node that was below the dead
 * one, so a live node stays reachable from the head whatever compactions, pushes and closes
 * interleave (a race can at worst leave a dead node linked until the next compaction). The head
 * node itself is never unlinked.
 *
 * <p><b>Memory ordering.</b> {@code head} is accessed only by volatile CAS/exchange and volatile
 * reads; a pusher writes its node's {@code next} before the CAS that publishes the node, so whoever
 * reads the head sees a complete chain. After publication {@code next} is written only by a
 * compaction, racily but harmlessly (either value keeps every live node reachable; reference
 * writes do not tear).
 */
class ListenerStack {

    /**
     * Fewest pushes between two compactions: small enough that a handful of abandoned waits is
     * cleaned soon, large enough that compaction (a walk of the stack) stays rare on a stack with
     * a few live listeners.
     */
    static final int MIN_PUSHES_BETWEEN_COMPACTIONS = 16;

    private static final VarHandle HEAD;
    private static final VarHandle PUSHES;

    static {
        try {
            MethodHandles.Lookup lookup = MethodHandles.lookup();
            HEAD = lookup.findVarHandle(ListenerStack.class, "head", Listener.class);
            PUSHES = lookup.findVarHandle(ListenerStack.class, "pushes", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /** The head of a closed stack: pushes fail and the pusher handles its listener itself. */
    static final Listener CLOSED = new Listener() {
        @Override
        boolean isLive() {
            return false;
        }
    };

    @SuppressWarnings("unused") // through HEAD
    private Listener head;
    /**
     * Pushes since the last compaction started; updated with getAndAdd, and reset to 0 by the
     * compare-and-exchange that claims a compaction (see {@link #push}).
     */
    @SuppressWarnings("unused") // through PUSHES
    private int pushes;
    /**
     * The push count at or past which the next compaction runs. Written by compactions, read
     * racily by pushers: a stale value only moves one compaction a little earlier or later, and
     * the next push reads it again.
     */
    private int compactAfter = MIN_PUSHES_BETWEEN_COMPACTIONS;

    /** A node of the stack: a waiter, or a child token's link to its parent. */
    abstract static class Listener {
        /** The next node down; see "Memory ordering" above. */
        Listener next;

        /** Whether this listener still wants to be fired (no side effects). */
        abstract boolean isLive();

        /**
         * Asked by a compaction: whether to keep this node. May have side effects (a child
         * token's link detaches a child that no longer listens); the default keeps live nodes.
         */
        boolean survivesCompaction() {
            return isLive();
        }
    }

    /** A listener that wakes a task: live until it is fired or removed, whichever comes first. */
    static final class Waiter extends Listener {
        private static final VarHandle WAKER;

        static {
            try {
                WAKER = MethodHandles.lookup().findVarHandle(Waiter.class, "waker", Waker.class);
            } catch (ReflectiveOperationException e) {
                throw new ExceptionInInitializerError(e);
            }
        }

        @SuppressWarnings("unused") // through WAKER
        private Waker waker;

        Waiter(Waker waker) {
            this.waker = waker;
        }

        @Override
        boolean isLive() {
            return WAKER.getVolatile(this) != null;
        }

        /** Whether this waiter is live and wakes {@code candidate}. */
        boolean wakes(Waker candidate) {
            return WAKER.getVolatile(this) == candidate;
        }

        /**
         * Wakes the waker if the waiter is still live; the exchange makes fire and remove
         * exclusive, so a waiter is woken at most once. Returns whether this call woke it.
         */
        boolean fire() {
            Waker w = (Waker) WAKER.getAndSet(this, null);
            if (w == null) {
                return false;
            }
            w.wake();
            return true;
        }

        /** Empties the waiter without waking it; returns whether it was still live. */
        boolean remove() {
            return WAKER.getAndSet(this, null) != null;
        }
    }

    /**
     * Pushes {@code listener}. Returns false, pushing nothing, if the stack is closed: the caller
     * then handles the listener itself.
     */
    final boolean push(Listener listener) {
        Listener h = (Listener) HEAD.getVolatile(this);
        for (;;) {
            if (h == CLOSED) {
                listener.next = null;
                return false;
            }
            listener.next = h;
            Listener witness = (Listener) HEAD.compareAndExchange(this, h, listener);
            if (witness == h) {
                break;
            }
            h = witness;
        }
        // Any count at or past the threshold triggers (not only an exact match: a compaction that
        // lowers the threshold while others push can leave the count past it for good, and the
        // stack would then never be compacted again). The pusher that resets the count to 0 owns
        // the compaction, so compactions do not pile up; a failed reset means another push moved
        // the count (retry with it) or another pusher claimed the compaction (the count is now
        // below the threshold and the loop ends). Whenever pushes stop, either the count is below
        // the threshold or a compaction was claimed after the last of them.
        int count = (int) PUSHES.getAndAdd(this, 1) + 1;
        while (count >= compactAfter) {
            int witness = (int) PUSHES.compareAndExchange(this, count, 0);
            if (witness == count) {
                compactFromClaim();
                break;
            }
            count = witness;
        }
        return true;
    }

    /** Pushes a new waiter for {@code waker}; null if the stack is closed. */
    final Waiter pushWaiter(Waker waker) {
        Waiter waiter = new Waiter(waker);
        return push(waiter) ? waiter : null;
    }

    /**
     * Closes the stack for good and returns the chain it held (null if empty), or {@link #CLOSED}
     * if it was closed already, so that exactly one caller sees the transition.
     */
    final Listener close() {
        return (Listener) HEAD.getAndSet(this, CLOSED);
    }

    /** Whether {@link #close()} was called. */
    final boolean isClosed() {
        return HEAD.getVolatile(this) == CLOSED;
    }

    /**
     * Takes every listener, leaving the stack open and empty, and fires the waiters among them.
     * A volatile read when the stack is empty (the common case for a JoinSet nobody awaits).
     */
    final void wakeAll() {
        Listener h = (Listener) HEAD.getVolatile(this);
        for (;;) {
            if (h == null || h == CLOSED) {
                return;
            }
            Listener witness = (Listener) HEAD.compareAndExchange(this, h, null);
            if (witness == h) {
                break;
            }
            h = witness;
        }
        fireWaiters(h);
    }

    /**
     * Fires every waiter of a chain this thread took off a stack. Every waiter is fired even if a
     * waker throws; the first failure is rethrown at the end with the others suppressed.
     */
    static void fireWaiters(Listener chain) {
        RuntimeException failure = null;
        for (Listener n = chain; n != null; n = n.next) {
            if (n instanceof Waiter waiter) {
                try {
                    waiter.fire();
                } catch (RuntimeException e) {
                    if (failure == null) {
                        failure = e;
                    } else {
                        failure.addSuppressed(e);
                    }
                }
            }
        }
        if (failure != null) {
            throw failure;
        }
    }

    /**
     * Whether any listener in the stack is live. It sees every live node published before the
     * read of the head (compaction never hides one).
     */
    final boolean hasLiveListener() {
        Listener h = (Listener) HEAD.getVolatile(this);
        for (Listener n = h == CLOSED ? null : h; n != null; n = n.next) {
            if (n.isLive()) {
                return true;
            }
        }
        return false;
    }

    /** The top node now (null if empty or closed), to walk the stack: for diagnostics and tests. */
    final Listener top() {
        Listener h = (Listener) HEAD.getVolatile(this);
        return h == CLOSED ? null : h;
    }

    /** Live listeners, counted by a walk: for diagnostics and tests. */
    final int liveListeners() {
        Listener h = (Listener) HEAD.getVolatile(this);
        int live = 0;
        for (Listener n = h == CLOSED ? null : h; n != null; n = n.next) {
            if (n.isLive()) {
                live++;
            }
        }
        return live;
    }

    /** Nodes physically in the stack, live or emptied: for tests of compaction. */
    final int physicalSize() {
        Listener h = (Listener) HEAD.getVolatile(this);
        int size = 0;
        for (Listener n = h == CLOSED ? null : h; n != null; n = n.next) {
            size++;
        }
        return size;
    }

    /**
     * Unlinks the nodes below the head that {@link Listener#survivesCompaction} drops (see
     * "Compaction in place"). Package-private so tests can force a compaction at any point of an
     * interleaving.
     */
    final void compact() {
        PUSHES.setOpaque(this, 0);
        compactFromClaim();
    }

    /** The walk of {@link #compact()}, once the push count was reset by whoever runs it. */
    private void compactFromClaim() {
        Listener h = (Listener) HEAD.getVolatile(this);
        if (h == null || h == CLOSED) {
            return;
        }
        int live = h.survivesCompaction() ? 1 : 0;
        Listener kept = h;
        for (Listener n = kept.next; n != null; n = kept.next) {
            if (n.survivesCompaction()) {
                live++;
                kept = n;
            } else {
                kept.next = n.next;
            }
        }
        compactAfter = Math.max(MIN_PUSHES_BETWEEN_COMPACTIONS, 2 * live);
    }
}
