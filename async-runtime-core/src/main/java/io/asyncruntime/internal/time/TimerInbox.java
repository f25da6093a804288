package io.asyncruntime.internal.time;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * How timer owners hand entries to the driver, and how they learn that it must be woken.
 *
 * <p>A lock-free Treiber stack: owners push (one CAS each, no allocation: the link is the
 * entry's {@code inboxNext}); the driver takes the whole stack with one swap. Each entry is on the
 * stack at most once (its owner pushes it only when its own CAS set QUEUED, see
 * {@link TimerEntry}), so {@code inboxNext} has one writer at a time.
 *
 * <p>The wake-up handshake (a Dekker pair, volatile on both sides): before blocking, the driver
 * publishes the tick it will wake at ({@link #parkingUntil}), then re-reads the stack; an owner
 * pushes, then reads that tick and wakes the driver if its deadline is earlier. Either the driver
 * sees the push or the owner sees the tick. The owner that claims the wake-up first resets the
 * tick, so a burst of early timers costs one unpark. A parked driver is also woken every
 * {@value #WAKE_THRESHOLD} pushes, so cancelled entries of an idle runtime are released soon.
 */
final class TimerInbox {

    /**
     * A parked driver is woken when this many entries were pushed while it was parked, so that
     * cancelled entries of an idle runtime are released soon (about this many wait), not at the
     * next deadline, without an unpark per cancel.
     */
    static final int WAKE_THRESHOLD = 1024;

    /** {@link #parkedUntil} while the driver is not blocked: no push needs to wake it. */
    private static final long NOT_PARKED = Long.MIN_VALUE;

    private static final VarHandle TOP;
    private static final VarHandle PARKED_UNTIL;
    private static final VarHandle PARKED_PUSHES;

    static {
        try {
            MethodHandles.Lookup lookup = MethodHandles.lookup();
            TOP = lookup.findVarHandle(TimerInbox.class, "top", TimerEntry.class);
            PARKED_UNTIL = lookup.findVarHandle(TimerInbox.class, "parkedUntil", long.class);
            PARKED_PUSHES = lookup.findVarHandle(TimerInbox.class, "parkedPushes", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    @SuppressWarnings("unused") // through TOP
    private volatile TimerEntry top;

    /** The tick the blocked driver wakes at by itself, or {@link #NOT_PARKED}. */
    @SuppressWarnings("unused") // through PARKED_UNTIL
    private volatile long parkedUntil = NOT_PARKED;

    /** Pushes seen while the driver was parked since it last parked; a heuristic, so racy resets are fine. */
    @SuppressWarnings("unused") // through PARKED_PUSHES
    private volatile int parkedPushes;

    // ------------------------------------------------------------------ owner side

    /**
     * Pushes {@code e}, due at {@code tick}. Returns whether the caller must wake the driver: it
     * is parked until after {@code tick}, or {@link #WAKE_THRESHOLD} entries were pushed while it
     * was parked. A driver that is not parked costs the pusher one volatile read beyond the push.
     */
    boolean push(TimerEntry e, long tick) {
        TimerEntry head;
        do {
            head = (TimerEntry) TOP.getVolatile(this);
            e.inboxNext = head;
        } while (!TOP.compareAndSet(this, head, e));
        long wakeAt = (long) PARKED_UNTIL.getVolatile(this);
        if (wakeAt == NOT_PARKED) {
            return false;
        }
        boolean wake = tick < wakeAt
                || ((int) PARKED_PUSHES.getAndAdd(this, 1) + 1) % WAKE_THRESHOLD == 0;
        return wake && PARKED_UNTIL.compareAndSet(this, wakeAt, NOT_PARKED);
    }

    // ------------------------------------------------------------------ driver side

    /** Whether nothing waits; a volatile read, the driver's half of the handshake after {@link #parkingUntil}. */
    boolean isEmpty() {
        return TOP.getVolatile(this) == null;
    }

    /**
     * Takes every entry pushed so far, oldest first (linked through {@code inboxNext}), or
     * {@code null}. Reversing the stack keeps the wheel's slots in arming order (see
     * {@link TimingWheel}). Only the driver holds the taken list, and it rewrites each
     * {@code inboxNext} before it clears the entry's QUEUED bit, so no owner sees the list.
     */
    TimerEntry takeAllOldestFirst() {
        if (TOP.getAcquire(this) == null) {                // cheap check before the swap
            return null;
        }
        TimerEntry newest = (TimerEntry) TOP.getAndSet(this, null);
        TimerEntry oldestFirst = null;
        while (newest != null) {
            TimerEntry next = newest.inboxNext;
            newest.inboxNext = oldestFirst;
            oldestFirst = newest;
            newest = next;
        }
        return oldestFirst;
    }

    /** The driver is about to park: the push count towards {@link #WAKE_THRESHOLD} starts again. */
    void beginPark() {
        PARKED_PUSHES.setOpaque(this, 0);
    }

    /** The driver will block until {@code tick} unless woken (volatile: see the class comment). */
    void parkingUntil(long tick) {
        PARKED_UNTIL.setVolatile(this, tick);
    }

    /** The driver is awake again: pushes no longer need to wake it. */
    void endPark() {
        PARKED_UNTIL.setOpaque(this, NOT_PARKED);
    }
}
