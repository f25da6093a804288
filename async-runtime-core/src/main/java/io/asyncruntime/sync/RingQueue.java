package io.asyncruntime.sync;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * A bounded channel's messages: a ring of {@code nextPowerOfTwo(capacity)} positions, allocated
 * in chunks on first use and then reused for the channel's life, so a channel in steady state
 * allocates nothing per message, and a channel with a large capacity that is rarely full costs
 * memory only for the positions it has used.
 *
 * <p>Why a position is free when a producer writes it: a producer pushes only while it holds a
 * capacity permit, and the consumer releases the permit of position {@code p} only after it read
 * and cleared {@code p}. If position {@code i - ringSize} were not cleared when position {@code i}
 * is claimed, the ringSize + 1 messages {@code i - ringSize .. i} would hold ringSize + 1 > capacity
 * permits at once. The consumer's clearing store happens-before the producer's write through the
 * release of that permit (an atomic add) and the producer's acquire of one (a CAS) on the same
 * semaphore word.
 *
 * <p>The consumer's head sits on a cache line of its own (the padding class below; HotSpot lays
 * superclass fields out first), so its plain updates do not invalidate the line of ring fields
 * every producer reads. The producers' tail is the ticket in the semaphore word. Why not JCTools'
 * {@code MpscArrayQueue}: the core depends on slf4j only, and a channel needs room that can be
 * held without a position (reserve), an exact capacity, and room and position taken in one CAS,
 * which its index arithmetic does not model.
 */
final class RingQueue<T> extends RingQueueConsumer<T> {

    RingQueue(int capacity) {
        super(capacity);
    }

    @Override
    Object hintBeforeClaim() {
        return null;
    }

    @Override
    void write(Object hint, int ticket, T message) {
        int position = ticket & ringMask;
        Object[] chunk = (Object[]) CHUNKS.getAcquire(chunks, position >>> chunkShift);
        if (chunk == null) {
            chunk = newChunk(position >>> chunkShift);
        }
        SLOTS.setRelease(chunk, position & chunkMask, message);
    }

    private Object[] newChunk(int chunkIndex) {
        Object[] fresh = new Object[chunkMask + 1];
        Object witness = CHUNKS.compareAndExchange(chunks, chunkIndex, (Object[]) null, fresh);
        return witness == null ? fresh : (Object[]) witness;
    }

    @Override
    @SuppressWarnings("unchecked")
    T peek() {
        int position = head & ringMask;
        Object[] chunk = (Object[]) CHUNKS.getAcquire(chunks, position >>> chunkShift);
        // Volatile, not acquire: on the consumer's wait path this read follows the volatile store
        // of its waker and must not be ordered before it (x86: a plain load either way).
        return chunk == null ? null : (T) SLOTS.getVolatile(chunk, position & chunkMask);
    }

    @Override
    void take() {
        int position = head & ringMask;
        Object[] chunk = (Object[]) CHUNKS.getAcquire(chunks, position >>> chunkShift);
        // Plain: the permit release that follows (an atomic add) publishes it to the next writer.
        chunk[position & chunkMask] = null;
        head++;
    }

    @Override
    int head() {
        return head;
    }
}

/** The ring's geometry, read-only after construction. */
abstract class RingQueueFields<T> extends MessageQueue<T> {

    /** Positions per chunk at most while the ring is small; a chunk is allocated on first use. */
    private static final int MAX_SMALL_CHUNK = 1 << 10;
    /** A ring has at most this many chunks, so the chunk table stays small for any capacity. */
    private static final int MAX_CHUNKS_SHIFT = 10;

    static final VarHandle CHUNKS = MethodHandles.arrayElementVarHandle(Object[][].class);
    static final VarHandle SLOTS = MethodHandles.arrayElementVarHandle(Object[].class);

    final Object[][] chunks;
    final int ringMask;
    final int chunkShift;
    final int chunkMask;

    RingQueueFields(int capacity) {
        int ringSize = capacity == 1 ? 1 : Integer.highestOneBit(capacity - 1) << 1;
        int chunkSize = Math.max(Math.min(ringSize, MAX_SMALL_CHUNK), ringSize >>> MAX_CHUNKS_SHIFT);
        this.ringMask = ringSize - 1;
        this.chunkShift = Integer.numberOfTrailingZeros(chunkSize);
        this.chunkMask = chunkSize - 1;
        this.chunks = new Object[ringSize / chunkSize][];
        this.chunks[0] = new Object[chunkSize];
    }
}

/**
 * Padding: keeps the consumer's head off the line of the read-mostly fields above, which every
 * producer reads on every message.
 */
abstract class RingQueuePad<T> extends RingQueueFields<T> {
    long p01, p02, p03, p04, p05, p06, p07, p08, p09, p10, p11, p12, p13, p14, p15;

    RingQueuePad(int capacity) {
        super(capacity);
    }
}

/** The consumer's side: the next position to read; consumer-private. */
abstract class RingQueueConsumer<T> extends RingQueuePad<T> {
    int head;

    RingQueueConsumer(int capacity) {
        super(capacity);
    }
}
