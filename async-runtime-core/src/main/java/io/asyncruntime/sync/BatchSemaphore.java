package io.asyncruntime.sync;

import io.asyncruntime.task.Context;
import io.asyncruntime.task.Waker;

/**
 * The fair counting semaphore under {@link Semaphore}, {@link Mutex}, {@link RwLock} and a
 * {@link Channel}'s capacity (Tokio's {@code batch_semaphore}, in our own design).
 *
 * <p>The state word, its layout and its lock-free operations are {@link BatchSemaphoreWord}'s.
 * Invariants:
 * <ul>
 *   <li>WAITERS is set and cleared only under the lock, and equals "the queue is not empty" every
 *       time the lock is released.</li>
 *   <li>While WAITERS is set, permits in the word belong to the queue: an acquire without the lock
 *       never takes them (no barging, so a large {@code acquire(n)} at the head is never
 *       overtaken). Whoever adds permits and sees WAITERS takes the lock and hands them to the
 *       head of the queue ({@link #assignLocked}), so at every unlock the word holds no permits
 *       while the queue is not empty. The one exception is a release that defers serving the queue
 *       ({@link #releaseDeferringWaiters}): its permits stay in the word, still the queue's, until
 *       the releaser (or anyone else who takes the lock first) serves it.</li>
 *   <li>Only the head waiter holds part of its request ({@code requested - remaining}); a waiter
 *       is unlinked, and its phase set, in the same critical section that gives it its last
 *       permit (GRANTED) or closes the semaphore (FAILED).</li>
 *   <li>A permit is never lost: it is in the word, assigned to a waiter, or held by exactly one
 *       owner, and a cancelled or failed waiter gives back what it was assigned.</li>
 * </ul>
 */
final class BatchSemaphore extends BatchSemaphoreWord {

    BatchSemaphore(int permits) {
        super(permits);
    }

    /**
     * A place in the wait queue ({@link PermitTask} and a channel send allocate one only when they
     * must wait). {@link #phase} moves INIT → (WAITING →) GRANTED → TAKEN, or ends in FAILED
     * (closed) or CANCELLED.
     */
    abstract static class Acquirer extends WaitNode {
        static final int INIT = 0;
        static final int WAITING = 1;
        static final int GRANTED = 2;
        static final int TAKEN = 3;
        static final int FAILED = 4;
        static final int CANCELLED = 5;

        final int requested;
        /** Whether taking the permits also claims a ticket (a channel send: room plus position). */
        final boolean claimsTicket;
        /** The ticket claimed with the permits, if {@link #claimsTicket}; owner-private. */
        int ticket;
        /** Permits still to be assigned while WAITING; guarded by the semaphore's lock. */
        int remaining;
        /**
         * Written by the owner (INIT, TAKEN, CANCELLED) and, under the lock, by whoever
         * grants or fails the waiter; volatile so the owner's poll reads a grant without the lock.
         */
        volatile int phase;

        Acquirer(int requested) {
            this(requested, false);
        }

        Acquirer(int requested, boolean claimsTicket) {
            this.requested = requested;
            this.claimsTicket = claimsTicket;
        }
    }

    /** Gives back {@code n} permits taken earlier (never more than were taken). */
    void release(int n) {
        long s = (long) STATE.getAndAdd(this, (long) n << SHIFT);
        if ((s & WAITERS) != 0) {
            lock();
            assignLocked();
            unlockAndWake();
        }
    }

    /** Results of {@link #releaseDeferringWaiters}. */
    static final int NOTHING_OWED = 0;
    static final int OWED_LATER = 1;
    static final int OWED_NOW = 2;

    /**
     * {@link #release} for a caller that serves the waiters itself, in a batch: adds the permits
     * to the word at once (so they are counted, and never taken by anyone but the queue while
     * WAITERS is set), and leaves taking the lock to hand them to the waiters to the caller.
     * Returns {@link #NOTHING_OWED} if no waiter waits; {@link #OWED_NOW} once at least
     * {@code batch} permits are in the word (the caller must {@link #serveWaiters()} now); else
     * {@link #OWED_LATER}: the caller owes a {@link #serveWaiters()} later (the channel's
     * receiver makes it when its poll ends). Until then the waiters' room sits in the word, as it
     * does in every release between its add and its lock; whoever else takes the lock (an
     * enqueue, a cancel, a close, a {@link #serveWaiters()} from a {@code trySend}) serves the
     * queue first. The caller serves outside this method so that it can choose where the wakes
     * go (chan11i: a channel's grant wakes senders to the ring, not the LIFO slot).
     */
    int releaseDeferringWaiters(int n, int batch) {
        long s = (long) STATE.getAndAdd(this, (long) n << SHIFT);
        if ((s & WAITERS) == 0) {
            return NOTHING_OWED;
        }
        return permits(s) + n >= batch ? OWED_NOW : OWED_LATER;
    }

