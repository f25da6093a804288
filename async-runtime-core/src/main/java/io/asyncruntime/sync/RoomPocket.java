package io.asyncruntime.sync;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * Room that a channel's consumer has freed but not yet given back to its {@link BatchSemaphore}'s
 * word: the consumer adds to it once per message, on a cache line of its own, and moves it to the
 * word in batches. The word is the line every producer's send writes (room and ticket in one CAS);
 * when the consumer gave each message's room back there with an atomic add, that line moved
 * between the cores twice per message. JCTools' array queues keep the consumer's index off the
 * producers' line for the same reason (producers read it only when their cached limit runs out).
 *
 * <p>Who moves the pocket's room (a move empties the pocket in one CAS, so a unit moves once):
 * <ul>
 *   <li>the consumer, once it holds a batch, or at once while {@link #wanted} is set;</li>
 *   <li>a producer that finds no room in the word (and no waiter ahead of it) before it gives up
 *       or waits, so room in the pocket is never "full" to a sender;</li>
 *   <li>a sender that has just queued (under the semaphore's lock, after setting {@link #wanted}).</li>
 * </ul>
 * <b>No waiter waits on room in the pocket</b> (a Dekker pair): a queueing sender stores
 * {@code wanted} (volatile) and then swaps the pocket empty; the consumer adds (an atomic RMW) and
 * then reads {@code wanted}. In the total order of these synchronization actions, either the swap
 * follows the add (the sender moves that room) or the read follows the store (the consumer moves
 * it). The field is cleared under the semaphore's lock when its queue empties; a stale 1 only costs
 * the consumer an early move.
 *
 * <p><b>Room in transit is never invisible.</b> Between emptying the pocket and adding to the word
 * a move's room is in neither place; a sender that then read both would report "full" (or queue)
 * while there was room, and a receiver would miss "closed with all room back". So a move marks the
 * pocket MOVING for that window and starts a new epoch: a reader that finds MOVING waits for the
 * window to end, and a reader that needs "no room anywhere at one moment" reads the pocket, then
 * the word, then the pocket again, and trusts the word only if the pocket word did not change in
 * between (same epoch, so no move began, and a count that only the receiver raises).
 */
final class RoomPocket extends RoomPocketFields {
    long q01, q02, q03, q04, q05, q06, q07, q08, q09, q10, q11, q12, q13, q14, q15;

    /** The pocket word: bits 0..31 the units held, bit 32 MOVING, bits 33..63 the move epoch. */
    private static final long COUNT_BITS = 0xFFFF_FFFFL;
    private static final long MOVING = 1L << 32;
    private static final long ONE_EPOCH = 1L << 33;

    private static final VarHandle WORD;
    private static final VarHandle WANTED;

    static {
        try {
            WORD = MethodHandles.lookup().findVarHandle(RoomPocketFields.class, "word", long.class);
            WANTED = MethodHandles.lookup().findVarHandle(RoomPocketFields.class, "wanted", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    static int count(long word) {
        return (int) (word & COUNT_BITS);
    }

    static boolean moving(long word) {
        return (word & MOVING) != 0;
    }

    /**
     * Adds {@code n} units (consumer only) and returns the new word; an atomic RMW, so the
     * {@link #wanted} read after it is not ordered before it. Adds go on during a move.
     */
    long add(int n) {
        return (long) WORD.getAndAdd(this, (long) n) + n;
    }

    /** The pocket word now (a volatile read). */
    long snapshot() {
        return (long) WORD.getVolatile(this);
    }

    /**
     * Starts a move: empties the pocket, marks it MOVING and starts a new epoch, in one CAS, and
     * returns the units taken; 0 (nothing started) if it is empty or another move is under way.
     * The caller adds them to the semaphore's word and then calls {@link #endMove}.
     */
    int beginMove() {
        long word = (long) WORD.getVolatile(this);
        for (;;) {
            if (moving(word) || count(word) == 0) {
                return 0;
            }
            long next = (word & ~COUNT_BITS) + ONE_EPOCH | MOVING;
            long witness = (long) WORD.compareAndExchange(this, word, next);
            if (witness == word) {
                return count(word);
            }
            word = witness;
        }
    }

    /** Ends the move begun by {@link #beginMove}, keeping what the consumer added meanwhile. */
    void endMove() {
        WORD.getAndAdd(this, -MOVING);
    }

    /** Whether a sender waits for room (volatile: read after the consumer's add). */
    boolean wanted() {
        return (int) WANTED.getVolatile(this) != 0;
    }

    /** A sender has queued; volatile, so the move that follows it is not ordered before it. */
    void want() {
        WANTED.setVolatile(this, 1);
    }

    /**
     * The semaphore's queue is empty (lock held). A release store: nothing is ordered after it,
     * and a consumer that still reads 1 just moves its room early.
     */
    void satisfied() {
        WANTED.setRelease(this, 0);
    }

    /** Waits a moment for a move under way (a few instructions of its mover) to end. */
    static void awaitMove(int spins) {
        if (spins < SPINS_BEFORE_YIELD) {
            Thread.onSpinWait();
        } else {
            Thread.yield(); // the mover's thread was descheduled in its window
        }
    }

    private static final int SPINS_BEFORE_YIELD = 64;
}

/** Keeps the pocket's fields off the line of whatever the allocator put before it. */
abstract class RoomPocketPad {
    long p01, p02, p03, p04, p05, p06, p07, p08, p09, p10, p11, p12, p13, p14, p15;
}

/** The pocket's fields (HotSpot lays superclass fields out first, so they sit between the pads). */
abstract class RoomPocketFields extends RoomPocketPad {
    /** Units of room freed by the consumer and not yet moved, MOVING, the move epoch. */
    volatile long word;
    /** 1 while a sender waits in the semaphore's queue (see {@link RoomPocket}). */
    volatile int wanted;
}
