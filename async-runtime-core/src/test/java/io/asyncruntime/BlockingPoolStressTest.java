package io.asyncruntime;

import static org.assertj.core.api.Assertions.assertThat;

import io.asyncruntime.task.JoinHandle;
import io.asyncruntime.task.TaskCancelledException;
import io.asyncruntime.time.Clock;
import io.asyncruntime.time.TestClock;
import io.asyncruntime.time.Time;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Spawns, try-spawns, aborts and a shutdown racing from several threads (bounded: 4 × 2,000
 * operations): every handle completes, each task runs at most once and an aborted one never after
 * its abort took it out of the queue, the counters add up, and the paused clock's inhibition is
 * released exactly once per task (a leak would keep it from ever jumping again).
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class BlockingPoolStressTest {

    private static final int SUBMITTERS = 4;
    private static final int OPERATIONS = 2_000;

    @Test
    void racingSpawnsAbortsAndRejectionsLeaveEveryHandleCompleteAndTheCountersRight() throws Exception {
        TestClock clock = Clock.paused();
        try (AsyncRuntime runtime = AsyncRuntime.builder().workerThreads(2).clock(clock)
                .maxBlockingThreads(3).blockingQueueCapacity(16).blockingKeepAlive(Duration.ofMillis(2)).build()) {
            AtomicInteger[] runs = new AtomicInteger[SUBMITTERS * OPERATIONS];
            List<List<JoinHandle<Integer>>> handles = submitFromThreads(runtime, runs, () -> { });
            int accepted = 0;
            for (List<JoinHandle<Integer>> mine : handles) {
                for (JoinHandle<Integer> h : mine) {
                    accepted++;
                    assertFinishedCorrectly(h, runs);
                }
            }
            for (AtomicInteger r : runs) {
                assertThat(r == null ? 0 : r.get()).isLessThanOrEqualTo(1);
            }
            BlockingMetrics.Pool pool = runtime.metrics().blocking().defaultPool();
            assertThat(pool.completed()).isEqualTo(accepted);
            assertThat(pool.queueDepth() + pool.waitingForRoom()).isZero();
            assertThat(pool.completed() + pool.rejections()).isEqualTo((long) SUBMITTERS * OPERATIONS);
            // Every inhibition was released: the idle runtime's paused clock jumps an hour at once.
            runtime.blockOn(Time.sleep(Duration.ofHours(1)));
        }
    }

    @Test
    void aShutdownRacingSpawnsCompletesEveryAcceptedHandle() throws Exception {
        AsyncRuntime runtime = AsyncRuntime.builder().workerThreads(2).maxBlockingThreads(3).blockingQueueCapacity(16)
                .shutdownTimeout(Duration.ofSeconds(10)).build();
        AtomicInteger[] runs = new AtomicInteger[SUBMITTERS * OPERATIONS];
        CountDownLatch halfway = new CountDownLatch(1);
        Thread closer = new Thread(() -> {
            try {
                halfway.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            runtime.close();
        });
        closer.start();
        List<List<JoinHandle<Integer>>> handles = submitFromThreads(runtime, runs, halfway::countDown);
        closer.join(TimeUnit.SECONDS.toMillis(20));
        assertThat(closer.isAlive()).isFalse();
        for (List<JoinHandle<Integer>> mine : handles) {
            for (JoinHandle<Integer> h : mine) {
                assertFinishedCorrectly(h, runs);
            }
        }
        assertThat(runtime.shutdownBlockingPools(System.nanoTime() + TimeUnit.SECONDS.toNanos(10))).isZero();
        assertThat(runtime.metrics().blocking().defaultPool().threads()).isZero();
    }

    private static void assertFinishedCorrectly(JoinHandle<Integer> h, AtomicInteger[] runs) throws Exception {
        try {
            int id = h.get(20, TimeUnit.SECONDS);
            assertThat(runs[id].get()).isEqualTo(1);
        } catch (TaskCancelledException cancelled) {
            assertThat(h.isCancelled()).isTrue();
        } catch (ExecutionException e) {
            throw new AssertionError("blocking work failed", e);
        }
    }

    /** Each submitter spawns or try-spawns {@link #OPERATIONS} tasks and aborts about one in five. */
    private static List<List<JoinHandle<Integer>>> submitFromThreads(AsyncRuntime runtime, AtomicInteger[] runs,
                                                                     Runnable atHalfway) throws InterruptedException {
        List<List<JoinHandle<Integer>>> handles = new ArrayList<>();
        List<Thread> threads = new ArrayList<>();
        for (int t = 0; t < SUBMITTERS; t++) {
            List<JoinHandle<Integer>> mine = new ArrayList<>();
            handles.add(mine);
            int submitter = t;
            threads.add(new Thread(() -> {
                SplittableRandom random = new SplittableRandom(submitter);
                for (int i = 0; i < OPERATIONS; i++) {
                    if (submitter == 0 && i == OPERATIONS / 2) {
                        atHalfway.run();
                    }
                    int id = submitter * OPERATIONS + i;
                    runs[id] = new AtomicInteger();
                    try {
                        JoinHandle<Integer> h = random.nextBoolean()
                                ? runtime.spawnBlocking(() -> work(runs, id))
                                : runtime.trySpawnBlocking(() -> work(runs, id));
                        mine.add(h);
                        if (random.nextInt(5) == 0) {
                            h.abort();
                        }
                    } catch (RejectedExecutionException | IllegalStateException fullOrClosed) {
                        // counted by the pool (rejection) or the runtime is closing
                    }
                }
            }));
        }
        threads.forEach(Thread::start);
        for (Thread thread : threads) {
            thread.join(TimeUnit.SECONDS.toMillis(30));
            assertThat(thread.isAlive()).isFalse();
        }
        return handles;
    }

    private static int work(AtomicInteger[] runs, int id) {
        runs[id].incrementAndGet();
        if ((id & 7) == 0) {
            Thread.yield();
        }
        return id;
    }
}
