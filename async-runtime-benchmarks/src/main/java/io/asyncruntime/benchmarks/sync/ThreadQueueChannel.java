package io.asyncruntime.benchmarks.sync;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.IntFunction;

/**
 * A JDK {@link BlockingQueue} between platform threads: each producer thread {@code put}s, the
 * consumer thread {@code take}s. The threads live in a pool for the whole trial.
 */
final class ThreadQueueChannel implements ChannelPeer {

    private static final int MAX_PRODUCERS = 4;

    private final IntFunction<BlockingQueue<Object>> queues;
    private final ExecutorService threads = Executors.newFixedThreadPool(MAX_PRODUCERS + 1);

    ThreadQueueChannel(IntFunction<BlockingQueue<Object>> queues) {
        this.queues = queues;
    }

    @Override
    public long transfer(int producers, int messages, int capacity) throws Exception {
        BlockingQueue<Object> queue = queues.apply(capacity);
        int each = messages / producers;
        long total = (long) each * producers;
        List<Future<?>> started = new ArrayList<>();
        for (int p = 0; p < producers; p++) {
            started.add(threads.submit(() -> {
                for (int i = 0; i < each; i++) {
                    queue.put(MESSAGE);
                }
                return null;
            }));
        }
        Future<Long> consumer = threads.submit(() -> {
            long received = 0;
            while (received < total) {
                queue.take();
                received++;
            }
            return received;
        });
        long received = consumer.get(60, TimeUnit.SECONDS);
        for (Future<?> producer : started) {
            producer.get(60, TimeUnit.SECONDS);
        }
        return received;
    }

    @Override
    public void close() throws InterruptedException {
        threads.shutdownNow();
        threads.awaitTermination(10, TimeUnit.SECONDS);
    }
}
