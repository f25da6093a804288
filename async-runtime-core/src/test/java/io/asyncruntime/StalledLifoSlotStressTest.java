package io.asyncruntime;

import static org.assertj.core.api.Assertions.assertThat;

import io.asyncruntime.task.JoinHandle;
import io.asyncruntime.task.Task;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The owner of a LIFO slot and a thief of a stalled worker race for the same task. With a 1 ms
 * stall threshold (the detector samples every 250 us), each round's task puts a child in its
 * worker's LIFO slot and then spins in its poll for 0.5 to 2.25 ms, so the detector marks some
 * polls stalled just as they end, while the owner is about to take the child back, and others
 * well before: the other worker, parked because there is nothing else to do, is woken by the
 * mark and comes for the slot. Rounds run one at a time, so that a thief is free. Bounded (400
 * rounds, about 1 s); every child must run exactly once, and some must have been taken by the
 * thief, or the race was never run.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class StalledLifoSlotStressTest {

    private static final int ROUNDS = 400;

    @Test
    void aChildInAStalledWorkersLifoSlotRunsExactlyOnce() throws Exception {
        AtomicInteger[] runs = new AtomicInteger[ROUNDS];
        AtomicInteger ranOnAnotherWorker = new AtomicInteger();
        try (AsyncRuntime runtime = AsyncRuntime.builder().workerThreads(2).stallThreshold(Duration.ofMillis(1))
                .threadNamePrefix("lifo-stress").build()) {
            for (int i = 0; i < ROUNDS; i++) {
                int n = i;
                runs[n] = new AtomicInteger();
                long spinNanos = TimeUnit.MICROSECONDS.toNanos(500 + 250 * (i % 8));
                JoinHandle<JoinHandle<Integer>> parent = runtime.spawn(Task.call(() -> {
                    Thread owner = Thread.currentThread();
                    JoinHandle<Integer> child = AsyncRuntime.current().spawn(() -> {
                        runs[n].incrementAndGet();
                        if (Thread.currentThread() != owner) {
                            ranOnAnotherWorker.incrementAndGet(); // only a thief of the slot runs it elsewhere
                        }
                        return n;
                    }); // into this worker's LIFO slot
                    long until = System.nanoTime() + spinNanos;
                    while (System.nanoTime() < until) {
                        Thread.onSpinWait(); // stay in the poll: the detector marks it, a thief may come
                    }
                    return child;
                }));
                assertThat(parent.get(20, TimeUnit.SECONDS).get(20, TimeUnit.SECONDS)).isEqualTo(n);
            }
            for (AtomicInteger r : runs) {
                assertThat(r.get()).isEqualTo(1);
            }
            assertThat(runtime.metrics().blocking().stalls()).isPositive();
            assertThat(ranOnAnotherWorker.get()).as("children taken from a stalled worker's LIFO slot").isPositive();
            assertThat(runtime.metrics().aliveTasks()).isZero();
            System.err.println("StalledLifoSlotStressTest: " + ranOnAnotherWorker.get() + " of " + ROUNDS
                    + " children taken from a stalled LIFO slot, " + runtime.metrics().blocking().stalls() + " stalls");
        }
    }
}
