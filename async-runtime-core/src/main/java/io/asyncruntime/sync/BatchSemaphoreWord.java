package io.asyncruntime.sync;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * The state word of a {@link BatchSemaphore} and what is done on it without the waiters' lock
 * (the fast paths and the reads); {@link BatchSemaphore} adds the wait queue's side: serving,
 * waiting, cancelling and closing, under the lock of {@link WaitList}. Split from it as a pure move.
 *
 * <h2>The state word</h2>
 * <pre>
 *   bit 0        CLOSED   acquires fail; terminal
 *   bit 1        WAITERS  the wait queue is not empty
 *   bits 2..31   the permits nobody holds and no waiter has been given
 *   bits 32..63  the ticket: a counter a channel uses to number its messages (wraps)
 * </pre>
 * The ticket lets a channel take room for a message and claim the message's position in one
 * CAS ({@link #tryAcquireTicket}): a message is never half-way between "room taken" and "position
 * claimed", so a channel can tell a send in progress (position claimed, not yet written) from
 * room that is merely reserved, and stays linearizable.
 *
 * <p>The fast paths (an acquire that finds permits and no waiters, a release with no waiters) are
 * one CAS or one atomic add on the word; the lock is taken only to wait, to serve waiters, and to
 * cancel a wait. All permit transfers are RMWs on the one word, so they are totally ordered.
 */
abstract class BatchSemaphoreWord extends WaitList {

    /** The most permits a semaphore holds: 30 bits of the state word. */
    static final int MAX_PERMITS = (1 << 30) - 1;

    /** {@link #tryAcquireTicket} results that are not tickets. */
    static final long NO_TICKET = -1;
    static final long CLOSED_TICKET = -2;

    /** Results of {@link #tryAcquire} and {@link BatchSemaphore#pollAcquire}. */
    static final int ACQUIRED = 0;
    static final int NO_PERMITS = 1;
    static final int CLOSED_RESULT = 2;

    static final long CLOSED = 1;
    static final long WAITERS = 2;
    static final int SHIFT = 2;
    static final long PERMIT_BITS = (long) MAX_PERMITS << SHIFT;
    static final long ONE_PERMIT = 1L << SHIFT;
    static final int TICKET_SHIFT = 32;
    static final long ONE_TICKET = 1L << TICKET_SHIFT;

    static final VarHandle STATE;

    static {
        try {
            STATE = MethodHandles.lookup().findVarHandle(BatchSemaphoreWord.class, "state", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    @SuppressWarnings("unused") // through STATE
    private volatile long state;

    BatchSemaphoreWord(int permits) {
        this.state = (long) permits << SHIFT;
    }

    static long permits(long s) {
        return (s & PERMIT_BITS) >>> SHIFT;
    }

    // ---- without waiting ---------------------------------------------------------------------

    /**
     * Takes {@code n} permits if they are free and nobody waits (a waiter is never overtaken).
     * Returns {@link #ACQUIRED}, {@link #NO_PERMITS} or {@link #CLOSED_RESULT}.
     */
    int tryAcquire(int n) {
        long s = (long) STATE.getVolatile(this);
        for (;;) {
            if ((s & CLOSED) != 0) {
                return CLOSED_RESULT;
            }
            if ((s & WAITERS) != 0 || permits(s) < n) {
                return NO_PERMITS;
            }
            long witness = (long) STATE.compareAndExchange(this, s, s - ((long) n << SHIFT));
            if (witness == s) {
                return ACQUIRED;
            }
            s = witness;
        }
    }

    /**
     * Takes one permit and claims the next ticket in one CAS, if a permit is free and nobody
     * waits. Returns the ticket (0 .. 2^32 - 1), {@link #NO_TICKET} or {@link #CLOSED_TICKET}.
     */
    long tryAcquireTicket() {
        long s = (long) STATE.getVolatile(this);
        for (;;) {
            if ((s & CLOSED) != 0) {
                return CLOSED_TICKET;
            }
            if ((s & WAITERS) != 0 || permits(s) == 0) {
                return NO_TICKET;
            }
            long witness = (long) STATE.compareAndExchange(this, s, s - ONE_PERMIT + ONE_TICKET);
            if (witness == s) {
                return s >>> TICKET_SHIFT;
            }
            s = witness;
        }
    }

    /** Claims the next ticket for permits already held (a granted send, a reservation that sends). */
    int claimTicket() {
        return (int) ((long) STATE.getAndAdd(this, ONE_TICKET) >>> TICKET_SHIFT);
    }

    /** The next ticket to be claimed. */
    int nextTicket() {
        return (int) ((long) STATE.getVolatile(this) >>> TICKET_SHIFT);
    }

    /** Permits free right now (not held, not assigned to a waiter). */
    int available() {
        return (int) permits((long) STATE.getVolatile(this));
    }

    boolean isClosed() {
        return ((long) STATE.getVolatile(this) & CLOSED) != 0;
    }

    /** Whether the semaphore is closed and all of {@code total} permits are back. */
    boolean isClosedWithAll(int total) {
        long s = (long) STATE.getVolatile(this);
        return (s & CLOSED) != 0 && permits(s) == total;
    }
}
