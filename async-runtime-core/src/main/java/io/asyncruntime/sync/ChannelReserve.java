package io.asyncruntime.sync;

import io.asyncruntime.task.Context;
import io.asyncruntime.task.Poll;
import io.asyncruntime.task.Task;

/**
 * {@link Channel#reserve()}: waits for room and, once it has it, is the {@link Channel.Permit} that
 * sends with it (one object per uncontended reservation).
 */
final class ChannelReserve<T> extends PermitTask implements Task<Channel.Permit<T>>, Channel.Permit<T> {

    /** The room was used by a send; the consumer gives it back. */
    private static final int SENT = 6;

    private final Channel<T> channel;

    ChannelReserve(Channel<T> channel) {
        super(channel.permits, 1);
        this.channel = channel;
    }

    static <T> ChannelReserve<T> taken(Channel<T> channel) {
        ChannelReserve<T> permit = new ChannelReserve<>(channel);
        permit.markTaken();
        return permit;
    }

    @Override
    public Poll<Channel.Permit<T>> poll(Context cx) {
        switch (pollPermits(cx)) {
            case BatchSemaphore.ACQUIRED:
                return Poll.ready(this);
            case BatchSemaphore.CLOSED_RESULT:
                throw Channel.closedForSending("reserve");
            default:
                return Poll.pending();
        }
    }

    @Override
    public void cancel() {
        if (cancelAcquire()) {
            channel.permitReturned();
        }
    }

    @Override
    public void send(T message) {
        if (message == null) {
            throw new NullPointerException("message must not be null");
        }
        if (!leaveTaken(SENT)) {
            throw new IllegalStateException(state == SENT
                    ? "this channel permit already sent a message" : "this channel permit was closed");
        }
        channel.sendWithHeldRoom(message);
    }

    @Override
    public void close() {
        if (leaveTaken(RELEASED)) {
            semaphore.release(1);
            channel.permitReturned();
        }
    }

    @Override
    public String toString() {
        return "Channel.Permit[" + (state == TAKEN ? "unused]" : state == SENT ? "sent]" : "closed]");
    }
}
