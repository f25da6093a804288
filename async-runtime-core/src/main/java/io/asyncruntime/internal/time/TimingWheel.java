package io.asyncruntime.internal.time;

import java.util.Arrays;
import java.util.function.Consumer;

/**
 * A hierarchical timing wheel (Varghese &amp; Lauck), shaped like Tokio's: {@value #LEVELS} levels of
 * {@value #SLOTS} slots; a slot at level {@code L} spans {@code 64^L} ticks of 1 ms, so the wheel
 * covers {@code 2^36} ms (about 2.2 years) ahead of {@link #elapsed()}.
 *
 * <p>Single-threaded: only the thread that holds the time driver touches it. It stores entries in
 * intrusive doubly linked lists (insert and remove are O(1), no allocation) and keeps one
 * occupancy bitmap per level, so the next non-empty slot is a trailing-zeros count.
 *
 * <h2>Order and the due slot</h2>
 * Slots are FIFO: an entry is appended, and a cascade re-files a slot's entries in list order.
 * So timers of equal delay fire in the order they were armed, which is deadline order: within a
 * tick the earliest deadline, the one the rounding up to the tick has already made latest, is
 * handed out first. A due slot is not processed in one go: {@link #pollDue} makes it the <em>due
 * slot</em> and hands its entries out one at a time, so the driver can fire a bounded number per
 * turn and leave the rest, still filed (a cancel unlinks them), for its next turn. Making a slot
 * due is O(1) whatever its length: the list stays where it is and only loses its occupancy bit.
 * While it is due, entries that map to its index go to a spare list, moved back into the slot
 * when the due slot runs empty. Only a level-0 slot can receive such entries (ones due at its
 * own tick) and, across a rotation, a top-level one; a cascade always files lower.
 *
 * <h2>Invariant (what makes the search almost wrap-free)</h2>
 * An entry filed for tick {@code t >= elapsed} goes to level {@code L = msb(elapsed ^ t) / 6}
 * (level 0 if they agree above bit 5), capped at the top level. Below the top level, {@code t}
 * and {@code elapsed} then agree on every digit above level {@code L} and {@code t}'s
 * level-{@code L} digit is {@code >=} elapsed's (strictly greater for {@code L > 0}). Advancing
 * {@code elapsed} only to the start of the next non-empty slot, or to a time before it, keeps
 * this true for everything still filed. So the next slot of a level is the lowest occupied bit
 * at or above elapsed's digit, and the first level with one is the earliest: every slot of a
 * lower level ends before any slot of a higher level begins.
 *
 * <p>The top level is the exception: a deadline less than {@link #SPAN_TICKS} ahead may lie in the
 * next {@code 2^36}-tick block, where its top digit is at or below elapsed's. Such entries belong
 * to the next rotation of the top level, and its search wraps (as Tokio's does on every level).
 */
final class TimingWheel {

    static final int LEVELS = 6;
    static final int SLOTS = 64;
    /** log2(SLOTS): each level consumes six bits of the tick. */
    static final int BITS_PER_LEVEL = 6;
    /** Ticks covered ahead of {@link #elapsed}: 64^6 = 2^36 ms, about 2.2 years. */
    static final long SPAN_TICKS = 1L << (LEVELS * BITS_PER_LEVEL);
    private static final int TOP = LEVELS - 1;
    /** Returned by {@link #nextExpiration()} when the wheel is empty. */
    static final long NONE = Long.MAX_VALUE;
    /** The list index of the spare list (see the class comment), after the slots. */
    private static final int SPARE = LEVELS * SLOTS;
    /** {@link #dueSlot} when no slot is due. */
    private static final int NO_DUE_SLOT = -1;

    private final TimerEntry[] heads = new TimerEntry[SPARE + 1];
    private final TimerEntry[] tails = new TimerEntry[SPARE + 1];
    private final long[] occupied = new long[LEVELS];
    /** The tick up to which slots have been processed; never decreases. */
    private long elapsed;
    private int size;
    /** The index of the slot being handed out by {@link #pollDue}, or {@link #NO_DUE_SLOT}. */
    private int dueSlot = NO_DUE_SLOT;

    long elapsed() {
        return elapsed;
    }

    /** Number of entries filed, the due slot's included. */
    int size() {
        return size;
    }

    /**
     * Files {@code e} for {@code tick}. A tick before {@link #elapsed} is filed at elapsed (due at
     * once); a tick beyond the span is filed at the last tick the wheel covers and re-filed from
     * there by the driver, which sees the later deadline in the entry's state.
     */
    void insert(TimerEntry e, long tick) {
        long t = Math.min(Math.max(tick, elapsed), elapsed + SPAN_TICKS - 1);
        int level = Math.min(levelFor(elapsed, t), TOP);
        int index = level * SLOTS + digit(t, level);
        if (index == dueSlot) {
            append(e, SPARE);
        } else {
            append(e, index);
            occupied[level] |= 1L << (index & (SLOTS - 1));
        }
        size++;
    }

    private void append(TimerEntry e, int index) {
        TimerEntry tail = tails[index];
        e.next = null;
        e.prev = tail;
        if (tail != null) {
            tail.next = e;
        } else {
            heads[index] = e;
        }
        tails[index] = e;
        e.slot = index;
    }

