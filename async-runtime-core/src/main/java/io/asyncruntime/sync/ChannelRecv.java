package io.asyncruntime.sync;

import io.asyncruntime.task.Context;
import io.asyncruntime.task.Poll;
import io.asyncruntime.task.Task;
import java.util.Optional;

/**
 * {@link Channel#recv()}: takes a message only in the poll that returns it. It owns the
 * receiver's registration while it waits (the channel notices a second receive waiting).
 */
final class ChannelRecv<T> implements Task<Optional<T>> {

    private final Channel<T> channel;

    ChannelRecv(Channel<T> channel) {
        this.channel = channel;
    }

    @Override
    @SuppressWarnings("unchecked")
    public Poll<Optional<T>> poll(Context cx) {
        Object next = channel.pollNext(this, cx);
        if (next == null) {
            return Poll.pending();
        }
        return Poll.ready(next == Channel.END ? Optional.empty() : Optional.of((T) next));
    }

    @Override
    public void cancel() {
        channel.deregisterReceiver(this);
    }

    @Override
    public String toString() {
        return "Channel.recv()";
    }
}
