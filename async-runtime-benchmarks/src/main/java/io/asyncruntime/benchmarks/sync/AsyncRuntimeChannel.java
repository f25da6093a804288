package io.asyncruntime.benchmarks.sync;

import io.asyncruntime.AsyncRuntime;
import io.asyncruntime.sync.Channel;
import io.asyncruntime.task.Context;
import io.asyncruntime.task.JoinHandle;
import io.asyncruntime.task.Poll;
import io.asyncruntime.task.Task;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * This runtime's bounded {@link Channel}: producers and the consumer are leaf tasks (what a
 * {@code Task.loop} of {@code send}s compiles down to, without the loop's own allocations) on a
 * 2-worker runtime, spawned from the benchmark thread.
 */
final class AsyncRuntimeChannel implements ChannelPeer {

    private final AsyncRuntime runtime = AsyncRuntime.builder().workerThreads(2).build();

    @Override
    public long transfer(int producers, int messages, int capacity) throws Exception {
        Channel<Object> channel = Channel.bounded(capacity);
        int each = messages / producers;
        for (int p = 0; p < producers; p++) {
            runtime.spawn(new Producer(channel, each));
        }
        JoinHandle<Long> consumer = runtime.spawn(new Consumer(channel, (long) each * producers));
        return consumer.get(60, TimeUnit.SECONDS);
    }

    @Override
    public void close() {
        runtime.close();
    }

    /** Sends {@code count} messages, one {@code send} at a time. */
    static final class Producer implements Task<Void> {
        private final Channel<Object> channel;
        private int left;
        private Task<Void> send;

        Producer(Channel<Object> channel, int count) {
            this.channel = channel;
            this.left = count;
        }

        @Override
        public Poll<Void> poll(Context cx) throws Exception {
            for (;;) {
                if (send == null) {
                    if (left == 0) {
                        return Poll.ready(null);
                    }
                    send = channel.send(MESSAGE);
                }
                if (send.poll(cx).isPending()) {
                    return Poll.pending();
                }
                send = null;
                left--;
            }
        }
    }

    /** Receives {@code count} messages, one {@code recv} at a time. */
    static final class Consumer implements Task<Long> {
        private final Channel<Object> channel;
        private final long count;
        private long received;
        private Task<Optional<Object>> recv;

        Consumer(Channel<Object> channel, long count) {
            this.channel = channel;
            this.count = count;
        }

        @Override
        public Poll<Long> poll(Context cx) throws Exception {
            for (;;) {
                if (received == count) {
                    return Poll.ready(received);
                }
                if (recv == null) {
                    recv = channel.recv();
                }
                Poll<Optional<Object>> polled = recv.poll(cx);
                if (polled.isPending()) {
                    return Poll.pending();
                }
                recv = null;
                if (polled.value().isEmpty()) {
                    throw new IllegalStateException("channel closed after " + received + " messages");
                }
                received++;
            }
        }
    }
}
