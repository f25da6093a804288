package io.asyncruntime.sync;

import io.asyncruntime.task.Context;
import io.asyncruntime.task.Poll;
import io.asyncruntime.task.Task;

/**
 * {@link Channel#send}: waits for room (its own node in the permit queue); the poll that gets the
 * room also claims the message's position and writes it. A cancel before that poll gives the room
 * (or its place in the queue) back, so a cancelled send never delivers.
 */
final class ChannelSend<T> extends BatchSemaphore.Acquirer implements Task<Void> {

    private final Channel<T> channel;
    private T message;

    ChannelSend(Channel<T> channel, T message) {
        super(1, true);
        this.channel = channel;
        this.message = message;
    }

    @Override
    public Poll<Void> poll(Context cx) {
        Object hint = channel.hintBeforeClaim(); // before the ticket is claimed in pollAcquire
        switch (channel.permits.pollAcquire(this, cx)) {
            case BatchSemaphore.ACQUIRED:
                T sent = message;
                message = null;
                channel.write(hint, ticket, sent);
                return Poll.ready(null);
            case BatchSemaphore.CLOSED_RESULT:
                message = null;
                throw Channel.closedForSending("send");
            default:
                return Poll.pending();
        }
    }

    @Override
    public void cancel() {
        message = null;
        channel.permits.cancel(this);
        channel.permitReturned();
    }

    @Override
    public String toString() {
        return "Channel.send(" + message + ")";
    }
}
