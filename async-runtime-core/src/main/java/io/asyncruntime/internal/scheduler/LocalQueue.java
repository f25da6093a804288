package io.asyncruntime.internal.scheduler;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * A worker's run queue: a fixed ring that one thread (the owner) pushes to and pops from, and
 * that other workers (thieves) steal half of. The design follows Tokio's
 * {@code scheduler/multi_thread/queue.rs}; the code and this description are our own.
 *
 * <h2>State</h2>
 *
 * <ul>
 *   <li>{@code buffer}: {@code capacity} slots, a power of two; index {@code i} lives in slot
 *       {@code i & mask}.
 *   <li>{@code tail}: the next index the owner writes. Only the owner writes it.
 *   <li>{@code head}: one 64-bit word holding two 32-bit indices, {@code steal} (high half) and
 *       {@code real} (low half). {@code real} is the oldest task nobody has claimed;
 *       {@code steal} trails it while a thief copies the range {@code [steal, real)} out.
 * </ul>
 *
 * Indices are {@code int}s that wrap: only differences are meaningful ({@code tail - real} is the
 * number of unclaimed tasks even after {@code tail} wrapped past {@link Integer#MAX_VALUE}).
 * Two 32-bit halves rather than two 16-bit ones make an ABA on {@code head} need 2^32 operations
 * while one thief stalls between its load and its CAS (tokio-rs/tokio#5041).
 *
 * <h2>Invariants</h2>
 *
 * <ol>
 *   <li>{@code steal <= real <= tail} and {@code tail - steal <= capacity} (as wrapping distances).
 *   <li>Slots in {@code [real, tail)} hold unclaimed tasks, in FIFO order. Slots in
 *       {@code [steal, real)} belong to the one thief copying them. Every other slot is
 *       {@code null}: whoever takes a task clears its slot, so the ring never keeps a finished
 *       task reachable.
 *   <li>{@code steal != real} means someone holds the head: a thief mid-copy, or the owner moving
 *       half the ring out ({@link #OVERFLOW_LOCK_OFFSET}). Nobody else may claim while it holds.
 *       Only the holder moves {@code steal}.
 *   <li>Only the owner writes slots with new tasks, and only at {@code tail}, and only when
 *       {@code tail - steal < capacity}: a slot a thief is still reading is never overwritten.
 * </ol>
 *
 * <h2>Operations</h2>
 *
 * <ul>
 *   <li><b>push</b> (owner): room means {@code tail - steal < capacity}; write the slot, then
 *       publish it with a release store of {@code tail}. When full and a thief holds the head,
 *       the one task goes to the overflow. When full and nobody holds it, the owner holds the head
 *       itself, moves the newer half of the ring plus the new task to the overflow as one linked
 *       batch (Tokio does the same since 1.52: tasks pulled from the inject queue sit in the older
 *       half, so they cannot bounce straight back before they run), lowers {@code tail} and lets
 *       go of the head.
 *   <li><b>pop</b> (owner): a CAS advancing {@code real} (and {@code steal} with it when nobody
 *       holds the head) claims the oldest task.
 *   <li><b>steal</b> (thief, owning {@code dst}): when nobody holds the head, take
 *       {@code n = ceil(unclaimed / 2)} of the oldest tasks: a CAS advances {@code real} by
 *       {@code n} and leaves {@code steal} behind (claim), the thief copies the slots into
 *       {@code dst} and clears them, then a CAS sets {@code steal = real} (release). The newest
 *       stolen task is returned to run now; the others are published in {@code dst} with a release
 *       store of its {@code tail}. A thief that finds the head held backs off and steals nothing.
 * </ul>
 *
 * <p>"Owner" is a role, not a thread: it may move to another thread (e.g. when a worker hands its
 * queue over) as long as the hand-over itself is a happens-before edge (a lock, a volatile write
 * read by the new owner).
 */
final class LocalQueue extends LocalQueueTailPadding {

    /** Tokio's ring size: large enough that overflow is rare, small enough to steal half cheaply. */
    static final int CAPACITY = 256;

    /**
     * Largest ring accepted. Index distances are 32-bit wrapping differences, so any capacity
     * well below 2^31 is unambiguous; beyond 2^16 a ring only delays overflow and costs memory.
     */
    static final int MAX_CAPACITY = 1 << 16;

    /**
     * While the owner moves half of a full ring to the overflow it stores
     * {@code (steal = real + OVERFLOW_LOCK_OFFSET, real)}. {@code steal} is never ahead of
     * {@code real} otherwise, so the value is recognisably the owner's, and like any
     * {@code steal != real} it makes thieves back off. {@code real} and {@code tail} stay meaningful,
     * so {@link #len()} stays correct during the move.
     */
    private static final int OVERFLOW_LOCK_OFFSET = 1;

    private static final VarHandle HEAD;
    private static final VarHandle TAIL;

    static {
        try {
            MethodHandles.Lookup lookup = MethodHandles.lookup();
            HEAD = lookup.findVarHandle(LocalQueueHead.class, "head", long.class);
            TAIL = lookup.findVarHandle(LocalQueueTail.class, "tail", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final ScheduledTask[] buffer;
    private final int capacity;
    private final int mask;

    LocalQueue() {
        this(CAPACITY);
    }

    LocalQueue(int capacity) {
        this(capacity, 0);
    }

    /**
     * For tests: starts every index at {@code startIndex}, so a test can begin near
     * {@link Integer#MAX_VALUE} and cross the wrap within a few operations.
     */
    LocalQueue(int capacity, int startIndex) {
        if (capacity < 2 || capacity > MAX_CAPACITY || Integer.bitCount(capacity) != 1) {
            throw new IllegalArgumentException(
                    "capacity must be a power of two in [2, " + MAX_CAPACITY + "], was " + capacity);
        }
        this.buffer = new ScheduledTask[capacity];
        this.capacity = capacity;
        this.mask = capacity - 1;
        // Plain initialisation: the queue is handed to its owner and to thieves through a
        // happens-before edge (thread start, a final field of the scheduler).
        this.head = pack(startIndex, startIndex);
        this.tail = startIndex;
    }

    int capacity() {
        return capacity;
    }

    /**
     * Any thread, for a task dump ({@link LazyLink}, "Dumps"): hands the tasks found in the
     * ring's slots now to {@code sink}, with plain racy reads and no look at the indices, until
     * the sink returns false (it has all it wants); returns false then. A best effort: a slot may
     * hold a task already claimed (the sink filters), and a task moved in or out during the read
     * may be missed.
     */
    boolean forEachRacy(java.util.function.Predicate<? super ScheduledTask> sink) {
        for (ScheduledTask task : buffer) {
            if (task != null && !sink.test(task)) {
                return false;
            }
        }
        return true;
    }

    /**
     * Owner only. Appends {@code task}, or, when the ring is full, sends tasks to
     * {@code overflow}.
     *
     * @return how many tasks went to {@code overflow}: 0 when the task fit; 1 when the ring was
     *     full while a thief held it (only {@code task} went); {@code capacity / 2 + 1} when the
     *     newer half of the ring and {@code task} went as one batch
     */
    int pushBackOrOverflow(ScheduledTask task, Overflow overflow) {
        int t = tail; // plain: only the owner writes tail
        // Acquire pairs with the thief's release CAS that moves steal forward: the thief's reads
        // and clears of the slots it copied happen-before we overwrite those slots.
        if (t - steal((long) HEAD.getAcquire(this)) < capacity) {
            buffer[t & mask] = task; // plain: published by the release store of tail below
            // Release: a thief that reads the new tail (acquire) sees the slot write above.
            TAIL.setRelease(this, t + 1);
            return 0;
        }
        return pushIntoFullRing(task, overflow, t);
    }

    /**
     * {@link #pushBackOrOverflow} when the ring looked full: out of line, so that the push every
     * wake and yield makes stays small enough for the JIT to inline into its callers.
     */
    private int pushIntoFullRing(ScheduledTask task, Overflow overflow, int t) {
        while (true) {
            long h = (long) HEAD.getAcquire(this); // acquire: as in pushBackOrOverflow
            int steal = steal(h);
            int real = real(h);
            if (t - steal < capacity) {
                // A thief let go of the slots it copied since the first look: room now.
                buffer[t & mask] = task;
                TAIL.setRelease(this, t + 1);
                return 0;
            }
            if (steal != real) {
                // A thief holds the head and is copying [steal, real); we cannot take half now.
                overflow.push(task);
                return 1;
            }
            int moved = moveNewerHalfToOverflow(h, t, task, overflow);
            if (moved != 0) {
                return moved;
            }
            // A thief claimed tasks after our load, so there is room now: retry.
        }
    }

    /**
     * Owner only, ring full ({@code tail - real == capacity}) and head not held. Returns 0 if a
     * thief changed the head first.
     */
    private int moveNewerHalfToOverflow(long h, int t, ScheduledTask task, Overflow overflow) {
        int real = real(h);
        long held = pack(real + OVERFLOW_LOCK_OFFSET, real);
        // Acquire (like taking a lock): our slot reads and clears below cannot move before the CAS
        // that keeps thieves out. No release is needed: we publish nothing by taking the head.
        if ((long) HEAD.compareAndExchangeAcquire(this, h, held) != h) {
            return 0;
        }
        int keep = capacity >>> 1;
        int firstMoved = real + keep;
        ScheduledTask first = buffer[firstMoved & mask];
        buffer[firstMoved & mask] = null;
        ScheduledTask last = first;
        for (int i = firstMoved + 1; i != t; i++) {
            ScheduledTask next = buffer[i & mask];
            assert next != null : "overflowing an empty slot at " + i + " in " + this;
            buffer[i & mask] = null;
            last.queueNext = next;
            last = next;
        }
        last.queueNext = task;
        task.queueNext = null;
        // Release like every tail store, so that a thief's acquire of any tail value orders the
        // slot writes below it (no argument about which head write it read is needed). A thief
        // that read head before we held it and reads this lower tail late claims at most
        // ceil(capacity / 2) tasks from real, which is inside the half we keep.
        TAIL.setRelease(this, firstMoved);
        // Release (like unlocking): the slot clears and the lower tail happen-before the next claim.
        // Restoring the very same value is safe for a thief holding a stale copy of it: that thief
        // claims at most capacity / 2 tasks from real, and [real, real + keep) is unchanged.
        HEAD.setRelease(this, h);
        int count = capacity - keep + 1;
        overflow.pushBatch(first, task, count);
        return count;
    }

    /** Owner only. Takes the oldest task, or returns {@code null} if none is unclaimed. */
    ScheduledTask pop() {
        int t = tail; // plain: only the owner writes tail
        // Opaque: we only need an untorn, coherent value to compute the CAS; the CAS validates it.
        long h = (long) HEAD.getOpaque(this);
        while (true) {
            int steal = steal(h);
            int real = real(h);
            if (real == t) {
                return null;
            }
            int nextReal = real + 1;
            // A thief mid-steal owns steal: move only real then. Otherwise move both together.
            long next = steal == real ? pack(nextReal, nextReal) : pack(steal, nextReal);
            // The slot was written by this thread, and no thief can touch slot `real` once this CAS
            // wins, so the slot read needs no ordering. Acquire anyway: when the CAS reads a head
            // value a thief stored as it let go, that thief's reads and clears of its slots
            // happen-before this thread's later overwrites without relying on release sequences
            // through our own head updates. (Free on x86; one barrier on ARM.)
            long witness = (long) HEAD.compareAndExchangeAcquire(this, h, next);
            if (witness == h) {
                int slot = real & mask;
                ScheduledTask task = buffer[slot];
                assert task != null : "popped an empty slot at " + real + " in " + this;
                buffer[slot] = null;
                return task;
            }
            h = witness; // a thief claimed or let go: retry with the new head
        }
    }

    /**
     * Any thread; called by the thief, which must own {@code dst}. Moves about half of this
     * queue's oldest tasks to {@code dst} and returns the newest of them to run now.
     *
     * @return {@code null} if nothing was stolen: this queue is empty, another thief (or the
     *     owner's overflow) holds it, or {@code dst} is more than half full
     */
    ScheduledTask stealInto(LocalQueue dst) {
        if (dst == this) {
            throw new IllegalArgumentException("a queue cannot steal from itself");
        }
        int dstTail = dst.tail; // plain: the caller owns dst
        // Acquire: dst's own thieves' reads of the slots we are about to overwrite happen-before
        // our writes (same reason as in pushBackOrOverflow).
        int dstUsed = dstTail - steal((long) HEAD.getAcquire(dst));
        if (dstUsed > dst.capacity >>> 1) {
            return null;
        }
        int dstRoom = dst.capacity - dstUsed;

        // 1. Claim: advance real by n, leave steal behind.
        // Acquire: pairs with the release CAS of a previous thief (its clears of the slots are
        // done) and orders our tail load after it.
        long h = (long) HEAD.getAcquire(this);
        int from;
        int n;
        long claimed;
        while (true) {
            int steal = steal(h);
            from = real(h);
            if (steal != from) {
                return null; // held by another thief or the owner: back off, do not spin
            }
            // Acquire: pairs with the owner's release store; the slots below tail are written.
            int available = (int) TAIL.getAcquire(this) - from;
            if (available == 0) {
                return null;
            }
            if (available < 0 || available > capacity) {
                // head was stale (real moved on and tail with it): reread; the CAS would fail.
                h = (long) HEAD.getAcquire(this);
                continue;
            }
            n = Math.min(available - (available >>> 1), dstRoom);
            claimed = pack(steal, from + n);
            // Acquire (like taking a lock on [from, from + n)): the slot reads and clears below
            // cannot move before the claim. On failure the witness is read with acquire too.
            long witness = (long) HEAD.compareAndExchangeAcquire(this, h, claimed);
            if (witness == h) {
                break;
            }
            h = witness; // the owner popped or another thief claimed: retry with the new head
        }

        // 2. Copy the claimed tasks, oldest first, clearing our slots as we go. The newest stolen
        // task is not copied: it is returned to run now.
        ScheduledTask[] dstBuffer = dst.buffer;
        int last = n - 1;
        for (int i = 0; i < last; i++) {
            int slot = (from + i) & mask;
            assert buffer[slot] != null : "stole an empty slot at " + (from + i) + " in " + this;
            dstBuffer[(dstTail + i) & dst.mask] = buffer[slot];
            buffer[slot] = null;
        }
        int lastSlot = (from + last) & mask;
        ScheduledTask runNow = buffer[lastSlot];
        assert runNow != null : "stole an empty slot at " + (from + last) + " in " + this;
        buffer[lastSlot] = null;

        // 3. Let go: steal catches up with real (which the owner may have moved by popping).
        // Release: our slot reads and clears happen-before the owner, acquiring head in push,
        // overwrites these slots. Only we move steal while we hold, so the loop only retries when
        // the owner popped in between.
        long expected = claimed;
        while (true) {
            int realNow = real(expected);
            long witness =
                    (long) HEAD.compareAndExchangeRelease(this, expected, pack(realNow, realNow));
            if (witness == expected) {
                break;
            }
            expected = witness;
        }

        // 4. Publish the copied tasks in dst. Release: a thief of dst that reads this tail sees
        // the slot writes above.
        if (last > 0) {
            TAIL.setRelease(dst, dstTail + last);
        }
        return runNow;
    }

    /**
     * Owner only. Free slots, counting slots a thief is still copying out as used. The caller may
     * push this many tasks without overflowing.
     */
    int remainingSlots() {
        // Opaque: a count only; each push re-reads head with acquire before writing a slot.
        return capacity - (tail - steal((long) HEAD.getOpaque(this)));
    }

    /**
     * Any thread. The number of unclaimed tasks ({@code tail - real}); tasks a thief has claimed but
     * not yet published are counted by neither queue: that thief is running and will see them.
     * Exact for the owner; a snapshot for others. After a push completes, a thread ordered after it
     * (e.g. by the scheduler's full fences) never reads 0 while that task is unclaimed.
     */
    int len() {
        // head first, with acquire so that the tail load cannot move before it; a newer tail with
        // an older real can only overcount (clamped), never report a present task as absent.
        int real = real((long) HEAD.getAcquire(this));
        int t = (int) TAIL.getOpaque(this);
        int len = t - real;
        return len < 0 ? 0 : Math.min(len, capacity);
    }

    /** Any thread. {@code len() == 0}; see {@link #len()} for what a concurrent caller sees. */
    boolean isEmpty() {
        return len() == 0;
    }

    /**
     * Any thread. Whether the ring holds tasks other workers could steal: every task in the ring
     * is stealable (the LIFO slot lives outside), so this is {@code !isEmpty()}; it exists as the
     * scheduler's "should I wake a peer?" hint, as Tokio's {@code is_stealable}. Use
     * {@link #isEmpty()} for the no-lost-wake-up re-check.
     */
    boolean hasStealable() {
        return !isEmpty();
    }

    static long pack(int steal, int real) {
        return ((long) steal << 32) | (real & 0xFFFF_FFFFL);
    }

    static int steal(long head) {
        return (int) (head >>> 32);
    }

    static int real(long head) {
        return (int) head;
    }

    @Override
    public String toString() {
        long h = (long) HEAD.getAcquire(this);
        return "LocalQueue[steal=" + steal(h) + ", real=" + real(h) + ", tail="
                + (int) TAIL.getAcquire(this) + ", capacity=" + capacity + "]";
    }
}
