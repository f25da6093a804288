package io.asyncruntime.sync;

import io.asyncruntime.task.Context;
import io.asyncruntime.task.Task;
import io.asyncruntime.task.Waker;
import java.util.List;
import java.util.Optional;

/**
 * A multi-producer, single-consumer channel: any number of tasks (or threads) send, one task
 * receives. Tokio's {@code mpsc}.
 *
 * <p>A {@linkplain #bounded bounded} channel holds at most {@code capacity} messages: {@link #send}
 * waits while it is full (backpressure), senders in arrival order; {@link #trySend} fails at once.
 * An {@linkplain #unbounded() unbounded} channel never makes a sender wait. {@link #reserve()}
 * waits for room first and hands out a {@link Permit} that then sends without waiting, so a
 * message is never lost to a cancelled send. Messages are received in the order their sends
 * completed; messages of one producer keep their order.
 *
 * <pre>{@code
 * Channel<Job> jobs = Channel.bounded(128);
 * runtime.spawn(jobs.send(job));                          // a producer
 * runtime.spawn(Task.loop(null, ignored -> jobs.recv().map(next -> next
 *         .map(job -> { handle(job); return Step.<Object, Void>next(null); })
 *         .orElse(Step.done(null)))));                    // the consumer, until closed and drained
 * }</pre>
 *
 * <p><b>Closing.</b> {@link #close()} (from either side) makes every later send, and every send
 * waiting for room, fail with a {@link ChannelClosedException}; the receiver still gets every
 * message sent before, then {@code Optional.empty()}. A {@link Permit} obtained before the close
 * may still send. There is no separate receiver handle: a consumer that stops receiving closes the
 * channel, and producers see it through {@link #isClosed()} and {@link #closed()}.
 *
 * <p><b>Cancellation is dropping.</b> A cancelled {@link #recv()} never loses a message: a message
 * is taken only in the poll that returns it. A cancelled {@link #send} never delivers (it gives its
 * place, and the room it may have been given, back) and never delivers half. Neither leaves a
 * waker registered.
 *
 * <p><b>One receiver.</b> At most one task receives at a time ({@code recv}, {@code recvMany},
 * {@code tryRecv}); a receive that must wait while another receive is waiting fails with an
 * {@link IllegalStateException} (Tokio rules this out by ownership of its receiver). Messages must
 * not be null. Every completed send and receive
 * spends one unit of the cooperative budget. A send to a channel with room takes its room and
 * its position in one CAS and writes the message with a release store; a receive is a read, a
 * plain clear and one atomic add. When sends wait for room, the receiver hands them the room it
 * frees once half the capacity is free or its poll ends, not per message (so each woken sender
 * finds room for many sends); waiting sends still get room in arrival order, and {@code trySend}
 * never overtakes them. A bounded channel allocates nothing per message beyond the task
 * object the method returns (and the {@code Optional} of {@code recv}); an unbounded one adds its
 * storage blocks, about 5 bytes per message. Thread-safe.
 *
 * @param <T> the message type
 */
public final class Channel<T> extends ChannelRoom {

    /** The largest capacity of a bounded channel, 2^30 - 1: {@value}. */
    public static final int MAX_CAPACITY = BatchSemaphore.MAX_PERMITS;

    private final MessageQueue<T> queue;
    private final Notify closeNotify = new Notify();

    private Channel(int capacity, boolean bounded, MessageQueue<T> queue, int grantBatch) {
        super(capacity, bounded, grantBatch);
        this.queue = queue;
    }

    /**
     * A channel that holds at most {@code capacity} messages (plus none: reserved room counts).
     *
     * @throws IllegalArgumentException if {@code capacity} is not in [1, {@link #MAX_CAPACITY}]
     */
    public static <T> Channel<T> bounded(int capacity) {
        if (capacity < 1 || capacity > MAX_CAPACITY) {
            throw new IllegalArgumentException("capacity must be in [1, " + MAX_CAPACITY + "], was " + capacity);
        }
        return boundedWithGrantBatch(capacity, Math.max(1, capacity / 2));
    }

