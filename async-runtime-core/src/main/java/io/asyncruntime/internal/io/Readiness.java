package io.asyncruntime.internal.io;

import io.asyncruntime.task.Waker;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * The readiness state machine of one registered channel, without the NIO parts (those are
 * {@link SelectorRegistration}'s, which extends this): cached readiness, the interest the driver
 * keeps armed, and the tasks waiting on each direction. Apart so that it can be model-checked.
 *
 * <h2>The state word</h2>
 * <pre>
 *   bit  0 READ_READY    bit 1 WRITE_READY    the direction was reported ready (or is assumed ready)
 *   bit  2 READ_WANTED   bit 3 WRITE_WANTED   a task waits for the direction (owner sets, driver clears)
 *   bit  4 READ_ARMED    bit 5 WRITE_ARMED    the op is in the key's interest set (driver only)
 *   bit  6 QUEUED        the registration sits in the driver's interest inbox (owner sets, driver clears)
 *   bit  7 KEYED         the driver created (or is creating) a selection key for it
 *   bit  8 CLOSED        terminal
 *   bits 32..63 TICK     counts events the driver delivered; a readiness token is the tick it was read at
 * </pre>
 * Every change is a CAS on the whole word, so each decision below sees one consistent state.
 * A fresh registration is READ_READY | WRITE_READY: the first operation tries its system call,
 * and only a would-block makes it wait (and asks for interest).
 *
 * <h2>Level-triggered interest, disarmed lazily for reads and eagerly for writes</h2>
 * The JDK's epoll selector is level-triggered: an op left in the interest set is reported at
 * every select until the socket is drained. The interest set is only ever changed by the driver
 * (so a change never races a select, and costs a worker no lock); an owner asks for it through
 * the driver's inbox (QUEUED), and only when the op is not armed already.
 * <ul>
 *   <li><b>Read</b> (OP_READ, OP_ACCEPT): an event that finds a waiter keeps the op armed: the
 *       woken task usually reads, then waits again and finds the op still armed, so a steady
 *       request/response exchange costs no interest change and no selector wake-up. An event
 *       that finds no waiter is data still unread, reported again because its task has not run
 *       yet: a non-blocking turn (a busy worker's) leaves the op armed, since the task will
 *       consume it soon and disarming would cost two {@code epoll_ctl} calls per round trip
 *       (measured: 0.8 of each per echo round trip on 2 busy workers); a blocking select takes
 *       the op out, or it would return at once, every time, until the data is read (the
 *       selector is level-triggered). The next wait puts it back.</li> * </ul>
 *
 * <h2>No lost wake-up</h2>
 * A waiter adds its waker, then sets WANTED by CAS unless it finds the direction READY (then it
 * takes its waker back and tries the operation). The driver sets READY and clears WANTED by CAS,
 * then takes the waiters. Whichever CAS comes second sees the other: either the waiter sees READY,
 * or the driver sees WANTED and the waker added before it. {@link #clearReady} after a
 * would-block clears READY only if the tick is still the one the operation read, so an event that
 * arrived meanwhile is kept and the operation simply tries again. Closing sets CLOSED, then takes
 * the waiters, with the same argument.
 */
abstract class Readiness {

    static final long READ_READY = 1L;
    static final long WRITE_READY = 1L << 1;
    static final long READ_WANTED = 1L << 2;
    static final long WRITE_WANTED = 1L << 3;
    static final long READ_ARMED = 1L << 4;
    static final long WRITE_ARMED = 1L << 5;
    static final long QUEUED = 1L << 6;
    static final long KEYED = 1L << 7;
    static final long CLOSED_BIT = 1L << 8;
    static final long WANTED_BITS = READ_WANTED | WRITE_WANTED;
    /** WANTED bits shifted left by this many are the matching ARMED bits. */
    private static final int WANTED_TO_ARMED = 2;
    static final int TICK_SHIFT = 32;
    static final long TICK_ONE = 1L << TICK_SHIFT;

    /** {@link #pollReady} results (see {@link IoRegistration}). */
    static final long NOT_READY = IoRegistration.NOT_READY;
    static final long CLOSED = IoRegistration.CLOSED;

    private static final VarHandle STATE;
    private static final VarHandle READ_WAITERS;
    private static final VarHandle WRITE_WAITERS;
    private static final VarHandle CLOSE_REASON;

    static {
        try {
            MethodHandles.Lookup lookup = MethodHandles.lookup();
            STATE = lookup.findVarHandle(Readiness.class, "state", long.class);
            READ_WAITERS = lookup.findVarHandle(Readiness.class, "readWaiters", Object.class);
            WRITE_WAITERS = lookup.findVarHandle(Readiness.class, "writeWaiters", Object.class);
            CLOSE_REASON = lookup.findVarHandle(Readiness.class, "closeReason", String.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /** See the class comment; only through {@link #STATE}. */
    @SuppressWarnings("unused")
    private long state = READ_READY | WRITE_READY;
    /** Waiters of each direction ({@link Waiters}); swapped by CAS. */
    @SuppressWarnings("unused")
    private Object readWaiters;
    @SuppressWarnings("unused")
    private Object writeWaiters;
    @SuppressWarnings("unused")
    private String closeReason;

    private static long ready(int direction) {
        return READ_READY << direction;
    }

    private static long wanted(int direction) {
        return READ_WANTED << direction;
    }

    private static long armed(int direction) {
        return READ_ARMED << direction;
    }

    static long tick(long state) {
        return state >>> TICK_SHIFT;
    }

    /** An owner set QUEUED: push this onto the driver's inbox (and wake a blocked driver). */
    abstract void interestRequested();

    // ------------------------------------------------------------------ owner side (any thread)

    /** See {@link IoRegistration#pollReady}. */
    public long pollReady(int direction, Waker waker) {
        long s = (long) STATE.getVolatile(this);
        if ((s & CLOSED_BIT) != 0) {
            return CLOSED;
        }
        if ((s & ready(direction)) != 0) {
            return tick(s);
        }
        addWaiter(direction, waker);
        // Re-read after adding the waker: every decision below must rest on a state read after
        // it (the Dekker handshake of the class comment). With the word read before, an event
        // landing in between (READY set, WANTED cleared, no waker yet to take) went unseen when
        // WANTED and ARMED were set already (a withdrawn wait leaves them so), and the "nothing
        // to change" return below left this waker registered with nobody to wake it
        // (WithdrawnReaderLostWakeUpLincheckTest). A failed CAS re-reads through its witness.
        s = (long) STATE.getVolatile(this);
        for (;;) {
            if ((s & (CLOSED_BIT | ready(direction))) != 0) {
                // Ready (or closed) meanwhile: the task goes on now, so it takes its waker back.
                removeWaiter(direction, waker);
                return (s & CLOSED_BIT) != 0 ? CLOSED : tick(s);
            }
            boolean push = (s & (armed(direction) | QUEUED)) == 0;
            long next = s | wanted(direction) | (push ? QUEUED : 0);
            if (next == s) {
                return NOT_READY;                            // wanted and armed already
            }
            long witness = (long) STATE.compareAndExchange(this, s, next);
            if (witness == s) {
                if (push) {
                    interestRequested();
                }
                return NOT_READY;
            }
            s = witness;
        }
    }

    /** See {@link IoRegistration#clearReady}. */
    public void clearReady(int direction, long token) {
        long s = (long) STATE.getVolatile(this);
        while (tick(s) == token && (s & ready(direction)) != 0) {
            long witness = (long) STATE.compareAndExchange(this, s, s & ~ready(direction));
            if (witness == s) {
                return;
            }
            s = witness;
        }
    }

    /**
     * Removes the waker only. WANTED stays: another task may have set it for itself meanwhile,
     * and clearing it would let the driver disarm under that task. A WANTED without waiters
     * costs one event delivered to nobody, after which the op is disarmed (see the class
     * comment): the interest of a cancelled wait goes at the next event.
     */
    public void cancelWait(int direction, Waker waker) {
        removeWaiter(direction, waker);
    }

    public boolean isClosed() {
        return ((long) STATE.getVolatile(this) & CLOSED_BIT) != 0;
    }

    public String closeReason() {
        return (String) CLOSE_REASON.getVolatile(this);
    }

    /**
     * Sets CLOSED and wakes every waiter. Returns the state before, or -1 if it was closed
     * already. The reason is published before CLOSED, so whoever sees CLOSED sees a reason.
     */
    final long markClosed(String reason) {
        CLOSE_REASON.compareAndSet(this, null, reason);
        long s = (long) STATE.getAndBitwiseOr(this, CLOSED_BIT);
        if ((s & CLOSED_BIT) != 0) {
            return -1;
        }
        wakeAll(takeWaiters(IoRegistration.READ));
        wakeAll(takeWaiters(IoRegistration.WRITE));
        return s;
    }

    private static void wakeAll(Object waiters) {
        if (waiters instanceof Waker single) {
            single.wake();
        } else if (waiters != null) {
            for (Waker w : (Waker[]) waiters) {
                w.wake();
            }
        }
    }

    // ------------------------------------------------------------------ driver side (driver holder only)

    /**
     * The selector reported the directions {@code read} / {@code write} ready: record readiness,
     * advance the tick, disarm as the class comment says, and hand the waiters of each direction
     * that had any to {@code wakes}. Returns the armed directions before and after
     * ({@link #armedChange}), or -1 if closed; the caller updates the key if they differ.
     *
     * @param blockingSelect whether the select that reported it could block: then a read op that
     *     nobody waits for is disarmed, else it stays armed
     */
    final int onEvent(boolean read, boolean write, boolean blockingSelect, WakeQueue wakes) {
        long s = (long) STATE.getVolatile(this);
        long next;
        for (;;) {
            if ((s & CLOSED_BIT) != 0) {
                return -1;
            }
            next = s + TICK_ONE;
            if (read) {
                next |= READ_READY;
                if ((s & READ_WANTED) != 0) {
                    next &= ~READ_WANTED;
                } else if (blockingSelect) {
                    next &= ~READ_ARMED;
                }
            }
            if (write) {
                next = (next | WRITE_READY) & ~(WRITE_WANTED | WRITE_ARMED);
            }
            long witness = (long) STATE.compareAndExchange(this, s, next);
            if (witness == s) {
                break;
            }
            s = witness;
        }
        if (read && (s & READ_WANTED) != 0) {
            wakes.addAll(takeWaiters(IoRegistration.READ));
        }
        if (write && (s & WRITE_WANTED) != 0) {
            wakes.addAll(takeWaiters(IoRegistration.WRITE));
        }
        return armedChange(s, next);
    }

    /**
     * Taken off the inbox: arm every wanted direction (KEYED once anything is armed) and clear
     * QUEUED. Nothing is disarmed here; see the class comment for when that happens. Returns the
     * armed directions before and after ({@link #armedChange}), or -1 if closed; the caller
     * updates the key. The caller unlinked this from the inbox already: clearing QUEUED lets an
     * owner push it again.
     */
    final int applyRequests() {
        long s = (long) STATE.getVolatile(this);
        for (;;) {
            long next = s & ~QUEUED;
            if ((s & CLOSED_BIT) == 0) {
                long arms = (s & WANTED_BITS) << WANTED_TO_ARMED;
                next |= arms | (arms != 0 ? KEYED : 0);
            }
            long witness = (long) STATE.compareAndExchange(this, s, next);
            if (witness == s) {
                return (s & CLOSED_BIT) != 0 ? -1 : armedChange(s, next);
            }
            s = witness;
        }
    }

    /**
     * The ARMED bits of two states packed in an int without allocating: bits 0-1 before (read,
     * write), bits 2-3 after. Only the driver changes ARMED, so these are the interest it set.
     */
    static int armedChange(long before, long after) {
        return (int) ((before & (READ_ARMED | WRITE_ARMED)) >>> 4) | (int) ((after & (READ_ARMED | WRITE_ARMED)) >>> 2);
    }

    static boolean readArmed(int armed) {
        return (armed & 1) != 0;
    }

    static boolean writeArmed(int armed) {
        return (armed & 2) != 0;
    }

    /** The state word (tests, diagnostics). */
    final long stateWord() {
        return (long) STATE.getVolatile(this);
    }

    // ------------------------------------------------------------------ waiter slots

    private static VarHandle waiters(int direction) {
        return direction == IoRegistration.READ ? READ_WAITERS : WRITE_WAITERS;
    }

    private void addWaiter(int direction, Waker waker) {
        VarHandle slot = waiters(direction);
        Object current = slot.getVolatile(this);
        for (;;) {
            Object next = Waiters.with(current, waker);
            if (next == current) {
                return;
            }
            Object witness = slot.compareAndExchange(this, current, next);
            if (witness == current) {
                return;
            }
            current = witness;
        }
    }

    private void removeWaiter(int direction, Waker waker) {
        VarHandle slot = waiters(direction);
        Object current = slot.getVolatile(this);
        for (;;) {
            Object next = Waiters.without(current, waker);
            if (next == current) {
                return;
            }
            Object witness = slot.compareAndExchange(this, current, next);
            if (witness == current) {
                return;
            }
            current = witness;
        }
    }

    /** Takes every waiter of {@code direction}: a volatile read first, so an empty slot costs no atomic write. */
    private Object takeWaiters(int direction) {
        VarHandle slot = waiters(direction);
        return slot.getVolatile(this) == null ? null : slot.getAndSet(this, null);
    }

    /** The waiters of a direction: null, a Waker or a Waker[] (tests). */
    final Object waitersOf(int direction) {
        return waiters(direction).getVolatile(this);
    }
}
