package io.asyncruntime.sync;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * An unbounded channel's messages: a linked list of blocks of {@value #BLOCK_SIZE} positions
 * (Tokio's mpsc list, without its block recycling: a block is garbage once the consumer and every
 * producer have left it, about {@code 300 / 64} bytes per message). Tests use blocks of two
 * positions, so that a few operations append blocks and cross their boundaries.
 *
 * <p>A producer reads the tail-block hint <em>before</em> it claims its position (its ticket), then
 * walks forward, appending blocks as needed, to the block that holds the position. The hint only
 * moves to a block holding a position claimed before it moved, so the block a producer read is
 * never past the one it needs and the walk is always forward. Positions are 32-bit tickets that
 * wrap; block starts are compared by difference, and fewer than 2^30 messages are ever in flight.
 */
final class LinkedQueue<T> extends MessageQueue<T> {

    static final int BLOCK_SIZE = 64;

    private static final VarHandle TAIL_BLOCK;
    private static final VarHandle SLOTS = MethodHandles.arrayElementVarHandle(Object[].class);

    static {
        try {
            TAIL_BLOCK = MethodHandles.lookup().findVarHandle(LinkedQueue.class, "tailBlock", Block.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /** One block; {@link #next} is set once, by CAS, by the first producer that needs it. */
    static final class Block {
        private static final VarHandle NEXT;

        static {
            try {
                NEXT = MethodHandles.lookup().findVarHandle(Block.class, "next", Block.class);
            } catch (ReflectiveOperationException e) {
                throw new ExceptionInInitializerError(e);
            }
        }

        final int start;
        final Object[] slots;
        volatile Block next;

        Block(int start, int size) {
            this.start = start;
            this.slots = new Object[size];
        }

        Block nextOrAppend() {
            Block next = this.next;
            if (next != null) {
                return next;
            }
            Block fresh = new Block(start + slots.length, slots.length);
            Block witness = (Block) NEXT.compareAndExchange(this, (Block) null, fresh);
            return witness == null ? fresh : witness;
        }
    }

    @SuppressWarnings("unused") // through TAIL_BLOCK
    private volatile Block tailBlock;

    /** Positions per block minus one; the block size is a power of two. */
    private final int blockMask;

    // Consumer-private.
    private int head;
    private Block headBlock;

    LinkedQueue() {
        this(BLOCK_SIZE);
    }

    /** A queue with blocks of {@code blockSize} positions, a power of two (tests use tiny ones). */
    LinkedQueue(int blockSize) {
        if (blockSize < 1 || Integer.bitCount(blockSize) != 1) {
            throw new IllegalArgumentException("blockSize must be a power of two, was " + blockSize);
        }
        this.blockMask = blockSize - 1;
        Block first = new Block(0, blockSize);
        this.tailBlock = first;
        this.headBlock = first;
    }

    /** The tail-block hint, read by a producer before it claims its ticket (see the class comment). */
    @Override
    Object hintBeforeClaim() {
        return TAIL_BLOCK.getVolatile(this);
    }

    @Override
    void write(Object hint, int ticket, T message) {
        Block seen = (Block) hint;
        int start = ticket & ~blockMask;
        Block block = seen;
        while (block.start != start) {
            block = block.nextOrAppend();
        }
        SLOTS.setRelease(block.slots, ticket & blockMask, message);
        if (block != seen) {
            advanceHint(seen, block);
        }
    }

    private void advanceHint(Block seen, Block to) {
        Block current = seen;
        while (to.start - current.start > 0) {
            Block witness = (Block) TAIL_BLOCK.compareAndExchange(this, current, to);
            if (witness == current) {
                return;
            }
            current = witness;
        }
    }

    @Override
    @SuppressWarnings("unchecked")
    T peek() {
        Block block = headBlock;
        if (head - block.start == block.slots.length) {
            Block next = block.next;
            if (next == null) {
                return null;
            }
            headBlock = next;
            block = next;
        }
        return (T) SLOTS.getVolatile(block.slots, head & blockMask);
    }

    @Override
    void take() {
        headBlock.slots[head & blockMask] = null;
        head++;
    }

    @Override
    int head() {
        return head;
    }
}
