package io.asyncruntime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.asyncruntime.task.JoinHandle;
import io.asyncruntime.task.Task;
import io.asyncruntime.task.TaskCancelledException;
import io.asyncruntime.time.Clock;
import io.asyncruntime.time.TestClock;
import io.asyncruntime.time.Time;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The runtime's blocking pools: cap, keep-alive, backpressure, abort, bulkheads, shutdown. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class BlockingPoolTest {

    /** Bounds every wait inside blocking work, so a broken test fails instead of hanging. */
    private static final long GATE_SECONDS = 20;

    private final List<AsyncRuntime> runtimes = new ArrayList<>();
    /** Opened at the end of each test, so no blocked work outlives it. */
    private final CountDownLatch gate = new CountDownLatch(1);

    @AfterEach
    void closeAll() {
        gate.countDown();
        runtimes.forEach(AsyncRuntime::close);
    }

    private AsyncRuntime runtime(RuntimeBuilder builder) {
        AsyncRuntime runtime = builder.threadNamePrefix("bp").build();
        runtimes.add(runtime);
        return runtime;
    }

    private AsyncRuntime runtime() {
        return runtime(AsyncRuntime.builder().workerThreads(2));
    }

    private <T> T waitAtGate(T value) throws InterruptedException {
        if (!gate.await(GATE_SECONDS, TimeUnit.SECONDS)) {
            throw new IllegalStateException("gate never opened");
        }
        return value;
    }

    // ---- where the work runs -------------------------------------------------------------------

    @Test
    void workRunsOnABlockingThreadBoundToTheRuntime() throws Exception {
        AsyncRuntime runtime = runtime();
        long remoteBefore = runtime.metrics().remoteSpawns();
        JoinHandle<String> handle = runtime.spawnBlocking(() -> {
            assertThat(AsyncRuntime.current()).isSameAs(runtime);
            assertThat(Time.clock()).isNotNull();
            // A spawn from a blocking thread goes through the inject queue, like any outside spawn.
            int inner = runtime.spawn(() -> 20).get() + AsyncRuntime.current().spawn(() -> 22).get();
            assertThat(inner).isEqualTo(42);
            // blockOn is allowed here: this is not a worker; timers work on the runtime's clock.
            runtime.blockOn(Time.sleep(Duration.ofMillis(1)));
            return Thread.currentThread().getName();
        });
        assertThat(handle.get(10, TimeUnit.SECONDS)).matches("bp-blocking-\\d+");
        assertThat(runtime.metrics().remoteSpawns() - remoteBefore).isEqualTo(2);
        assertThat(runtime.metrics().blocking().defaultPool().completed()).isEqualTo(1);
    }

    @Test
    void aTaskAwaitsBlockingWorkWithoutBlockingItsWorker() {
        AsyncRuntime runtime = runtime(AsyncRuntime.builder().workerThreads(1));
        CountDownLatch started = new CountDownLatch(1);
        JoinHandle<Integer> waiting = runtime.spawn(Task.call(() -> AsyncRuntime.current().spawnBlocking(() -> {
            started.countDown();
            return waitAtGate(7);
        })).flatMap(h -> h).map(v -> v * 6));
        // The only worker is free while the blocking work runs: other tasks still run on it.
        assertThat(runtime.blockOn(runtime.spawn(() -> "free"))).isEqualTo("free");
        assertThat(waiting.isFinished()).isFalse();
        gate.countDown();
        assertThat(runtime.blockOn(waiting)).isEqualTo(42);
    }

    @Test
    void failuresGoToTheHandleAndTheThreadLivesOn() throws Exception {
        AsyncRuntime runtime = runtime(AsyncRuntime.builder().workerThreads(1).maxBlockingThreads(1));
        JoinHandle<Object> failing = runtime.spawnBlocking(() -> {
            throw new IOException("disk gone");
        });
        assertThatThrownBy(failing::get).isInstanceOf(ExecutionException.class).hasCauseInstanceOf(IOException.class);
        assertThat(runtime.spawnBlocking(() -> "after").get(10, TimeUnit.SECONDS)).isEqualTo("after");
    }

    @Test
    void oneTasksInterruptAndClassLoaderDoNotLeakIntoTheNext() throws Exception {
        AsyncRuntime runtime = runtime(AsyncRuntime.builder().workerThreads(1).maxBlockingThreads(1));
        ClassLoader original = runtime.spawnBlocking(() -> Thread.currentThread().getContextClassLoader()).get();
        runtime.spawnBlocking(() -> {
            Thread.currentThread().interrupt();
            Thread.currentThread().setContextClassLoader(new ClassLoader(null) { });
            return null;
        }).get(10, TimeUnit.SECONDS);
        assertThat(runtime.spawnBlocking(() -> Thread.currentThread().isInterrupted()).get()).isFalse();
        assertThat(runtime.spawnBlocking(() -> Thread.currentThread().getContextClassLoader()).get()).isSameAs(original);
        assertThat(runtime.metrics().blocking().defaultPool().threads()).isEqualTo(1);
    }

    // ---- cap and keep-alive --------------------------------------------------------------------

    @Test
    void theThreadCapHoldsUnderAFloodOfTenThousandCalls() throws Exception {
        AsyncRuntime runtime = runtime(AsyncRuntime.builder().workerThreads(2).maxBlockingThreads(8));
        AtomicInteger running = new AtomicInteger();
        AtomicInteger mostAtOnce = new AtomicInteger();
        List<JoinHandle<Integer>> handles = new ArrayList<>();
        for (int i = 0; i < 10_000; i++) {
            int n = i;
            handles.add(runtime.spawnBlocking(() -> {
                mostAtOnce.accumulateAndGet(running.incrementAndGet(), Math::max);
                try {
                    return n < 8 ? waitAtGate(n) : n; // the first eight hold their threads until all are queued
                } finally {
                    running.decrementAndGet();
                }
            }));
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> running.get() == 8);
        BlockingMetrics.Pool flooded = runtime.metrics().blocking().defaultPool();
        assertThat(flooded.threads()).isEqualTo(8);
        assertThat(flooded.idleThreads()).isZero();
        assertThat(flooded.queueDepth()).isEqualTo(10_000 - 8);
        gate.countDown();
        for (int i = 0; i < handles.size(); i++) {
            assertThat(handles.get(i).get(20, TimeUnit.SECONDS)).isEqualTo(i);
        }
        assertThat(mostAtOnce.get()).isEqualTo(8);
        BlockingMetrics.Pool after = runtime.metrics().blocking().defaultPool();
        assertThat(after.completed()).isEqualTo(10_000);
        assertThat(after.threads()).isLessThanOrEqualTo(8);
        assertThat(after.queueDepth()).isZero();
    }

    @Test
    void idleThreadsExitAfterTheKeepAlive() throws Exception {
        AsyncRuntime runtime = runtime(AsyncRuntime.builder().workerThreads(1)
                .maxBlockingThreads(4).blockingKeepAlive(Duration.ofMillis(100)));
        CountDownLatch allStarted = new CountDownLatch(4);
        List<JoinHandle<Integer>> handles = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            handles.add(runtime.spawnBlocking(() -> {
                allStarted.countDown();
                allStarted.await(GATE_SECONDS, TimeUnit.SECONDS); // four threads at once
                return 1;
            }));
        }
        for (JoinHandle<Integer> h : handles) {
            assertThat(h.get(10, TimeUnit.SECONDS)).isEqualTo(1);
        }
        assertThat(runtime.metrics().blocking().defaultPool().threads()).isPositive();
        await().atMost(Duration.ofSeconds(10)).until(() -> runtime.metrics().blocking().defaultPool().threads() == 0);
        assertThat(runtime.metrics().blocking().defaultPool().idleThreads()).isZero();
        // The pool starts threads again on demand.
        assertThat(runtime.spawnBlocking(() -> "again").get(10, TimeUnit.SECONDS)).isEqualTo("again");
    }

    @Test
    void anIdleThreadIsReusedRatherThanANewOneStarted() throws Exception {
        AsyncRuntime runtime = runtime();
        String first = runtime.spawnBlocking(() -> Thread.currentThread().getName()).get();
        for (int i = 0; i < 20; i++) {
            // The handle completes just before its thread goes idle: wait for that, then spawn.
            await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(1))
                    .until(() -> runtime.metrics().blocking().defaultPool().idleThreads() == 1);
            assertThat(runtime.spawnBlocking(() -> Thread.currentThread().getName()).get()).isEqualTo(first);
        }
        assertThat(runtime.metrics().blocking().defaultPool().threads()).isEqualTo(1);
    }

    // ---- backpressure and rejection -----------------------------------------------------------

    @Test
    void aFullPoolRejectsTrySpawnNamingTheLimitAndHoldsSpawnBlockingBackWithoutBlocking() throws Exception {
        AsyncRuntime runtime = runtime(AsyncRuntime.builder().workerThreads(1)
                .maxBlockingThreads(1).blockingQueueCapacity(2));
        List<Integer> order = new CopyOnWriteArrayList<>();
        JoinHandle<Integer> running = runtime.spawnBlocking(() -> waitAtGate(0));
        await().atMost(Duration.ofSeconds(10)).until(() -> runtime.metrics().blocking().defaultPool().idleThreads() == 0
                && runtime.metrics().blocking().defaultPool().threads() == 1);
        JoinHandle<Integer> q1 = runtime.trySpawnBlocking(() -> record(order, 1));
        JoinHandle<Integer> q2 = runtime.trySpawnBlocking(() -> record(order, 2));

        assertThatThrownBy(() -> runtime.trySpawnBlocking(() -> record(order, -1)))
                .isInstanceOf(RejectedExecutionException.class)
                .hasMessage("blocking pool \"default\" is full: all 1 threads (maxThreads) are busy and 2 tasks are queued (queueCapacity = 2)");
        assertThat(runtime.metrics().blocking().defaultPool().rejections()).isEqualTo(1);

        // spawnBlocking from a worker neither throws nor blocks it: the worker goes on, the work waits.
        JoinHandle<JoinHandle<Integer>> fromWorker = runtime.spawn(() -> AsyncRuntime.current().spawnBlocking(() -> record(order, 3)));
        JoinHandle<Integer> waiting = fromWorker.get(10, TimeUnit.SECONDS);
        JoinHandle<Integer> waiting2 = runtime.spawnBlocking(() -> record(order, 4));
        BlockingMetrics.Pool full = runtime.metrics().blocking().defaultPool();
        assertThat(full.queueDepth()).isEqualTo(2);
        assertThat(full.waitingForRoom()).isEqualTo(2);
        assertThat(waiting.isFinished()).isFalse();

        gate.countDown();
        assertThat(running.get(10, TimeUnit.SECONDS)).isZero();
        assertThat(List.of(q1.get(10, TimeUnit.SECONDS), q2.get(), waiting.get(), waiting2.get())).containsExactly(1, 2, 3, 4);
        assertThat(order).containsExactly(1, 2, 3, 4); // work that waited for room kept its place
        assertThat(runtime.metrics().blocking().defaultPool().waitingForRoom()).isZero();
    }

    @Test
    void aZeroCapacityQueueRejectsAsSoonAsEveryThreadIsBusy() {
        AsyncRuntime runtime = runtime(AsyncRuntime.builder().workerThreads(1)
                .maxBlockingThreads(2).blockingQueueCapacity(0));
        runtime.trySpawnBlocking(() -> waitAtGate(1));
        runtime.trySpawnBlocking(() -> waitAtGate(2));
        assertThatThrownBy(() -> runtime.trySpawnBlocking(() -> 3))
                .isInstanceOf(RejectedExecutionException.class)
                .hasMessageContaining("all 2 threads (maxThreads) are busy")
                .hasMessageContaining("queueCapacity = 0");
    }

    private static int record(List<Integer> order, int n) {
        order.add(n);
        return n;
    }

    // ---- abort ---------------------------------------------------------------------------------

    @Test
    void abortingQueuedWorkCompletesItsHandleAtOnceAndTheWorkNeverStarts() throws Exception {
        AsyncRuntime runtime = runtime(AsyncRuntime.builder().workerThreads(1).maxBlockingThreads(1));
        JoinHandle<Integer> running = runtime.spawnBlocking(() -> waitAtGate(1));
        AtomicBoolean started = new AtomicBoolean();
        JoinHandle<Integer> queued = runtime.spawnBlocking(() -> {
            started.set(true);
            return 2;
        });
        JoinHandle<Integer> behind = runtime.spawnBlocking(() -> 3);
        assertThat(runtime.metrics().blocking().defaultPool().queueDepth()).isEqualTo(2);

        queued.abort();

        assertThat(queued.isFinished()).isTrue(); // at once: no thread had to get round to it
        assertThat(queued.isCancelled()).isTrue();
        assertThatThrownBy(queued::get).isInstanceOf(TaskCancelledException.class).hasMessageContaining("aborted");
        assertThat(runtime.metrics().blocking().defaultPool().queueDepth()).isEqualTo(1);
        gate.countDown();
        assertThat(running.get(10, TimeUnit.SECONDS)).isEqualTo(1);
        assertThat(behind.get(10, TimeUnit.SECONDS)).isEqualTo(3);
        assertThat(started).isFalse();
        assertThat(queued.cancel(true)).isFalse(); // already finished
    }

    @Test
    void abortingRunningWorkLetsItFinishWithoutInterruptingIt() throws Exception {
        AsyncRuntime runtime = runtime(AsyncRuntime.builder().workerThreads(1).maxBlockingThreads(1));
        CountDownLatch started = new CountDownLatch(1);
        AtomicBoolean interrupted = new AtomicBoolean();
        JoinHandle<String> running = runtime.spawnBlocking(() -> {
            started.countDown();
            waitAtGate(null);
            interrupted.set(Thread.currentThread().isInterrupted());
            return "finished";
        });
        assertThat(started.await(10, TimeUnit.SECONDS)).isTrue();
        running.abort();
        assertThat(running.isFinished()).isFalse();
        gate.countDown();
        assertThat(running.get(10, TimeUnit.SECONDS)).isEqualTo("finished");
        assertThat(interrupted).isFalse();
        assertThat(runtime.spawnBlocking(() -> "next").get(10, TimeUnit.SECONDS)).isEqualTo("next");
    }

    // ---- bulkheads -----------------------------------------------------------------------------

    @Test
    void oneNamedPoolsFloodNeverDelaysAnothersWork() throws Exception {
        AsyncRuntime runtime = runtime();
        BlockingPool jdbc = runtime.blockingPool("jdbc", BlockingLimits.defaults().maxThreads(2).queueCapacity(10));
        BlockingPool files = runtime.blockingPool("files", BlockingLimits.defaults().maxThreads(1).queueCapacity(1));
        List<JoinHandle<Integer>> flood = new ArrayList<>();
        CountDownLatch running = new CountDownLatch(2);
        for (int i = 0; i < 1_000; i++) {
            flood.add(jdbc.spawnBlocking(() -> {
                running.countDown();
                return waitAtGate(1);
            }));
        }
        // Both of jdbc's threads at the gate before the metrics are read: a pool starts its second
        // thread when its first one takes work, which a loaded box may not have run yet (the
        // metrics then read one thread; seen once by review31).
        assertThat(running.await(10, TimeUnit.SECONDS)).as("jdbc's two threads running").isTrue();
        assertThatThrownBy(() -> jdbc.trySpawnBlocking(() -> 0)).isInstanceOf(RejectedExecutionException.class)
                .hasMessageStartingWith("blocking pool \"jdbc\" is full");
        // The other pools run at once, on their own threads.
        assertThat(files.spawnBlocking(() -> Thread.currentThread().getName()).get(10, TimeUnit.SECONDS))
                .startsWith("bp-blocking-files-");
        assertThat(files.trySpawnBlocking(() -> "room").get(10, TimeUnit.SECONDS)).isEqualTo("room");
        assertThat(runtime.spawnBlocking(() -> "default").get(10, TimeUnit.SECONDS)).isEqualTo("default");

        BlockingMetrics metrics = runtime.metrics().blocking();
        assertThat(metrics.pools()).extracting(BlockingMetrics.Pool::name).containsExactly("default", "jdbc", "files");
        BlockingMetrics.Pool jdbcMetrics = metrics.pool("jdbc").orElseThrow();
        assertThat(jdbcMetrics.threads()).isEqualTo(2);
        assertThat(jdbcMetrics.queueDepth()).isEqualTo(10);
        assertThat(jdbcMetrics.waitingForRoom()).isEqualTo(1_000 - 2 - 10);
        assertThat(jdbcMetrics.rejections()).isEqualTo(1);
        assertThat(metrics.pool("files").orElseThrow().completed()).isEqualTo(2);
        assertThat(jdbc.metrics().maxThreads()).isEqualTo(2);

        gate.countDown();
        for (JoinHandle<Integer> h : flood) {
            assertThat(h.get(20, TimeUnit.SECONDS)).isEqualTo(1);
        }
    }

    @Test
    void aNamedPoolIsCreatedOnceAndItsNameAndLimitsAreChecked() {
        AsyncRuntime runtime = runtime();
        BlockingLimits limits = BlockingLimits.defaults().maxThreads(3);
        BlockingPool first = runtime.blockingPool("cache", limits);
        assertThat(runtime.blockingPool("cache", BlockingLimits.defaults().maxThreads(3)).name()).isEqualTo(first.name());
        assertThat(runtime.metrics().blocking().pools()).hasSize(2);
        assertThatThrownBy(() -> runtime.blockingPool("cache", limits.queueCapacity(5)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("blocking pool \"cache\" already exists with other limits");
        assertThatThrownBy(() -> runtime.blockingPool("default", limits))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("the runtime's own pool");
        assertThatThrownBy(() -> runtime.blockingPool(" ", limits))
                .hasMessage("blockingPool name must be a non-blank string, got \" \"");
        assertThatThrownBy(() -> runtime.blockingPool(null, limits))
                .hasMessage("blockingPool name must be a non-blank string, got null");
        assertThatThrownBy(() -> runtime.blockingPool("x", null)).isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> runtime.spawnBlocking(null)).isInstanceOf(NullPointerException.class);
    }

    // ---- virtual threads -----------------------------------------------------------------------

    @Test
    void aVirtualThreadPoolRunsEachTaskOnAVirtualThreadUnderItsCap() throws Exception {
        if (Runtime.version().feature() < 21) {
            assertThatThrownBy(() -> BlockingLimits.defaults().virtualThreads(true))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageStartingWith("virtualThreads(true) needs Java 21 or later");
            return;
        }
        AsyncRuntime runtime = runtime();
        BlockingPool pool = runtime.blockingPool("vt", BlockingLimits.defaults().maxThreads(4).virtualThreads(true));
        AtomicReference<String> where = new AtomicReference<>();
        assertThat(pool.spawnBlocking(() -> {
            where.set(Thread.currentThread().getName() + " " + Thread.currentThread().getClass().getSimpleName());
            return AsyncRuntime.current() == runtime;
        }).get(10, TimeUnit.SECONDS)).isTrue();
        assertThat(where.get()).startsWith("bp-blocking-vt-").endsWith("VirtualThread");

        AtomicInteger running = new AtomicInteger();
        AtomicInteger mostAtOnce = new AtomicInteger();
        List<JoinHandle<Integer>> handles = new ArrayList<>();
        for (int i = 0; i < 2_000; i++) {
            int n = i;
            handles.add(pool.spawnBlocking(() -> {
                mostAtOnce.accumulateAndGet(running.incrementAndGet(), Math::max);
                try {
                    return n < 4 ? waitAtGate(n) : n;
                } finally {
                    running.decrementAndGet();
                }
            }));
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> running.get() == 4);
        assertThat(pool.metrics().threads()).isEqualTo(4);
        assertThat(pool.metrics().queueDepth()).isEqualTo(2_000 - 4);
        gate.countDown();
        for (int i = 0; i < handles.size(); i++) {
            assertThat(handles.get(i).get(20, TimeUnit.SECONDS)).isEqualTo(i);
        }
        assertThat(mostAtOnce.get()).isEqualTo(4);
        await().atMost(Duration.ofSeconds(10)).until(() -> pool.metrics().threads() == 0); // none idles
    }

    // ---- paused clock --------------------------------------------------------------------------

    @Test
    void blockingWorkInFlightKeepsAPausedClockFromJumping() {
        TestClock clock = Clock.paused();
        AsyncRuntime runtime = runtime(AsyncRuntime.builder().workerThreads(2).clock(clock));
        Instant start = clock.instant();
        // Without the inhibition every worker is idle while the work runs, and auto-advance would
        // jump the clock to the timeout at once.
        String result = runtime.blockOn(Time.timeout(Duration.ofSeconds(1),
                Task.call(() -> AsyncRuntime.current().spawnBlocking(() -> {
                    Thread.sleep(50); // real blocking work, the point of the test
                    return "done";
                })).flatMap(h -> h)));
        assertThat(result).isEqualTo("done");
        assertThat(clock.instant()).isEqualTo(start);
        // Once it finished, the clock jumps again when everything is idle.
        runtime.blockOn(Time.sleep(Duration.ofHours(1)));
        assertThat(clock.instant()).isAfterOrEqualTo(start.plus(Duration.ofHours(1)));
    }

    // ---- shutdown ------------------------------------------------------------------------------

    @Test
    void closeCancelsQueuedWorkAndGivesRunningWorkTheRestOfTheTimeout() throws Exception {
        AsyncRuntime runtime = runtime(AsyncRuntime.builder().workerThreads(1).maxBlockingThreads(1)
                .shutdownTimeout(Duration.ofMillis(200)));
        CountDownLatch started = new CountDownLatch(1);
        JoinHandle<String> running = runtime.spawnBlocking(() -> {
            started.countDown();
            return waitAtGate("ran");
        });
        JoinHandle<String> queued = runtime.spawnBlocking(() -> "never");
        BlockingPool named = runtime.blockingPool("named", BlockingLimits.defaults().maxThreads(1));
        JoinHandle<String> namedDone = named.spawnBlocking(() -> "quick");
        assertThat(namedDone.get(10, TimeUnit.SECONDS)).isEqualTo("quick");
        assertThat(started.await(10, TimeUnit.SECONDS)).isTrue();

        long before = System.nanoTime();
        runtime.close();
        long tookMillis = (System.nanoTime() - before) / 1_000_000;

        assertThat(tookMillis).isBetween(150L, 5_000L); // waited for the running work, up to the timeout
        assertThat(queued.isCancelled()).isTrue();
        assertThatThrownBy(queued::get).isInstanceOf(TaskCancelledException.class).hasMessageContaining("shut down");
        assertThat(running.isFinished()).isFalse();
        assertThatThrownBy(() -> runtime.spawnBlocking(() -> 1)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("closed");
        assertThatThrownBy(() -> named.spawnBlocking(() -> 1)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("shut down");
        assertThatThrownBy(() -> runtime.blockingPool("late", BlockingLimits.defaults()))
                .isInstanceOf(IllegalStateException.class);
        gate.countDown();
        assertThat(running.get(10, TimeUnit.SECONDS)).isEqualTo("ran"); // every handle completes
        await().atMost(Duration.ofSeconds(10)).until(() -> runtime.metrics().blocking().defaultPool().threads() == 0);
    }

    @Test
    void theShutdownHookReportsWorkStillRunningAtItsDeadline() throws Exception {
        AsyncRuntime runtime = runtime(AsyncRuntime.builder().workerThreads(1).maxBlockingThreads(2));
        CountDownLatch started = new CountDownLatch(2);
        for (int i = 0; i < 2; i++) {
            runtime.spawnBlocking(() -> {
                started.countDown();
                return waitAtGate(1);
            });
        }
        assertThat(started.await(10, TimeUnit.SECONDS)).isTrue();
        assertThat(runtime.shutdownBlockingPools(System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(20))).isEqualTo(2);
        gate.countDown();
        assertThat(runtime.shutdownBlockingPools(System.nanoTime() + TimeUnit.SECONDS.toNanos(10))).isZero();
    }

    @Test
    void closeFromBlockingWorkDoesNotWaitForItself() throws Exception {
        AsyncRuntime runtime = runtime(AsyncRuntime.builder().workerThreads(1).shutdownTimeout(Duration.ofSeconds(30)));
        JoinHandle<Long> closer = runtime.spawnBlocking(() -> {
            long before = System.nanoTime();
            runtime.close();
            return (System.nanoTime() - before) / 1_000_000;
        });
        assertThat(closer.get(20, TimeUnit.SECONDS)).isLessThan(10_000L);
        // As from a task, the shutdown goes on on a thread of its own (review9b).
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(20)).until(runtime::isClosed);
    }

    // ---- bad input -----------------------------------------------------------------------------

    @Test
    void everyBlockingBuilderArgumentOutOfRangeIsRejectedWithItsRange() {
        assertThatThrownBy(() -> AsyncRuntime.builder().maxBlockingThreads(0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("maxBlockingThreads must be between 1 and 1000000, got 0");
        assertThatThrownBy(() -> AsyncRuntime.builder().maxBlockingThreads(1_000_001))
                .hasMessage("maxBlockingThreads must be between 1 and 1000000, got 1000001");
        assertThatThrownBy(() -> AsyncRuntime.builder().blockingQueueCapacity(-1))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("blockingQueueCapacity must be between 0 and 2147483647, got -1");
        assertThatThrownBy(() -> AsyncRuntime.builder().blockingKeepAlive(Duration.ZERO))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("blockingKeepAlive must be between 1 ms and 1 day (PT1MS to PT24H), got PT0S");
        assertThatThrownBy(() -> AsyncRuntime.builder().blockingKeepAlive(Duration.ofDays(2)))
                .hasMessage("blockingKeepAlive must be between 1 ms and 1 day (PT1MS to PT24H), got PT48H");
        assertThatThrownBy(() -> AsyncRuntime.builder().blockingKeepAlive(null))
                .hasMessage("blockingKeepAlive must be between 1 ms and 1 day (PT1MS to PT24H), got null");
        // The edges are accepted.
        AsyncRuntime.builder().maxBlockingThreads(1).maxBlockingThreads(1_000_000).blockingQueueCapacity(0)
                .blockingKeepAlive(Duration.ofMillis(1)).blockingKeepAlive(Duration.ofDays(1));
    }

    @Test
    void everyBlockingLimitOutOfRangeIsRejectedWithItsRange() {
        BlockingLimits limits = BlockingLimits.defaults();
        assertThatThrownBy(() -> limits.maxThreads(0))
                .hasMessage("maxThreads must be between 1 and 1000000, got 0");
        assertThatThrownBy(() -> limits.queueCapacity(-3))
                .hasMessage("queueCapacity must be between 0 and 2147483647, got -3");
        assertThatThrownBy(() -> limits.keepAlive(Duration.ofNanos(999_999)))
                .hasMessage("keepAlive must be between 1 ms and 1 day (PT1MS to PT24H), got PT0.000999999S");
        assertThat(limits).isEqualTo(BlockingLimits.defaults());
        assertThat(limits.maxThreads()).isEqualTo(512);
        assertThat(limits.queueCapacity()).isEqualTo(10_000);
        assertThat(limits.keepAlive()).isEqualTo(Duration.ofSeconds(10));
        assertThat(limits.virtualThreads()).isFalse();
    }
}
