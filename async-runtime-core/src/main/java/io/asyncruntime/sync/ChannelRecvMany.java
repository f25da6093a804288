package io.asyncruntime.sync;

import io.asyncruntime.task.Context;
import io.asyncruntime.task.Poll;
import io.asyncruntime.task.Task;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/** {@link Channel#recvMany}: waits for one message, then takes what is there, up to max. */
final class ChannelRecvMany<T> implements Task<List<T>> {

    /** The list starts at most this large; it grows if more messages are there. */
    private static final int INITIAL_LIST_CAPACITY = 16;

    private final Channel<T> channel;
    private final int max;

    ChannelRecvMany(Channel<T> channel, int max) {
        this.channel = channel;
        this.max = max;
    }

    @Override
    @SuppressWarnings("unchecked")
    public Poll<List<T>> poll(Context cx) {
        Object first = channel.pollNext(this, cx);
        if (first == null) {
            return Poll.pending();
        }
        if (first == Channel.END) {
            return Poll.ready(Collections.emptyList());
        }
        List<T> messages = new ArrayList<>(Math.min(max, INITIAL_LIST_CAPACITY));
        messages.add((T) first);
        channel.drainInto(messages, max, cx);
        return Poll.ready(messages);
    }

    @Override
    public void cancel() {
        channel.deregisterReceiver(this);
    }

    @Override
    public String toString() {
        return "Channel.recvMany(" + max + ")";
    }
}
