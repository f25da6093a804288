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
 * Awaits are given up without the handle being able to tell whose: a timed-out or interrupted
 * {@code get}, a {@code race}/{@code select}/{@code timeout} whose branch awaiting the handle lost
 * (the handle is shared by every awaiter, so its {@code cancel()} cannot know whose registration
 * to drop), a task that finished while awaiting. Each waker therefore says itself when nobody
 * needs its wake any more ({@link Waker#isObsolete()}): a finished task cell, a blocked thread's
 * {@link ThreadWaker} that gave up, a combinator branch that finished or was cancelled (which is
 * how a live task that keeps giving up joins through fresh branch wakers leaves nothing behind). A
 * node is <em>obsolete</em> ({@link #isObsolete()}) once its waker is, or when a newer node holds
 * the same waker (waking twice is waking once). A registration is not attributed to the task being
 * polled when it was made: a waker from another library's context may outlive that task (issue 15
 * review, ForeignContextWakeDroppedTest). Obsolete nodes are unlinked by
 * {@link #compactBelow}, which two events trigger, each amortised against the walk it pays for:
 * <ul>
 *   <li>a <em>push</em>, once the list has had as many pushes since the last compaction as that
 *       compaction kept nodes (at least {@link #MIN_COMPACTION_LENGTH}): a list holds at most
 *       about twice its live awaiters while it is being awaited;</li>
 *   <li>a <em>give-up</em> ({@code AwaitableCell.waiterGaveUp}: the handle's {@code cancel()}, which
 *       combinators call on the branch they drop, and a blocking wait that ended unfinished), once
 *       the give-ups since the last compaction are half the nodes it may meet (those it kept plus
 *       the pushes since): a burst of awaiters that all gave up is unlinked without waiting for a
 *       push that may never come, so what they pinned (their finished cells and outcomes) is
 *       released. A give-up is counted before its node is obsolete (a race cancels its loser
 *       while its task still runs), so the compaction it triggers may keep that one node; the
 *       halving means the last ones are met by the following give-ups.</li>
 * </ul>
 * Each compaction walks O(kept + pushes) nodes and is paid for by as many pushes or half as many
 * give-ups, so both are O(1) amortised. The head is never unlinked (that would race the pushers'
 * CAS): a list keeps at most one obsolete node above its live ones once the give-ups stop. A live
 * task that stopped caring through its own waker (it lost a {@code race}, which polls branches
 * with the task's waker, but runs on) keeps one node, however often it did so, until it or the
 * handle finishes: one spurious wake, no growth.
 *
 * <h2>No count is lost, so the bound holds at rest</h2>
 * One compaction runs at a time per list; a push or give-up that finds one running only counts.
 * Three rules make sure every count is acted on (issue 15 review, R4: the claim used to reset the
 * counters, and nobody looked at what was counted during a compaction, so a burst's last
 * compaction could wait for the list's next use):
 * <ol>
 *   <li>the claim consumes the counters with an atomic exchange ({@link Stats#claim}): exactly the
 *       events counted before it, none after, are paid for by this compaction;</li>
 *   <li>the compaction starts from the head read <em>after</em> the claim (see
 *       {@code AwaitableCell.compactWhileDue}): a push counts after its CAS, and a give-up after
 *       its node became obsolete (except a {@code race} loser's, above), so every consumed event's
 *       node is met;</li>
 *   <li>the compactor re-checks after releasing the claim and compacts again if what was counted
 *       meanwhile made it due ({@link Stats#claimIfDue}). Release and re-check against count and
 *       claim form a Dekker pair (volatile on both sides): either the compactor sees the count, or
 *       the counter sees the claim free and takes it.</li>
 * </ol>
 * So with nothing in flight no compaction is due, and a list that is being awaited holds fewer
 * than {@code kept + max(threshold, kept)} nodes, {@code kept} being at most its live awaiters,
 * the head and one registration in flight per awaiter at the last walk. A compactor does another
 * round only for events others counted during its last one, each round paid for as above.
 *
 * <h2>Concurrency of the unlinking</h2>
 * Only a compactor writes {@link #next} after a node is published, and one runs at a time per
 * list ({@link Stats#compacting}). Pushers only read the head; the completer and {@code stage()}
 * only read links. Unlinking {@code b} from {@code a -> b -> c} writes {@code a.next = c} and
 * leaves {@code b.next} as it was, so a reader standing on {@code b} still reaches {@code c}, and
 * one reading {@code a.next} reaches {@code c} either way. Only obsolete nodes are unlinked, and
 * obsolescence is permanent (finished stays finished, given up stays given up, {@link
 * Waker#isObsolete()} is monotonic by contract, and the kept duplicate sits above the dropped one,
 * where every later reader meets it first), so a reader that
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
    static final Waiters DONE = new Waiters(null, null, 0, null);

    private static final VarHandle NEXT;

    static {
        try {
            NEXT = MethodHandles.lookup().findVarHandle(Waiters.class, "next", Waiters.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    final Waker waker;
    /** The older registrations; rewritten only by a compactor, through {@link #NEXT}. */
    @SuppressWarnings("unused") // through NEXT, except in the constructor
    private Waiters next;
    /** Nodes in the list when this one was pushed (itself included), capped at the threshold. */
    final int shortLength;
    /** The list's compaction bookkeeping; null while the list has stayed short. */
    final Stats stats;

    private Waiters(Waker waker, Waiters next, int shortLength, Stats stats) {
        this.waker = waker;
        this.next = next;
        this.shortLength = shortLength;
        this.stats = stats;
    }

    /**
     * A node to push on {@code head} ({@code null} for an empty list). Lists that reach
     * {@code threshold} nodes get their {@link Stats} here, created at most once per list (a
     * losing CAS retries with the winner's head and so inherits its stats).
     */
    static Waiters on(Waiters head, Waker waker, int threshold) {
        if (head == null) {
            return new Waiters(waker, null, 1, null);
        }
        Stats stats = head.stats;
        int length = Math.min(head.shortLength + 1, threshold);
        if (stats == null && length >= threshold) {
            stats = new Stats(threshold);
        }
        return new Waiters(waker, head, length, stats);
    }

    Waiters next() {
        // Acquire: pairs with the compactor's release (see the class comment).
        return (Waiters) NEXT.getAcquire(this);
    }

    /**
     * Whether nobody needs this node's wake any more: its waker is {@linkplain Waker#isObsolete()
     * obsolete} (a task cell once finished, a thread's waker once it gave up). Permanent once true.
     */
    boolean isObsolete() {
        try {
            return waker.isObsolete();
        } catch (Throwable broken) {
            // A foreign waker broke its contract. Treated as live: a spurious wake is harmless, a
            // lost one is not, and the delivery or compaction around this call must go on.
            if (!obsoleteFailureLogged) {
                obsoleteFailureLogged = true; // racy: at worst logged a few times, never per call
                log.error("waker {} threw from isObsolete(); treated as live (logged once)", waker, broken);
            }
            return false;
        }
    }

    /** Whether a throwing {@link Waker#isObsolete()} was logged already; plain, racy on purpose. */
    private static boolean obsoleteFailureLogged;

    /**
     * Unlinks the obsolete nodes below {@code top} (which is kept) and returns the number of
     * nodes kept. The caller holds the list's compaction claim.
     */
    static int compactBelow(Waiters top) {
        Waiters kept = top;
        int live = 1;
        Set<Waker> seen = null; // duplicates are found by a scan of the kept nodes while they are few
        for (Waiters n = top.next(); n != null; n = n.next()) {
            if (n.isObsolete() || isDuplicate(n.waker, top, kept, seen)) {
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
            if (w.isObsolete()) {
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
     * and give-ups since the last compaction, the nodes that compaction kept, and the claim that
     * keeps compactions of one list from overlapping. Racy reads and counts only decide
     * <em>when</em> to compact, never what is unlinked.
     */
    static final class Stats {
        private static final VarHandle PUSHES;
        private static final VarHandle GIVE_UPS;
        private static final VarHandle COMPACTING;

        static {
            try {
                MethodHandles.Lookup lookup = MethodHandles.lookup();
                PUSHES = lookup.findVarHandle(Stats.class, "pushes", int.class);
                GIVE_UPS = lookup.findVarHandle(Stats.class, "giveUps", int.class);
                COMPACTING = lookup.findVarHandle(Stats.class, "compacting", boolean.class);
            } catch (ReflectiveOperationException e) {
                throw new ExceptionInInitializerError(e);
            }
        }

        final int threshold;
        @SuppressWarnings("unused") // through PUSHES
        private int pushes;
        @SuppressWarnings("unused") // through GIVE_UPS
        private int giveUps;
        /** Nodes the last compaction kept (0 before the first). */
        private volatile int kept;
        @SuppressWarnings("unused") // through COMPACTING
        private boolean compacting;

        Stats(int threshold) {
            this.threshold = threshold;
            this.pushes = threshold; // the list just reached the threshold: look at it now
        }

        /** Counts a push; true if a compaction is due (pushes paid for the kept nodes) and this caller claimed it. */
        boolean countPushAndClaim() {
            // getAndAdd has volatile semantics: the counting side of the Dekker pair with release().
            int count = (int) PUSHES.getAndAdd(this, 1) + 1;
            return count >= pushesDue() && claim();
        }

        /**
         * Counts a give-up; true if a compaction is due (the give-ups are half the nodes it may
         * walk: those kept last time plus the pushes since) and this caller claimed it.
         */
        boolean countGiveUpAndClaim() {
            int count = (int) GIVE_UPS.getAndAdd(this, 1) + 1;
            return giveUpsDue(count, (int) PUSHES.getVolatile(this)) && claim();
        }

        /**
         * Called by a compactor right after {@link #release()}: true if what was counted while it
         * ran makes another compaction due and this caller claimed it. Volatile reads: the
         * re-checking side of the Dekker pair (see the class comment).
         */
        boolean claimIfDue() {
            return isDue() && claim();
        }

        /** Whether the counts so far make a compaction due; for the checks above and for tests. */
        boolean isDue() {
            int pushes = (int) PUSHES.getVolatile(this);
            return pushes >= pushesDue() || giveUpsDue((int) GIVE_UPS.getVolatile(this), pushes);
        }

        private int pushesDue() {
            return Math.max(threshold, kept);
        }

        private boolean giveUpsDue(int giveUps, int pushes) {
            return 2L * giveUps >= Math.max(1L, (long) kept + pushes);
        }

        /**
         * Takes the list's compaction claim if no compaction runs, and consumes the counts: the
         * exchanges return what was counted up to now (paid for by the compaction starting) and
         * leave what is counted from here on for the next one. A reset after a read lost the
         * counts made in between.
         */
        private boolean claim() {
            // Volatile pre-check (not opaque): after a count, it must see a release that came
            // before the releaser's re-check missed that count (the Dekker pair).
            if ((boolean) COMPACTING.getVolatile(this) || !COMPACTING.compareAndSet(this, false, true)) {
                return false;
            }
            PUSHES.getAndSet(this, 0);
            GIVE_UPS.getAndSet(this, 0);
            return true;
        }

        void compacted(int live) {
            kept = live;
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

        /** Obsolete once its thread gave up: a later wait makes a new waker. */
        @Override
        public boolean isObsolete() {
            return abandoned;
        }
    }
}
