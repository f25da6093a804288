package io.asyncruntime.internal.scheduler;

import io.asyncruntime.task.Waker;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.Set;
import java.util.concurrent.locks.LockSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One registration in the list of wakers waiting for a task cell to complete, and the list's
 * algorithms that do not touch the cell (see {@link AwaitableCell} for the ones that do).
 *
 * <h2>The list</h2>
 * A stack: a registrant links a new node to the current head and CASes the cell's head to it;
 * completion exchanges the head for {@link #DONE} and wakes what it took. Nodes are never reused.
 *
 * <h2>Why it does not grow without bound</h2>
 * Awaits are given up without telling the handle: a timed-out or interrupted {@code get}, a
 * {@code race}/{@code select}/{@code timeout} whose branch awaiting the handle lost (the handle is
 * shared by every awaiter, so its {@code cancel()} cannot know whose registration to drop), a
 * task that finished while awaiting. Each registration therefore records its <em>owner</em>: the
 * task being polled when it registered (a {@link TaskCell}), or the blocked thread's
 * {@link ThreadWaker}. A node is <em>obsolete</em> once its owner finished or gave up, or when a
 * newer node holds the same waker (waking twice is waking once). Obsolete nodes are unlinked by
 * {@link #compactBelow}, run by a registrant once the list has had as many pushes since the last
 * compaction as it then had live nodes (at least {@link #MIN_COMPACTION_LENGTH}): each compaction
 * walks O(live + pushes) nodes and is paid for by as many pushes, so registration is O(1)
 * amortised, and a list holds at most about twice its live awaiters. A live awaiter that stopped
 * caring (it lost a race but runs on) keeps one node, however often it did so, until it or the
 * handle finishes: one spurious wake, no growth.
 *
 * <h2>Concurrency of the unlinking</h2>
 * Only a compactor writes {@link #next} after a node is published, and one runs at a time per
 * list ({@link Stats#compacting}). Pushers only read the head; the completer and {@code stage()}
 * only read links. Unlinking {@code b} from {@code a -> b -> c} writes {@code a.next = c} and
 * leaves {@code b.next} as it was, so a reader standing on {@code b} still reaches {@code c}, and
 * one reading {@code a.next} reaches {@code c} either way. Only obsolete nodes are unlinked, and
 * obsolescence is permanent (finished stays finished, given up stays given up, and the kept
 * duplicate sits above the dropped one, where every later reader meets it first), so a reader that
 * misses an unlinked node misses nothing it had to wake. Links are written with release and read
 * with acquire: a reader that follows a rewritten link sees the target's own link as the
 * compactor saw it, never its default.
 */
final class Waiters {

    private static final Logger log = LoggerFactory.getLogger(Waiters.class);

    /**
     * Below this many nodes a list is never compacted (the work would exceed the waste), and
     * compaction waits for at least this many pushes. Most handles have zero to a few awaiters.
     */
    static final int MIN_COMPACTION_LENGTH = 16;

    /** Kept nodes a compaction compares one by one for duplicates before a hash set is worth its allocation. */
    private static final int SCAN_LIMIT = 32;

    /** Marks a cell whose waiters were already taken: later registrants wake themselves. */
    static final Waiters DONE = new Waiters(null, null, null, 0, null);

    private static final VarHandle NEXT;

    static {
        try {
            NEXT = MethodHandles.lookup().findVarHandle(Waiters.class, "next", Waiters.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    final Waker waker;
    /** Whose interest this is (see the class comment): a {@link TaskCell}, a {@link ThreadWaker}, or the waker itself. */
    final Object owner;
    /** The older registrations; rewritten only by a compactor, through {@link #NEXT}. */
    @SuppressWarnings("unused") // through NEXT, except in the constructor
    private Waiters next;
    /** Nodes in the list when this one was pushed (itself included), capped at the threshold. */
    final int shortLength;
    /** The list's compaction bookkeeping; null while the list has stayed short. */
    final Stats stats;

    private Waiters(Waker waker, Object owner, Waiters next, int shortLength, Stats stats) {
        this.waker = waker;
        this.owner = owner;
        this.next = next;
        this.shortLength = shortLength;
        this.stats = stats;
    }

    /**
     * A node to push on {@code head} ({@code null} for an empty list). Lists that reach
     * {@code threshold} nodes get their {@link Stats} here, created at most once per list (a
     * losing CAS retries with the winner's head and so inherits its stats).
     */
    static Waiters on(Waiters head, Waker waker, Object owner, int threshold) {
        if (head == null) {
            return new Waiters(waker, owner, null, 1, null);
        }
        Stats stats = head.stats;
        int length = Math.min(head.shortLength + 1, threshold);
        if (stats == null && length >= threshold) {
            stats = new Stats(threshold);
        }
        return new Waiters(waker, owner, head, length, stats);
    }

    Waiters next() {
        // Acquire: pairs with the compactor's release (see the class comment).
        return (Waiters) NEXT.getAcquire(this);
    }

    /** Whether nobody needs this node's wake any more: its owner finished or gave up waiting. */
    boolean isAbandoned() {
        Object o = owner;
        if (o instanceof TaskCell<?> cell) {
            return cell.isFinished();
        }
        if (o instanceof ThreadWaker thread) {
            return thread.isAbandoned();
        }
        return false;
    }

    /**
     * Called by the registrant that just pushed {@code top}: compacts the list below it if it is
     * due and no other compaction of this list runs. Never blocks.
     */
    static void compactIfDue(Waiters top) {
        Stats stats = top.stats;
        if (stats != null && stats.countPushAndClaim()) {
            try {
                stats.compacted(compactBelow(top), stats.threshold);
            } finally {
                stats.release();
            }
        }
    }

    /**
     * Unlinks the obsolete nodes below {@code top} (which is kept) and returns the number of
     * nodes kept. The caller holds the list's compaction claim.
     */
    static int compactBelow(Waiters top) {
        Waiters kept = top;
        int live = 1;
        Set<Waker> seen = null; // duplicates are found by a scan of the kept nodes while they are few
        for (Waiters n = top.next(); n != null; n = n.next()) {
            if (n.isAbandoned() || isDuplicate(n.waker, top, kept, seen)) {
                continue;
            }
            if (kept.next() != n) {
                NEXT.setRelease(kept, n);
            }
            kept = n;
            live++;
            if (seen != null) {
                seen.add(n.waker);
            } else if (live == SCAN_LIMIT) {
                seen = Collections.newSetFromMap(new IdentityHashMap<>());
                for (Waiters k = top; ; k = k.next()) {
                    seen.add(k.waker);
                    if (k == kept) {
                        break;
                    }
                }
            }
        }
        if (kept.next() != null) {
            NEXT.setRelease(kept, (Waiters) null);
        }
        return live;
    }

    /** Whether a kept node (from {@code top} down to {@code last}) already holds {@code waker}. */
    private static boolean isDuplicate(Waker waker, Waiters top, Waiters last, Set<Waker> seen) {
        if (seen != null) {
            return seen.contains(waker);
        }
        for (Waiters k = top; ; k = k.next()) {
            if (k.waker == waker) {
                return true;
            }
            if (k == last) {
                return false;
            }
        }
    }

    /** Number of nodes reachable from {@code head}, for tests and diagnostics. */
    static int length(Waiters head) {
        int n = 0;
        for (Waiters w = head; w != null && w != DONE; w = w.next()) {
            n++;
        }
        return n;
    }

    /**
     * Wakes every waiter of a list taken off a cell, newest registration first, skipping those
     * nobody waits for any more. A waker that throws breaks its own contract; it is logged and
     * the others are still woken.
     */
    static void wakeEach(Waiters head) {
        for (Waiters w = head; w != null && w != DONE; w = w.next()) {
            if (w.isAbandoned()) {
                continue;
            }
            try {
                w.waker.wake();
            } catch (Throwable broken) {
                log.error("waker {} threw from wake(); the other waiters are still woken", w.waker, broken);
            }
        }
    }

    /**
     * A list's compaction bookkeeping, shared by all its nodes from the moment it got long: pushes
     * since the last compaction, the budget of pushes that pays for the next one, and the claim
     * that keeps compactions of one list from overlapping. Racy reads only decide <em>when</em> to
     * compact, never what is unlinked.
     */
    static final class Stats {
        private static final VarHandle PUSHES;
        private static final VarHandle COMPACTING;

        static {
            try {
                MethodHandles.Lookup lookup = MethodHandles.lookup();
                PUSHES = lookup.findVarHandle(Stats.class, "pushes", int.class);
                COMPACTING = lookup.findVarHandle(Stats.class, "compacting", boolean.class);
            } catch (ReflectiveOperationException e) {
                throw new ExceptionInInitializerError(e);
            }
        }

        final int threshold;
        @SuppressWarnings("unused") // through PUSHES
        private int pushes;
        /** Pushes that pay for the next compaction: the live count after the last one, at least the threshold. */
        private volatile int budget;
        @SuppressWarnings("unused") // through COMPACTING
        private boolean compacting;

        Stats(int threshold) {
            this.threshold = threshold;
            this.budget = threshold;
            this.pushes = threshold; // the list just reached the threshold: look at it now
        }

        /** Counts a push; true if a compaction is due and this caller claimed it. */
        boolean countPushAndClaim() {
            // Plain getAndAdd is atomic; its ordering is irrelevant (the claim orders compactions).
            int count = (int) PUSHES.getAndAdd(this, 1) + 1;
            if (count < budget || (boolean) COMPACTING.getOpaque(this)) {
                return false;
            }
            if (!COMPACTING.compareAndSet(this, false, true)) {
                return false;
            }
            // Pushes from here on are above the node the compaction starts from: they count for the next one.
            PUSHES.setOpaque(this, 0);
            return true;
        }

        void compacted(int live, int minimum) {
            budget = Math.max(minimum, live);
        }

        void release() {
            // Volatile: the next compactor (its CAS) sees every link this one rewrote.
            COMPACTING.setVolatile(this, false);
        }
    }

    /**
     * A waker that unparks one thread, for callers that block: {@code Future.get} and
     * {@code blockOn}. {@link #woken} is a flag rather than relying on the park permit alone, so
     * spurious unparks are filtered out by the loop that parks. Once the thread stops waiting
     * ({@link #abandon()}) its registrations are obsolete.
     */
    static final class ThreadWaker implements Waker {
        private final Thread thread = Thread.currentThread();
        private volatile boolean woken;
        private volatile boolean abandoned;

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

        /** The owning thread no longer waits: what it registered may be dropped. */
        void abandon() {
            abandoned = true;
        }

        boolean isAbandoned() {
            return abandoned;
        }
    }
}
