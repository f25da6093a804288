package io.asyncruntime.sync;

import io.asyncruntime.task.Context;
import io.asyncruntime.task.Poll;
import io.asyncruntime.task.Task;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A multi-producer, multi-consumer channel where every receiver gets every value: a bounded ring
 * of the last {@code capacity} values, and one cursor per {@link Receiver}. Tokio's
 * {@code broadcast}.
 *
 * <p>Senders never wait: a receiver that falls more than {@code capacity} values behind has the
 * oldest overwritten, and its next receive fails with a {@link LaggedException} that says how many
 * it missed; the receive after that continues with the oldest value still in the ring. A receiver
 * sees only values sent after it {@linkplain #subscribe() subscribed}. {@link #close()} ends the
 * channel: receivers get what is left, then a {@link ChannelClosedException}.
 *
 * <p>Cancellation is dropping: a cancelled {@link Receiver#recv()} moves no cursor and leaves no
 * waiter registered. A completed receive spends one unit of the cooperative budget. Sends are
 * serialised by a short lock and write the value into its slot under a sequence number (a seqlock:
 * receivers read without locking and re-check the sequence), so a send allocates nothing; the
 * ring keeps the last {@code capacity} values reachable until they are overwritten. Thread-safe;
 * each {@link Receiver} is used by one task at a time.
 *
 * @param <T> the value type
 */
public final class Broadcast<T> {

    /** The largest capacity: {@value}. */
    public static final int MAX_CAPACITY = 1 << 30;

    private static final VarHandle TAIL;

    static {
        try {
            TAIL = MethodHandles.lookup().findVarHandle(Broadcast.class, "tail", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /** One position of the ring: {@code sequence} is position + 1 when it holds that position's value. */
    private static final class Slot {
        /** While a sender rewrites the slot. */
        static final long WRITING = -1;

        volatile long sequence;
        volatile Object value;
    }

    private final Slot[] slots;
    private final int capacity;
    /** Serialises senders. */
    private final WaitList sendLock = new WaitList();
    private final Notify sent = new Notify();
    private final AtomicInteger receivers = new AtomicInteger();
    /** The position the next send writes; written under the send lock. */
    @SuppressWarnings("unused") // through TAIL
    private volatile long tail;
    private volatile boolean closed;

    /**
     * A broadcast channel that keeps the last {@code capacity} values.
     *
     * @throws IllegalArgumentException if {@code capacity} is not in [1, {@link #MAX_CAPACITY}]
     */
    public Broadcast(int capacity) {
        if (capacity < 1 || capacity > MAX_CAPACITY) {
            throw new IllegalArgumentException("capacity must be in [1, " + MAX_CAPACITY + "], was " + capacity);
        }
        this.capacity = capacity;
        this.slots = new Slot[capacity];
        for (int i = 0; i < capacity; i++) {
            slots[i] = new Slot();
        }
    }

    /**
     * Sends {@code value} to every receiver and returns how many receivers are subscribed (0 is
     * fine: the value is kept for nobody).
     *
     * @throws NullPointerException if {@code value} is null
     * @throws ChannelClosedException if the channel is closed
     */
    public int send(T value) {
        if (value == null) {
            throw new NullPointerException("value must not be null");
        }
        sendLock.lock();
        try {
            if (closed) {
                throw new ChannelClosedException("send on a closed Broadcast");
            }
            long position = (long) TAIL.get(this);
            Slot slot = slots[(int) (position % capacity)];
            slot.sequence = Slot.WRITING;
            slot.value = value;
            slot.sequence = position + 1;
            TAIL.setVolatile(this, position + 1);
        } finally {
            sendLock.unlock();
        }
        sent.notifyAllWaiters();
        return receivers.get();
    }

    /** A receiver of every value sent from now on. Close it when done, so {@link #receiverCount()} stays right. */
    public Receiver<T> subscribe() {
        receivers.incrementAndGet();
        return new Receiver<>(this, (long) TAIL.getVolatile(this));
    }

    /** How many receivers are subscribed and not closed. */
    public int receiverCount() {
        return receivers.get();
    }

    /** The number of values the channel keeps. */
    public int capacity() {
        return capacity;
    }

    /** Closes the channel: sends fail; receivers get what is left, then fail. Idempotent. */
    public void close() {
        sendLock.lock();
        closed = true;
        sendLock.unlock();
        sent.notifyAllWaiters();
    }

    /** Whether the channel was closed. */
    public boolean isClosed() {
        return closed;
    }

    @Override
    public String toString() {
        return "Broadcast[capacity=" + capacity + ", receivers=" + receivers.get() + (closed ? ", closed]" : "]");
    }

    /** Marker: nothing to receive yet. */
    private static final Object NOTHING = new Object();

    /**
     * The value at {@code receiver}'s cursor (and moves it), {@link #NOTHING}, or throws
     * {@link LaggedException} (cursor moved to the oldest value kept) or
     * {@link ChannelClosedException}. Does not spend budget.
     */
    private Object next(Receiver<T> receiver) {
        for (;;) {
            long position = receiver.next;
            long end = (long) TAIL.getVolatile(this);
            if (position == end) {
                if (closed && (long) TAIL.getVolatile(this) == end) {
                    throw new ChannelClosedException("the Broadcast was closed");
                }
                return NOTHING;
            }
            if (end - position > capacity) {
                long oldest = end - capacity;
                receiver.next = oldest;
                throw new LaggedException(oldest - position);
            }
            Slot slot = slots[(int) (position % capacity)];
            long before = slot.sequence;
            Object value = slot.value;
            long after = slot.sequence;
            if (before == position + 1 && after == before) {
                receiver.next = position + 1;
                return value;
            }
            // Overwritten (the receiver lags), or a send is rewriting it right now: look again.
            Thread.onSpinWait();
        }
    }

    /**
     * One subscriber's cursor into a {@link Broadcast}. Use it from one task at a time; close it
     * when done.
     *
     * @param <T> the value type
     */
    public static final class Receiver<T> implements AutoCloseable {
        private final Broadcast<T> channel;
        /** The position of the next value to receive. */
        long next;
        private boolean closed;

        Receiver(Broadcast<T> channel, long next) {
            this.channel = channel;
            this.next = next;
        }

        /**
         * A task that completes with the next value, waiting for one to be sent. Fails with a
         * {@link LaggedException} if values were overwritten before this receiver got them (the
         * next receive continues with the oldest kept), or a {@link ChannelClosedException} once
         * the channel is closed and this receiver has every value.
         */
        public Task<T> recv() {
            requireOpen();
            return new Recv<>(this);
        }

        /**
         * The next value if there is one now, otherwise empty.
         *
         * @throws LaggedException if values were overwritten before this receiver got them
         * @throws ChannelClosedException if the channel is closed and this receiver has every value
         */
        @SuppressWarnings("unchecked")
        public Optional<T> tryRecv() {
            requireOpen();
            Object value = channel.next(this);
            return value == NOTHING ? Optional.empty() : Optional.of((T) value);
        }

        /** Unsubscribes. Idempotent. */
        @Override
        public void close() {
            if (!closed) {
                closed = true;
                channel.receivers.decrementAndGet();
            }
        }

        private void requireOpen() {
            if (closed) {
                throw new IllegalStateException("this Broadcast receiver was closed");
            }
        }

        @Override
        public String toString() {
            return "Broadcast.Receiver[next=" + next + (closed ? ", closed]" : "]");
        }
    }

    /** {@link Receiver#recv()}: looks, then waits on the channel's {@link Notify} (created before looking again). */
    private static final class Recv<T> implements Task<T> {
        private final Receiver<T> receiver;
        private Task<Void> notified;

        Recv(Receiver<T> receiver) {
            this.receiver = receiver;
        }

        @Override
        @SuppressWarnings("unchecked")
        public Poll<T> poll(Context cx) throws Exception {
            Broadcast<T> channel = receiver.channel;
            for (;;) {
                if (channel.hasNext(receiver) || channel.closed) {
                    if (!cx.consumeBudget()) {
                        return Poll.pending(); // the cursor did not move
                    }
                    Object value;
                    try {
                        value = channel.next(receiver); // a value, or lagged, or closed and caught up
                    } catch (RuntimeException laggedOrClosed) {
                        dropWait();
                        throw laggedOrClosed;
                    }
                    if (value != NOTHING) {
                        dropWait();
                        return Poll.ready((T) value);
                    }
                }
                if (notified == null) {
                    notified = channel.sent.notified(); // then look again before waiting on it
                    continue;
                }
                if (notified.poll(cx).isPending()) {
                    return Poll.pending();
                }
                notified = null;
            }
        }

        private void dropWait() {
            if (notified != null) {
                notified.cancel();
                notified = null;
            }
        }

        @Override
        public void cancel() {
            dropWait();
        }

        @Override
        public String toString() {
            return "Broadcast.Receiver.recv()";
        }
    }

    /** Whether {@code receiver}'s cursor is behind the tail (a value, or a lag, is waiting for it). */
    private boolean hasNext(Receiver<T> receiver) {
        return receiver.next != (long) TAIL.getVolatile(this);
    }
}
