package io.asyncruntime.internal.time;

import io.asyncruntime.task.Waker;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * One timer: a deadline, the waker to call when it passes, and the intrusive links the driver
 * files it with. Leaf tasks ({@code sleep}, {@code timeout}) extend it so that a timer costs no
 * allocation of its own.
 *
 * <h2>Who touches what</h2>
 * Two parties share an entry: its <em>owner</em> (the task that armed it; one thread at a time,
 * never concurrently with itself) and the <em>driver</em> (whichever worker holds the time
 * driver; one thread at a time). The owner arms, re-arms and cancels; the driver files, fires and
 * unlinks. The only word both write is {@link #state}, always by CAS. The wheel links
 * ({@link #prev}, {@link #next}, {@link #slot}) are driver-private; {@link #inboxNext} is written
 * by whoever pushes the entry onto the driver's inbox, before the push publishes it.
 *
 * <h2>The state word</h2>
 * <pre>
 *   bits 0..47  DEADLINE   the deadline in driver ticks (ms), meaningful while live
 *   bit  48     QUEUED     the entry sits in the driver's inbox: the driver will look at it again
 *   bit  49     ELAPSED    not armed: never armed yet, or fired (the deadline passed)
 *   bit  50     CANCELLED  terminal: the owner dropped it (with ELAPSED: after it had fired)
 * </pre>
 * An entry is <em>live</em> when neither ELAPSED nor CANCELLED is set. Invariants:
 * <ul>
 *   <li>QUEUED is set only by a CAS that finds it clear, and whoever does that pushes the entry
 *       onto the inbox, once; only the driver clears it, when it takes the entry off the inbox.
 *       So an entry is in the inbox at most once and {@link #inboxNext} has one writer at a
 *       time.</li>
 *   <li>A live entry without QUEUED is filed in the wheel, or is being filed by the driver that
 *       just took it off the inbox: the driver will meet it again at its slot.</li>
 * </ul>
 * Races resolved by the CAS: fire vs cancel (one wins; a cancel that loses records
 * ELAPSED|CANCELLED and is not counted as a cancellation), fire vs re-arm (a re-arm that wins
 * moves the deadline and the driver re-files or fires by the new one; one that loses re-arms a
 * fired entry), re-arm later vs the driver filing (lazy: only the deadline changes; the driver
 * re-files when it reaches the old slot, which is never later than the new deadline). The driver
 * fires a due entry it meets in a slot even while it is queued (the owner moved it earlier), so
 * a turn never skips a timer that is due by both its old and its new deadline.
 */
public class TimerEntry {

    static final long DEADLINE_MASK = (1L << 48) - 1;
    static final long QUEUED = 1L << 48;
    static final long ELAPSED = 1L << 49;
    static final long CANCELLED = 1L << 50;

    /** {@link #slot} of an entry that is not linked into the wheel. */
    static final int NOT_LINKED = -1;

    private static final VarHandle STATE;
    private static final VarHandle WAKER;

    static {
        try {
            MethodHandles.Lookup lookup = MethodHandles.lookup();
            STATE = lookup.findVarHandle(TimerEntry.class, "state", long.class);
            WAKER = lookup.findVarHandle(TimerEntry.class, "waker", Waker.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /** See the class comment; accessed only through {@link #STATE}. */
    private long state = ELAPSED;

    /** The waker the driver calls on fire; see {@link #pollElapsed} for its ordering. */
    private Waker waker;

    /** The driver this entry was armed with; owner-private (set on first arm). */
    private TimeDriver driver;

    /** Next entry in the driver's inbox stack; published by the push CAS. */
    TimerEntry inboxNext;

    /** Wheel list links and slot index (level * 64 + slot), driver-private. */
    TimerEntry prev;
    TimerEntry next;
    int slot = NOT_LINKED;

    /** Creates an entry that is not armed. */
    public TimerEntry() {
    }

    // ------------------------------------------------------------------ owner side

    /**
     * Arms (or re-arms) this entry to fire at {@code deadlineNanos} (in the driver's time source)
     * and wake {@code waker}. Owner only. Moving an armed deadline later costs one CAS; an earlier
     * deadline or a fresh arm hands the entry to the driver's inbox.
     *
     * @throws IllegalStateException if the entry was cancelled, or armed with another driver
     */
    public final void arm(TimeDriver driver, long deadlineNanos, Waker waker) {
        if (this.driver == null && ((long) STATE.get(this) & CANCELLED) == 0) {
            // First arm: nobody else can see this entry yet, so plain writes suffice; the push
            // CAS publishes them (everything before it happens-before the driver's swap).
            this.driver = driver;
            this.waker = waker;
            long tick = driver.deadlineTick(deadlineNanos);
            STATE.set(this, tick | QUEUED);
            driver.enqueue(this, tick);
            return;
        }
        if (this.driver != driver && this.driver != null) {
            throw new IllegalStateException("a timer entry cannot move to another runtime's driver");
        }
        // Volatile store: pairs with the driver's volatile read after its fire CAS (see pollElapsed).
        if (this.waker != waker) {
            WAKER.setVolatile(this, waker);
        }
        long tick = driver.deadlineTick(deadlineNanos);
        long s;
        long next;
        do {
            s = (long) STATE.getVolatile(this);
            if ((s & CANCELLED) != 0) {
                throw new IllegalStateException("a cancelled timer entry cannot be re-armed");
            }
            boolean lazy = isLive(s) && (s & QUEUED) == 0 && tick >= (s & DEADLINE_MASK);
            // Queued: the driver reads the new deadline when it takes the entry off the inbox.
            // Later than a filed deadline: lazy, re-filed at the old slot. Else the driver must act.
            next = lazy ? tick : tick | QUEUED;
        } while (!STATE.compareAndSet(this, s, next));
        if ((s & QUEUED) == 0 && (next & QUEUED) != 0) {
            driver.enqueue(this, tick);
        }
    }

    /**
     * Whether the timer has fired since it was last armed. If not, records {@code waker} as the
     * one to wake. Owner only.
     *
     * <p>Ordering (a Dekker pair, hence volatile on both sides): the owner stores the waker, then
     * reads the state; the driver CASes the state to ELAPSED, then reads the waker. At least one
     * of them sees the other's write, so a waker change racing with a fire is never lost.
     */
    public final boolean pollElapsed(Waker waker) {
        if (((long) STATE.getVolatile(this) & ELAPSED) != 0) {
            return true;
        }
        if (this.waker != waker) {
            WAKER.setVolatile(this, waker);
            return ((long) STATE.getVolatile(this) & ELAPSED) != 0;
        }
        return false;
    }

    /** Whether the entry is armed and has neither fired nor been cancelled. Any thread. */
    public final boolean isArmed() {
        return ((long) STATE.getAcquire(this) & (ELAPSED | CANCELLED)) == 0;
    }

    /**
     * Cancels the entry: it will never fire, and the driver unlinks it at its next turn (its
     * memory is released then; it no longer counts as an active timer). Owner only; idempotent.
     * A cancelled entry cannot be re-armed.
     */
    public final void cancelTimer() {
        long s;
        long next;
        do {
            s = (long) STATE.getVolatile(this);
            if ((s & CANCELLED) != 0) {
                return;
            }
            // Fired: nothing to unlink (it may still be queued; the driver then just drops it).
            // Live: the driver must unlink it, through the inbox unless it is queued already.
            next = (s & ELAPSED) != 0 ? s | CANCELLED : CANCELLED | QUEUED;
        } while (!STATE.compareAndSet(this, s, next));
        if ((s & QUEUED) == 0 && (next & QUEUED) != 0) {
            driver.enqueue(this, Long.MAX_VALUE);            // never earlier than a park deadline
        }
        // The waker is kept: a fire that won the race just before this cancel still delivers it
        // (a spurious wake for a cancelled task is harmless; a missing one would not be).
    }

    // ------------------------------------------------------------------ driver side

    /** The state, read by the driver before it decides what to do with an entry. */
    final long stateVolatile() {
        return (long) STATE.getVolatile(this);
    }

    /**
     * Takes the entry off the inbox: clears QUEUED and returns the state without it. The caller
     * must have read and cleared {@link #inboxNext} before, since the owner may push again as
     * soon as QUEUED is clear. A cancelled entry is terminal (the owner writes it no more), so it
     * is read, not cleared: the common case of a timeout cancelled before the driver saw it costs
     * the driver no atomic instruction.
     */
    final long clearQueued() {
        long s = (long) STATE.getVolatile(this);
        if ((s & CANCELLED) != 0) {
            return s & ~QUEUED;
        }
        return (long) STATE.getAndBitwiseAnd(this, ~QUEUED) & ~QUEUED;
    }

    /**
     * Fires the entry if its state is still {@code expected} (live, deadline passed), keeping
     * QUEUED if set. Returns {@code false} if the CAS lost (a cancel or a re-arm won).
     */
    final boolean tryFire(long expected) {
        return STATE.compareAndSet(this, expected, ELAPSED | (expected & QUEUED));
    }

    /** Whether {@code s} records a cancel of a live entry (not one after it fired). */
    static boolean isCancelledLive(long s) {
        return (s & (CANCELLED | ELAPSED)) == CANCELLED;
    }

    /**
     * The waker to call after a successful {@link #tryFire}; volatile, after the CAS (see
     * {@link #pollElapsed}).
     */
    final Waker firedWaker() {
        return (Waker) WAKER.getVolatile(this);
    }

    static boolean isLive(long s) {
        return (s & (ELAPSED | CANCELLED)) == 0;
    }
}