    /** For tests: a bounded channel that serves waiting senders once {@code grantBatch} slots are free. */
    static <T> Channel<T> boundedWithGrantBatch(int capacity, int grantBatch) {
        return new Channel<>(capacity, true, new RingQueue<>(capacity), grantBatch);
    }

    /**
     * A channel whose sends never wait. (It holds up to {@link #MAX_CAPACITY} messages; memory runs
     * out long before.)
     */
    public static <T> Channel<T> unbounded() {
        return new Channel<>(BatchSemaphore.MAX_PERMITS, false, new LinkedQueue<>(), 1);
    }

    /** For tests: an unbounded channel whose storage blocks hold {@code blockSize} messages. */
    static <T> Channel<T> unboundedWithBlockSize(int blockSize) {
        return new Channel<>(BatchSemaphore.MAX_PERMITS, false, new LinkedQueue<>(blockSize), 1);
    }

    // ---- sending -----------------------------------------------------------------------------

    /**
     * A task that sends {@code message}: it waits while the channel is full, then completes with
     * null once the message is in the channel. Fails with a {@link ChannelClosedException} if the
     * channel is (or gets) closed before the message went in; then the message was not sent.
     *
     * @throws NullPointerException if {@code message} is null
     */
    public Task<Void> send(T message) {
        return new ChannelSend<>(this, requireMessage(message));
    }

    /**
     * Sends {@code message} if the channel has room (and no send is waiting for room); returns
     * whether it did.
     *
     * @throws NullPointerException if {@code message} is null
     * @throws ChannelClosedException if the channel is closed
     */
    public boolean trySend(T message) {
        requireMessage(message);
        Object hint = queue.hintBeforeClaim();
        long ticket = permits.tryAcquireTicket();
        while (ticket == BatchSemaphore.NO_TICKET && permits.owesWaiters()) {
            // Room the receiver freed but has not handed to the waiting sends yet: serve them
            // (what the receiver would do at the end of its poll) and look again, so that room
            // left over once every waiting send has its share is found, as if served at once.
            permits.serveWaiters();
            ticket = permits.tryAcquireTicket();
        }
        if (ticket >= 0) {
            write(hint, (int) ticket, message, null);
            return true;
        }
        if (ticket == BatchSemaphore.CLOSED_TICKET) {
            throw closedForSending("trySend");
        }
        return false;
    }

    /**
     * A task that waits for room for one message and completes with a {@link Permit} holding it:
     * the permit's {@link Permit#send} then never waits and never fails, and closing an unused
     * permit gives the room back. Fails with a {@link ChannelClosedException} if the channel is (or
     * gets) closed first.
     */
    public Task<Permit<T>> reserve() {
        return new ChannelReserve<>(this);
    }

    /**
     * Reserves room for one message if there is some (and no send is waiting for room).
     *
     * @throws ChannelClosedException if the channel is closed
     */
    public Optional<Permit<T>> tryReserve() {
        int result = permits.tryAcquire(1);
        while (result == BatchSemaphore.NO_PERMITS && permits.owesWaiters()) {
            permits.serveWaiters(); // as in trySend
            result = permits.tryAcquire(1);
        }
        switch (result) {
            case BatchSemaphore.ACQUIRED:
                return Optional.of(ChannelReserve.taken(this));
            case BatchSemaphore.CLOSED_RESULT:
                throw closedForSending("tryReserve");
            default:
                return Optional.empty();
        }
    }

    // ---- receiving ---------------------------------------------------------------------------

    /**
     * A task that receives the next message: it waits while the channel is empty, and completes
     * with empty once the channel is closed and every message sent before was received.
     */
    public Task<Optional<T>> recv() {
        return new ChannelRecv<>(this);
    }

