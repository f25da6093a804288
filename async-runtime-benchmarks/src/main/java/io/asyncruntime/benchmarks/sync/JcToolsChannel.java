package io.asyncruntime.benchmarks.sync;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.jctools.queues.MpscArrayQueue;

/**
 * JCTools' {@link MpscArrayQueue} between platform threads with the blocking wrapper its users
 * write: the consumer drains, spins briefly when the queue is empty, then announces that it parks,
 * re-checks, and parks; a producer unparks it after an offer when it announced so, and yields while
 * the queue is full (JCTools has no blocking offer). The announce/re-check pair and the producer's
 * offer-then-read are a Dekker handshake on two volatile fields, so no wake-up is lost.
 */
final class JcToolsChannel implements ChannelPeer {

    private static final int MAX_PRODUCERS = 4;
    /** Empty polls before the consumer parks: a few microseconds, as such wrappers usually spin. */
    private static final int SPINS_BEFORE_PARK = 256;

    private final ExecutorService threads = Executors.newFixedThreadPool(MAX_PRODUCERS + 1);

    @Override
    public long transfer(int producers, int messages, int capacity) throws Exception {
        Handoff handoff = new Handoff(new MpscArrayQueue<>(capacity));
        int each = messages / producers;
        long total = (long) each * producers;
        Future<Long> consumer = threads.submit(() -> handoff.consume(total));
        List<Future<?>> started = new ArrayList<>();
        for (int p = 0; p < producers; p++) {
            started.add(threads.submit(() -> {
                for (int i = 0; i < each; i++) {
                    handoff.produce(MESSAGE);
                }
                return null;
            }));
        }
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

    /** The queue plus the consumer's park flag. */
    private static final class Handoff {
        private final MpscArrayQueue<Object> queue;
        private volatile Thread consumer;
        private volatile boolean parked;

        Handoff(MpscArrayQueue<Object> queue) {
            this.queue = queue;
        }

        void produce(Object message) {
            while (!queue.offer(message)) {
                Thread.yield();
            }
            if (parked) {
                parked = false;
                LockSupport.unpark(consumer);
            }
        }

        long consume(long total) {
            consumer = Thread.currentThread();
            long received = 0;
            int idle = 0;
            while (received < total) {
                if (queue.relaxedPoll() != null) {
                    received++;
                    idle = 0;
                } else if (++idle < SPINS_BEFORE_PARK) {
                    Thread.onSpinWait();
                } else {
                    parked = true;
                    if (queue.isEmpty()) {
                        LockSupport.park(this);
                    }
                    parked = false;
                    idle = 0;
                }
            }
            return received;
        }
    }
}
