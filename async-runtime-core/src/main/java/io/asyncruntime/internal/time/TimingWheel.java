package io.asyncruntime.internal.time;

/**
 * A hierarchical timing wheel (Varghese &amp; Lauck), shaped like Tokio's: {@value #LEVELS} levels of
 * {@value #SLOTS} slots; a slot at level {@code L} spans {@code 64^L} ticks of 1 ms, so the wheel
 * covers {@code 2^36} ms (about 2.2 years) ahead of {@link #elapsed()}.
 *
 * <p>Single-threaded: only the thread that holds the time driver touches it. It stores entries in
 * intrusive doubly linked lists (insert and remove are O(1), no allocation) and keeps one
 * occupancy bitmap per level, so the next non-empty slot is a trailing-zeros count.
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

    private final TimerEntry[] heads = new TimerEntry[LEVELS * SLOTS];
    private final long[] occupied = new long[LEVELS];
    /** The tick up to which slots have been processed; never decreases. */
    private long elapsed;
    private int size;

    long elapsed() {
        return elapsed;
    }

    /** Number of entries filed. */
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
        TimerEntry head = heads[index];
        e.prev = null;
        e.next = head;
        if (head != null) {
            head.prev = e;
        }
        heads[index] = e;
        e.slot = index;
        occupied[level] |= 1L << (index & (SLOTS - 1));
        size++;
    }

    /** Unlinks {@code e}, which must be filed here. */
    void remove(TimerEntry e) {
        int index = e.slot;
        if (e.prev != null) {
            e.prev.next = e.next;
        } else {
            heads[index] = e.next;
            if (e.next == null) {
                occupied[index / SLOTS] &= ~(1L << (index & (SLOTS - 1)));
            }
        }
        if (e.next != null) {
            e.next.prev = e.prev;
        }
        e.prev = null;
        e.next = null;
        e.slot = TimerEntry.NOT_LINKED;
        size--;
    }

    /**
     * The start tick of the next non-empty slot (the time at which the driver must process it),
     * or {@link #NONE}. For level 0 this is the exact deadline of the entries in the slot; for a
     * higher level it is when they cascade down.
     */
    long nextExpiration() {
        return findNext();
    }

    /**
     * Moves {@link #elapsed} to the start of the next non-empty slot if that is at or before
     * {@code now}, detaches the slot's whole list and returns its first entry (linked through
     * {@code next}; each entry already marked not linked). Returns {@code null}, with elapsed
     * moved to {@code now}, when no slot is due.
     */
    TimerEntry pollDueSlot(long now) {
        long start = findNext();
        if (start <= now) {
            elapsed = start;
            return detach(found);
        }
        if (now > elapsed) {
            elapsed = now;
        }
        return null;
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

    private TimerEntry detach(int index) {
        TimerEntry first = heads[index];
        heads[index] = null;
        occupied[index / SLOTS] &= ~(1L << (index & (SLOTS - 1)));
        for (TimerEntry e = first; e != null; e = e.next) {
            e.slot = TimerEntry.NOT_LINKED;
            e.prev = null;
            size--;
        }
        return first;
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