    /** Unlinks {@code e}, which must be filed here (in a slot, the due slot included, or the spare list). */
    void remove(TimerEntry e) {
        int index = e.slot;
        if (e.prev != null) {
            e.prev.next = e.next;
        } else {
            heads[index] = e.next;
        }
        if (e.next != null) {
            e.next.prev = e.prev;
        } else {
            tails[index] = e.prev;
        }
        e.prev = null;
        e.next = null;
        e.slot = TimerEntry.NOT_LINKED;
        size--;
        if (heads[index] == null) {
            if (index == dueSlot) {
                endDueSlot();
            } else if (index != SPARE) {
                occupied[index / SLOTS] &= ~(1L << (index & (SLOTS - 1)));
            }
        }
    }

    /**
     * Unlinks every filed entry (the due slot's and the spare list's included), handing each to
     * {@code sink} after it is unlinked; the wheel is empty afterwards. For the driver's shutdown.
     */
    void removeAll(Consumer<TimerEntry> sink) {
        for (int index = 0; index <= SPARE; index++) {
            TimerEntry e = heads[index];
            heads[index] = null;
            tails[index] = null;
            while (e != null) {
                TimerEntry next = e.next;
                e.prev = null;
                e.next = null;
                e.slot = TimerEntry.NOT_LINKED;
                sink.accept(e);
                e = next;
            }
        }
        Arrays.fill(occupied, 0L);
        size = 0;
        dueSlot = NO_DUE_SLOT;
    }

    /**
     * The tick at which the driver must next process the wheel, or {@link #NONE}: {@link #elapsed}
     * while a slot is due, else the start of the next non-empty slot (for level 0 the exact
     * deadline of its entries; for a higher level when they cascade down).
     */
    long nextExpiration() {
        return dueSlot != NO_DUE_SLOT ? elapsed : findNext();
    }

    /**
     * The next entry to process at {@code now}, unlinked (its deadline is at or before
     * {@code now}, or it came down from a higher level's slot and must be re-filed), or
     * {@code null} when nothing is due. Takes entries off the due slot, first making the next
     * slot due when none is; only then does {@link #elapsed} move, to that slot's start, or to
     * {@code now} when no slot is due.
     */
    TimerEntry pollDue(long now) {
        if (dueSlot == NO_DUE_SLOT && !startDueSlot(now)) {
            return null;
        }
        TimerEntry e = heads[dueSlot];
        remove(e);                                           // ends the due slot with its last entry
        return e;
    }

    private boolean startDueSlot(long now) {
        long start = findNext();
        if (start > now) {
            if (now > elapsed) {
                elapsed = now;
            }
            return false;
        }
        elapsed = start;
        dueSlot = found;
        occupied[found / SLOTS] &= ~(1L << (found & (SLOTS - 1)));
        return true;
    }

    /** The due slot ran empty: what arrived for its index meanwhile moves back into it. */
    private void endDueSlot() {
        int index = dueSlot;
        dueSlot = NO_DUE_SLOT;
        if (heads[SPARE] == null) {
            return;
        }
        for (TimerEntry e = heads[SPARE]; e != null; e = e.next) {
            e.slot = index;
        }
        heads[index] = heads[SPARE];
        tails[index] = tails[SPARE];
        heads[SPARE] = null;
        tails[SPARE] = null;
        occupied[index / SLOTS] |= 1L << (index & (SLOTS - 1));
    }

    /** Slot index set by {@link #findNext()}. */
    private int found;

    /** The start tick of the next non-empty slot (setting {@link #found}), or {@link #NONE}. */
    private long findNext() {
        for (int level = 0; level < TOP; level++) {
            long ahead = occupied[level] & (-1L << digit(elapsed, level));
            if (ahead != 0) {
                int slot = Long.numberOfTrailingZeros(ahead);
                found = level * SLOTS + slot;
                return slotStart(level, slot);
            }
        }
        long top = occupied[TOP];
        if (top == 0) {
            return NONE;
        }
        int digit = digit(elapsed, TOP);
        // Current rotation: digits strictly above elapsed's (a shift by 64 is a no-op in Java).
        long ahead = digit == SLOTS - 1 ? 0 : top & (-1L << (digit + 1));
        int slot = Long.numberOfTrailingZeros(ahead != 0 ? ahead : top);
        found = TOP * SLOTS + slot;
        return slotStart(TOP, slot) + (ahead != 0 ? 0 : SPAN_TICKS);
    }

    /** The first tick of {@code slot} at {@code level} in elapsed's current rotation. */
    private long slotStart(int level, int slot) {
        int shift = level * BITS_PER_LEVEL;
        long levelRange = 1L << (shift + BITS_PER_LEVEL);
        return (elapsed & -levelRange) + ((long) slot << shift);
    }

    static int levelFor(long elapsed, long tick) {
        // OR 63 so that ticks agreeing above bit 5 land on level 0 (msb 5 -> level 0).
        long differing = (elapsed ^ tick) | (SLOTS - 1);
        return (63 - Long.numberOfLeadingZeros(differing)) / BITS_PER_LEVEL;
    }

    private static int digit(long tick, int level) {
        return (int) (tick >>> (level * BITS_PER_LEVEL)) & (SLOTS - 1);
    }
}