    /**
     * A task that waits for at least one message and completes with up to {@code max} of them,
     * oldest first (what is there now; it does not wait for more), or an empty list once the
     * channel is closed and drained. Spends one unit of budget per call.
     *
     * @throws IllegalArgumentException if {@code max} is less than 1
     */
    public Task<List<T>> recvMany(int max) {
        if (max < 1) {
            throw new IllegalArgumentException("max must be at least 1, was " + max);
        }
        return new ChannelRecvMany<>(this, max);
    }

    /**
     * The next message if one is there now, otherwise empty.
     *
     * @throws ChannelClosedException if the channel is closed and every message was received
     */
    public Optional<T> tryRecv() {
        T message = queue.peek();
        if (message == null && sendInProgress()) {
            // The next position is claimed and about to be written (a producer between its claim
            // and its store). Waiting for it keeps tryRecv linearizable: a send that completed
            // before this call is seen even when an earlier one is half-way (Tokio's try_recv waits
            // for a "busy" send the same way). The window is a few instructions of that producer.
            message = awaitPushInProgress();
        }
        if (message != null) {
            take(null);
            return Optional.of(message);
        }
        if (isClosedAndDrained()) {
            throw new ChannelClosedException("tryRecv on a channel that is closed and drained");
        }
        return Optional.empty();
    }

    // ---- closing -----------------------------------------------------------------------------

    /**
     * Closes the channel: later sends fail, sends waiting for room fail, the receiver drains what
     * was sent and then receives empty. Permits already reserved may still send. Idempotent.
     */
    public void close() {
        permits.close();
        closeNotify.notifyAllWaiters();
        wakeReceiver();
    }

    /** Whether the channel was closed. */
    public boolean isClosed() {
        return permits.isClosed();
    }

    /**
     * A task that completes (with null) once the channel is closed: how producers learn that the
     * consumer has gone.
     */
    public Task<Void> closed() {
        return new ChannelClosedWait(this, closeNotify.notified());
    }

    /** The bound of a bounded channel; {@link Integer#MAX_VALUE} for an unbounded one. */
    public int capacity() {
        return bounded ? capacity : Integer.MAX_VALUE;
    }

    @Override
    public String toString() {
        return "Channel[" + (bounded ? "capacity=" + capacity : "unbounded")
                + (isClosed() ? ", closed]" : "]");
    }

    // ---- internals shared by the tasks ---------------------------------------------------------

    /** What a producer reads before it claims a ticket; see {@link MessageQueue#hintBeforeClaim()}. */
    Object hintBeforeClaim() {
        return queue.hintBeforeClaim();
    }

    /**
     * Writes a message at its claimed {@code ticket}; the room it takes is given back by the
     * consumer. Wakes the receiver if it waits (see {@link #wakeReceiver(Context)}; {@code cx}
     * is the send's poll context, or null outside a send's poll).
     */
    void write(Object hint, int ticket, T message, Context cx) {
        queue.write(hint, ticket, message);
        // After the claim (an atomic RMW on the semaphore word): either this read sees the
        // receiver's waker, or the receiver, which publishes its waker and then reads the word,
        // sees the claim (sendInProgress) and does not sleep on it.
        if ((Waker) RX_WAKER.getVolatile(this) != null) {
            wakeReceiver(cx);
        }
    }

    /** Sends with room already held (a reservation): claims a ticket and writes. */
    void sendWithHeldRoom(T message) {
        Object hint = queue.hintBeforeClaim();
        write(hint, permits.claimTicket(), message, null);
    }

    /**
     * Whether a producer claimed the head position and has not written it yet: the next ticket is
     * past the head. A volatile read of the semaphore word. Consumer only.
     */
    private boolean sendInProgress() {
        return permits.nextTicket() != queue.head();
    }

    /** A permit came back without a message; after a close, the receiver may now be done. */
    void permitReturned() {
        if (permits.isClosed()) {
            wakeReceiver();
        }
    }

    /**
     * Takes the message {@code queue.peek()} returned and gives its room back (see
     * {@link #giveBackRoom}). {@code cx} is the receive's context, or null outside a poll.
     * Consumer only.
     */
    private void take(Context cx) {
        queue.take();
        giveBackRoom(1, cx);
    }