    /**
     * Whether permits sit in the word while senders wait: a release that has not served the
     * queue yet (see {@link #releaseDeferringWaiters}). A volatile read.
     */
    boolean owesWaiters() {
        long s = (long) STATE.getVolatile(this);
        return (s & WAITERS) != 0 && permits(s) != 0;
    }

    /** Hands permits in the word to the waiters, and wakes those it completes, if any are owed. */
    void serveWaiters() {
        if (owesWaiters()) {
            lock();
            assignLocked();
            unlockAndWake();
        }
    }

    /**
     * Adds {@code n} new permits.
     *
     * @throws IllegalArgumentException if the free permits would exceed {@link #MAX_PERMITS}
     */
    void addPermits(int n) {
        long s = (long) STATE.getVolatile(this);
        for (;;) {
            if (permits(s) + n > MAX_PERMITS) {
                throw new IllegalArgumentException("adding " + n + " permits to the " + permits(s)
                        + " free ones would exceed the maximum of " + MAX_PERMITS);
            }
            long witness = (long) STATE.compareAndExchange(this, s, s + ((long) n << SHIFT));
            if (witness == s) {
                break;
            }
            s = witness;
        }
        if ((s & WAITERS) != 0) {
            lock();
            assignLocked();
            unlockAndWake();
        }
    }

    /**
     * Closes the semaphore: every waiter fails (its assigned permits go back to the word), and
     * later acquires fail. Permits held stay valid and can still be released. Idempotent.
     */
    void close() {
        lock();
        // Serve the queue from the word first. Permits are in the word while waiters wait only
        // between a release's (or addPermits') add and its lock: that release came first and,
        // linearized, gave them to the head of the queue, so those waiters are granted here, not
        // failed (CloseBetweenReleaseAddAndLockFailsGrantedSendTest). The release then finds the
        // queue served when it gets the lock.
        assignLocked();
        long refund = 0;
        for (WaitNode node = popFront(); node != null; node = popFront()) {
            Acquirer waiter = (Acquirer) node;
            refund += waiter.requested - waiter.remaining;
            waiter.phase = Acquirer.FAILED;
            toWake(waiter);
        }
        long s = (long) STATE.getVolatile(this);
        for (;;) {
            long next = ((s & ~WAITERS) + (refund << SHIFT)) | CLOSED;
            long witness = (long) STATE.compareAndExchange(this, s, next);
            if (witness == s) {
                break;
            }
            s = witness;
        }
        unlockAndWake();
    }

    // ---- waiting -----------------------------------------------------------------------------

    /**
     * Polls {@code waiter}'s acquire of its {@code requested} permits: {@link #ACQUIRED} (the
     * caller now owns them; phase TAKEN), {@link #NO_PERMITS} (pending; the context's waker is
     * registered) or {@link #CLOSED_RESULT}. Spends one unit of budget on a first attempt and on
     * taking a grant; with no budget left it returns pending and keeps whatever it was granted.
     * Owner only.
     */
    int pollAcquire(Acquirer waiter, Context cx) {
        switch (waiter.phase) {
            case Acquirer.INIT:
                if (!cx.consumeBudget()) {
                    return NO_PERMITS;
                }
                int result;
                if (waiter.claimsTicket) {
                    long ticket = tryAcquireTicket();
                    result = ticket >= 0 ? ACQUIRED : ticket == NO_TICKET ? NO_PERMITS : CLOSED_RESULT;
                    waiter.ticket = (int) ticket;
                } else {
                    result = tryAcquire(waiter.requested);
                }
                if (result == ACQUIRED) {
                    waiter.phase = Acquirer.TAKEN;
                    return ACQUIRED;
                }
                if (result == CLOSED_RESULT) {
                    waiter.phase = Acquirer.FAILED;
                    return CLOSED_RESULT;
                }
                return enqueue(waiter, cx.waker());
            case Acquirer.WAITING:
                Waker waker = cx.waker();
                // The waker field changes only under the lock while WAITING; a stale read here just
                // takes the lock, which re-checks the phase.
                if (waiter.waker != waker) {
                    lock();
                    if (waiter.phase == Acquirer.WAITING) {
                        waiter.waker = waker;
                        unlock();
                        return NO_PERMITS;
                    }
                    unlock();
                    return pollAcquire(waiter, cx); // granted or failed meanwhile
                }
                return NO_PERMITS;
            case Acquirer.GRANTED:
                if (!cx.consumeBudget()) {
                    return NO_PERMITS;
                }
                if (waiter.claimsTicket) {
                    waiter.ticket = claimTicket();
                }
                waiter.phase = Acquirer.TAKEN;
                return ACQUIRED;
            case Acquirer.FAILED:
                return CLOSED_RESULT;
            default:
                throw new IllegalStateException("a finished acquire was polled again");
        }
    }

