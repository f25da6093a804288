package io.asyncruntime.benchmarks.sync;

import io.asyncruntime.AsyncRuntime;
import io.asyncruntime.RuntimeMetrics;
import io.asyncruntime.sync.Channel;
import io.asyncruntime.task.Context;
import io.asyncruntime.task.JoinHandle;
import io.asyncruntime.task.Poll;
import io.asyncruntime.task.Task;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;

/**
 * Explains a {@link ChannelBenchmark} number with counts: runs the benchmark's workload (the same
 * leaf-task producers and consumer, on a 2-worker runtime) and prints, per 1,000,000 messages, how
 * many polls of a send or a receive returned pending (a wait, or a budget-forced yield, which the
 * runtime counts apart), the producers' and consumer's polls, steals, parks and forced yields. Not
 * a benchmark; a tool for reading one.
 * {@code java -cp … io.asyncruntime.benchmarks.sync.ChannelCounters <producers> <rounds>}
 */
public final class ChannelCounters {
    static final LongAdder sendWaits = new LongAdder();
    static final LongAdder recvWaits = new LongAdder();
    static final LongAdder producerPolls = new LongAdder();
    static final LongAdder consumerPolls = new LongAdder();

    private ChannelCounters() {
    }

    /** Arguments: producers (1 or 4 in the benchmark), rounds of 1,000,000 messages. */
    public static void main(String[] args) throws Exception {
        int producers = Integer.parseInt(args[0]);
        int rounds = Integer.parseInt(args[1]);
        int messages = 1_000_000;
        try (AsyncRuntime runtime = AsyncRuntime.builder().workerThreads(2).build()) {
            for (int r = 0; r < rounds; r++) {
                sendWaits.reset(); recvWaits.reset(); producerPolls.reset(); consumerPolls.reset();
                RuntimeMetrics before = runtime.metrics();
                long start = System.nanoTime();
                Channel<Object> channel = Channel.bounded(1024);
                int each = messages / producers;
                for (int p = 0; p < producers; p++) {
                    runtime.spawn(new Producer(channel, each));
                }
                JoinHandle<Long> consumer = runtime.spawn(new Consumer(channel, (long) each * producers));
                consumer.get(60, TimeUnit.SECONDS);
                long nanos = System.nanoTime() - start;
                RuntimeMetrics after = runtime.metrics();
                System.out.printf(Locale.ROOT, "%d->1 %6.2f M/s  sends pending %6d  recvs pending %6d  producer polls %6d  consumer polls %6d  steals %d parks %d forcedYields %d%n",
                        producers, messages * 1e3 / nanos, sendWaits.sum(), recvWaits.sum(), producerPolls.sum(), consumerPolls.sum(),
                        after.totalSteals() - before.totalSteals(), after.totalParks() - before.totalParks(),
                        after.budgetForcedYields() - before.budgetForcedYields());
            }
        }
    }

    static final class Producer implements Task<Void> {
        private final Channel<Object> channel;
        private int left;
        private Task<Void> send;
        private long waits, polls;

        Producer(Channel<Object> channel, int count) { this.channel = channel; this.left = count; }

        @Override
        public Poll<Void> poll(Context cx) throws Exception {
            polls++;
            for (;;) {
                if (send == null) {
                    if (left == 0) {
                        sendWaits.add(waits); producerPolls.add(polls);
                        return Poll.ready(null);
                    }
                    send = channel.send(ChannelPeer.MESSAGE);
                }
                if (send.poll(cx).isPending()) {
                    waits++;
                    return Poll.pending();
                }
                send = null;
                left--;
            }
        }
    }

    static final class Consumer implements Task<Long> {
        private final Channel<Object> channel;
        private final long count;
        private long received, waits, polls;
        private Task<Optional<Object>> recv;

        Consumer(Channel<Object> channel, long count) { this.channel = channel; this.count = count; }

        @Override
        public Poll<Long> poll(Context cx) throws Exception {
            polls++;
            for (;;) {
                if (received == count) {
                    recvWaits.add(waits); consumerPolls.add(polls);
                    return Poll.ready(received);
                }
                if (recv == null) {
                    recv = channel.recv();
                }
                Poll<Optional<Object>> polled = recv.poll(cx);
                if (polled.isPending()) {
                    waits++;
                    return Poll.pending();
                }
                recv = null;
                received++;
            }
        }
    }
}