    /**
     * Spins on the head position a producer has claimed, at most {@link #PUSH_SPINS} times:
     * between its claim and its store a producer runs a few instructions, so this usually finds
     * the message at once. Consumer only.
     */
    private T spinForPushInProgress() {
        for (int i = 0; i < PUSH_SPINS; i++) {
            Thread.onSpinWait();
            T message = queue.peek();
            if (message != null) {
                return message;
            }
        }
        return null;
    }

    /** Waits, without a bound, for the head position a producer has claimed to be written. */
    private T awaitPushInProgress() {
        for (;;) {
            T message = spinForPushInProgress();
            if (message != null) {
                return message;
            }
            Thread.yield(); // the producer's thread was descheduled between claim and store
        }
    }

    /** For tests: the message at the head, not taken. Consumer only. */
    T peekForTests() {
        return queue.peek();
    }

    /**
     * How often the consumer re-reads a claimed head position before it gives up for this poll:
     * some hundreds of nanoseconds, longer than a running producer takes from claim to store.
     */
    private static final int PUSH_SPINS = 64;

    /** Marker for "closed and drained" from {@link #pollNext}. */
    static final Object END = new Object();

    /**
     * The next message, taken (budget spent), or {@link #END}, or null: not ready, the receiver's
     * waker is registered (or the budget is spent). Consumer only.
     */
    Object pollNext(Object owner, Context cx) {
        T message = queue.peek();
        if (message == null) {
            if (isClosedAndDrained()) {
                deregisterReceiver(owner);
                return END;
            }
            registerReceiver(owner, cx.waker());
            message = queue.peek();
            if (message == null) {
                if (isClosedAndDrained()) {
                    deregisterReceiver(owner);
                    return END;
                }
                if (sendInProgress()) {
                    // A producer claimed the next position and is about to write it; it may have
                    // looked for our waker before we published it. Give it a moment, else come
                    // back after the other runnable tasks.
                    message = spinForPushInProgress();
                    if (message == null) {
                        cx.requestYield();
                        return null;
                    }
                } else {
                    return null;
                }
            }
        }
        deregisterReceiver(owner);
        if (!cx.consumeBudget()) {
            return null;
        }
        take(cx);
        return message;
    }

    /**
     * Takes messages that are there now, after {@link #pollNext} returned one, and gives their
     * room back in one atomic add (and at most one visit to the senders' queue, see
     * {@link #giveBackRoom}) rather than one per message. Every position is cleared before the add,
     * so the ring invariant holds (see {@link RingQueue}). {@code cx}: the poll's. Consumer only.
     */
    void drainInto(List<T> into, int max, Context cx) {
        int taken = 0;
        while (into.size() < max) {
            T message = queue.peek();
            if (message == null) {
                break;
            }
            queue.take();
            taken++;
            into.add(message);
        }
        if (taken > 0) {
            giveBackRoom(taken, cx);
        }
    }

    static ChannelClosedException closedForSending(String operation) {
        return new ChannelClosedException(operation + " on a closed channel");
    }

    private static <T> T requireMessage(T message) {
        if (message == null) {
            throw new NullPointerException("message must not be null");
        }
        return message;
    }

    /**
     * Room for one message in a {@link Channel}, reserved by {@link Channel#reserve()}: send one
     * message with it (never waits, never fails, even after the channel was closed), or close it
     * to give the room back. Closing after sending does nothing. Thread-safe.
     *
     * @param <T> the message type
     */
    public sealed interface Permit<T> extends AutoCloseable permits ChannelReserve {

        /**
         * Sends {@code message} into the reserved room.
         *
         * @throws NullPointerException if {@code message} is null
         * @throws IllegalStateException if this permit already sent or was closed
         */
        void send(T message);

        /** Gives the room back if the permit did not send. Idempotent. */
        @Override
        void close();
    }

}
