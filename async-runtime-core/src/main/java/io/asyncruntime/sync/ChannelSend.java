package io.asyncruntime.sync;

import io.asyncruntime.task.Context;
import io.asyncruntime.task.Poll;
import io.asyncruntime.task.Task;

/**
 * {@link Channel#send}: takes room and a position in one CAS and writes the message. Only when
 * the channel is full does it allocate its node in the room queue ({@link Waiter}) and wait; the
 * poll that gets the room claims the position and writes. A cancel before that poll gives the room
 * (or its place in the queue) back, so a cancelled send never delivers.
 */
final class ChannelSend<T> implements Task<Void> {

    /** A send's place in the room queue; claims a ticket with its permit. */
    static final class Waiter extends BatchSemaphore.Acquirer {
        Waiter() {
            super(1, true);
        }
    }

    private final Channel<T> channel;
    private T message;
    /** Null until the channel was found full. */
    private Waiter waiter;

    ChannelSend(Channel<T> channel, T message) {
        this.channel = channel;
        this.message = message;
    }

    @Override
    public Poll<Void> poll(Context cx) {
        BatchSemaphore permits = channel.permits;
        Object hint = channel.hintBeforeClaim(); // before a ticket is claimed below
        int result;
        if (waiter == null) {
            if (message == null) {
                throw new IllegalStateException("a finished send was polled again");
            }
            if (!cx.consumeBudget()) {
                return Poll.pending();
            }
            long ticket = permits.tryAcquireTicket();
            if (ticket >= 0) {
                return sent(hint, (int) ticket, cx);
            }
            if (ticket == BatchSemaphore.CLOSED_TICKET) {
                message = null;
                throw Channel.closedForSending("send");
            }
            waiter = new Waiter();
            result = permits.enqueue(waiter, cx.waker());
        } else {
            result = permits.pollAcquire(waiter, cx);
        }
        switch (result) {
            case BatchSemaphore.ACQUIRED:
                return sent(hint, waiter.ticket, cx);
            case BatchSemaphore.CLOSED_RESULT:
                message = null;
                throw Channel.closedForSending("send");
            default:
                return Poll.pending();
        }
    }

    private Poll<Void> sent(Object hint, int ticket, Context cx) {
        T sent = message;
        message = null;
        channel.write(hint, ticket, sent, cx);
        return Poll.ready(null);
    }

    @Override
    public void cancel() {
        message = null;
        if (waiter != null) {
            channel.permits.cancel(waiter);
            channel.permitReturned();
        }
    }

    /** For tests: the phase of the wait node, or -1 if this send never waited. */
    int nodePhase() {
        return waiter == null ? -1 : waiter.phase;
    }

    @Override
    public String toString() {
        return "Channel.send(" + message + ")";
    }
}
