package io.asyncruntime.sync;

import io.asyncruntime.task.Context;
import io.asyncruntime.task.Poll;
import io.asyncruntime.task.Task;

/** {@link Channel#closed()}: ready once the channel is closed. */
final class ChannelClosedWait implements Task<Void> {
    private final Channel<?> channel;
    private final Task<Void> notified;

    ChannelClosedWait(Channel<?> channel, Task<Void> notified) {
        this.channel = channel;
        this.notified = notified;
    }

    @Override
    public Poll<Void> poll(Context cx) throws Exception {
        if (channel.isClosed()) {
            notified.cancel();
            return Poll.ready(null);
        }
        return notified.poll(cx); // only close() notifies
    }

    @Override
    public void cancel() {
        notified.cancel();
    }
}