    /**
     * Queues {@code waiter} (phase INIT) for its permits, or takes them at once if they are free
     * and nobody waits: {@link #ACQUIRED}, {@link #NO_PERMITS} (queued, {@code waker} registered)
     * or {@link #CLOSED_RESULT}. For a caller that already tried the fast path (and spent budget).
     */
    int enqueue(Acquirer waiter, Waker waker) {
        lock();
        assignLocked(); // serve the queue first: permits in the word belong to it
        int n = waiter.requested;
        if (isEmpty()) {
            long s = (long) STATE.getVolatile(this);
            for (;;) {
                if ((s & CLOSED) != 0) {
                    unlockAndWake();
                    waiter.phase = Acquirer.FAILED;
                    return CLOSED_RESULT;
                }
                long free = permits(s);
                if (free >= n) {
                    long next = s - ((long) n << SHIFT) + (waiter.claimsTicket ? ONE_TICKET : 0);
                    long witness = (long) STATE.compareAndExchange(this, s, next);
                    if (witness == s) {
                        unlockAndWake();
                        waiter.ticket = (int) (s >>> TICKET_SHIFT);
                        waiter.phase = Acquirer.TAKEN;
                        return ACQUIRED;
                    }
                    s = witness;
                    continue;
                }
                // Take what is free now and wait at the head for the rest.
                long witness = (long) STATE.compareAndExchange(this, s, (s & ~PERMIT_BITS) | WAITERS);
                if (witness == s) {
                    waiter.remaining = n - (int) free;
                    break;
                }
                s = witness;
            }
        } else {
            // WAITERS is set and, after assignLocked, the word holds no permits.
            waiter.remaining = n;
        }
        waiter.waker = waker;
        waiter.phase = Acquirer.WAITING;
        pushBack(waiter);
        unlockAndWake();
        return NO_PERMITS;
    }

    /**
     * Hands permits in the word to the waiters from the head, granting each waiter whose request is
     * complete; clears WAITERS when the queue is empty. Lock held.
     */
    private void assignLocked() {
        for (;;) {
            long s = (long) STATE.getVolatile(this);
            Acquirer head = (Acquirer) first();
            if (head == null) {
                if ((s & WAITERS) == 0 || STATE.compareAndSet(this, s, s & ~WAITERS)) {
                    return;
                }
                continue;
            }
            long free = permits(s);
            if (free == 0) {
                return;
            }
            int take = (int) Math.min(free, head.remaining);
            if (!STATE.compareAndSet(this, s, s - ((long) take << SHIFT))) {
                continue; // a release added permits meanwhile (nothing else changes the word now)
            }
            head.remaining -= take;
            if (head.remaining == 0) {
                unlink(head);
                head.phase = Acquirer.GRANTED;
                toWake(head);
            }
        }
    }

    /**
     * Drops {@code waiter}'s acquire: a waiting one leaves the queue and gives back what it was
     * assigned (to the next waiters); a granted one not yet taken gives back all its permits.
     * Owner only, never concurrently with its poll.
     */
    void cancel(Acquirer waiter) {
        int phase = waiter.phase;
        if (phase == Acquirer.WAITING) {
            lock();
            if (waiter.phase == Acquirer.WAITING) {
                unlink(waiter);
                int assigned = waiter.requested - waiter.remaining;
                waiter.phase = Acquirer.CANCELLED;
                waiter.waker = null;
                if (assigned > 0) {
                    STATE.getAndAdd(this, (long) assigned << SHIFT);
                }
                assignLocked(); // the next waiter may be servable now; clears WAITERS if none is left
                unlockAndWake();
                return;
            }
            unlock();
            phase = waiter.phase;
        }
        if (phase == Acquirer.GRANTED) {
            waiter.phase = Acquirer.CANCELLED;
            release(waiter.requested);
        } else if (phase == Acquirer.INIT) {
            waiter.phase = Acquirer.CANCELLED;
        }
    }
}
