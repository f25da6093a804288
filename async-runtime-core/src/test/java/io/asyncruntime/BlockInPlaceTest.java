package io.asyncruntime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.asyncruntime.task.JoinHandle;
import io.asyncruntime.task.Task;
import io.asyncruntime.time.Clock;
import io.asyncruntime.time.TestClock;
import io.asyncruntime.time.Time;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** {@code AsyncRuntime.blockInPlace}: the worker's duties move to a new thread while this one blocks. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class BlockInPlaceTest {

    private AsyncRuntime runtime;

    @AfterEach
    void close() {
        if (runtime != null) {
            runtime.close();
        }
    }

    @Test
    void onAOneWorkerRuntimeTasksSpawnedMeanwhileCompleteBeforeItReturns() throws Exception {
        runtime = AsyncRuntime.builder().workerThreads(1).threadNamePrefix("bip").build();
        CountDownLatch blocking = new CountDownLatch(1);
        CountDownLatch othersDone = new CountDownLatch(100);
        AtomicReference<String> blockedOn = new AtomicReference<>();
        JoinHandle<Boolean> blocker = runtime.spawn(() -> AsyncRuntime.blockInPlace(() -> {
            blockedOn.set(Thread.currentThread().getName());
            blocking.countDown();
            // Blocks until the other tasks have run: only possible if someone else runs the worker.
            return othersDone.await(20, TimeUnit.SECONDS);
        }));
        assertThat(blocking.await(10, TimeUnit.SECONDS)).isTrue();
        List<JoinHandle<String>> others = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            others.add(runtime.spawn(() -> {
                othersDone.countDown();
                return Thread.currentThread().getName();
            }));
        }
        assertThat(blocker.get(20, TimeUnit.SECONDS)).isTrue();
        for (JoinHandle<String> other : others) {
            assertThat(other.get(10, TimeUnit.SECONDS)).isEqualTo("bip-0"); // the replacement runs worker 0
        }
        assertThat(blockedOn.get()).isEqualTo("bip-0-blocking");
        assertThat(runtime.metrics().blocking().blockInPlaceCalls()).isEqualTo(1);
        // Afterwards the thread serves the blocking pool, and the runtime runs on with one worker.
        await().atMost(Duration.ofSeconds(10)).until(() -> runtime.metrics().blocking().defaultPool().threads() == 1);
        assertThat(runtime.spawnBlocking(() -> Thread.currentThread().getName()).get(10, TimeUnit.SECONDS))
                .startsWith("bip-blocking-");
        assertThat(runtime.spawn(() -> Thread.currentThread().getName()).get(10, TimeUnit.SECONDS)).isEqualTo("bip-0");
        assertThat(runtime.workerThreads()).isEqualTo(1);
    }

    @Test
    void spawnsFromInsideGoToTheReplacementNotTheBlockedThreadsRing() throws Exception {
        runtime = AsyncRuntime.builder().workerThreads(1).build();
        long remoteBefore = runtime.metrics().remoteSpawns();
        JoinHandle<Integer> blocker = runtime.spawn(() -> AsyncRuntime.blockInPlace(() -> {
            int sum = 0;
            for (int i = 0; i < 50; i++) {
                int n = i;
                // Awaited from here: they must run on the worker, which this thread no longer is.
                sum += AsyncRuntime.current().spawn(() -> n).get(10, TimeUnit.SECONDS);
            }
            // blockOn is allowed: this thread is not a worker any more.
            sum += AsyncRuntime.current().blockOn(Task.completed(1000));
            return sum;
        }));
        assertThat(blocker.get(20, TimeUnit.SECONDS)).isEqualTo(49 * 50 / 2 + 1000);
        assertThat(runtime.metrics().remoteSpawns() - remoteBefore).isEqualTo(1 + 50); // the blocker, then its 50
    }

    @Test
    void theRestOfTheCallingPollRunsAfterItAndItsWakesStillWork() throws Exception {
        runtime = AsyncRuntime.builder().workerThreads(2).build();
        JoinHandle<String> chained = runtime.spawn(Task.call(() -> AsyncRuntime.blockInPlace(() -> "blocked"))
                .flatMap(value -> AsyncRuntime.current().spawn(() -> value + "+spawned"))   // awaited: wakes this task later
                .flatMap(value -> Time.sleep(Duration.ofMillis(5)).map(ignored -> value + "+slept")));
        assertThat(chained.get(20, TimeUnit.SECONDS)).isEqualTo("blocked+spawned+slept");
        assertThat(runtime.metrics().aliveTasks()).isZero();
    }

    @Test
    void failuresOfTheWorkReachTheCaller() throws Exception {
        runtime = AsyncRuntime.builder().workerThreads(1).build();
        JoinHandle<Object> checked = runtime.spawn(() -> AsyncRuntime.blockInPlace(() -> {
            throw new IOException("disk gone");
        }));
        assertThatThrownBy(checked::get).isInstanceOf(ExecutionException.class)
                .hasCauseInstanceOf(CompletionException.class).hasRootCauseInstanceOf(IOException.class);
        JoinHandle<Object> unchecked = runtime.spawn(() -> AsyncRuntime.blockInPlace(() -> {
            throw new IllegalArgumentException("bad");
        }));
        assertThatThrownBy(unchecked::get).hasCauseInstanceOf(IllegalArgumentException.class);
        assertThat(runtime.spawn(() -> "alive").get(10, TimeUnit.SECONDS)).isEqualTo("alive");
    }

    @Test
    void outsideAWorkerItThrowsSayingWhy() throws Exception {
        runtime = AsyncRuntime.builder().workerThreads(1).build();
        assertThatThrownBy(() -> AsyncRuntime.blockInPlace(() -> 1))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageStartingWith("blockInPlace was called on thread \"" + Thread.currentThread().getName()
                        + "\", which is not an async-runtime worker")
                .hasMessageEndingWith("call the blocking code directly here");
        JoinHandle<Object> onBlockingThread = runtime.spawnBlocking(() -> AsyncRuntime.blockInPlace(() -> 1));
        assertThatThrownBy(onBlockingThread::get).hasCauseInstanceOf(IllegalStateException.class)
                .hasMessageContaining("which is not an async-runtime worker");
        // Nested in the poll that handed its worker over, it just runs the work (as Tokio's does;
        // review9): there is no worker left to move. That one is not a hand-over, so not counted.
        JoinHandle<Integer> nested = runtime.spawn(() -> AsyncRuntime.blockInPlace(() -> AsyncRuntime.blockInPlace(() -> 1)));
        assertThat(nested.get(10, TimeUnit.SECONDS)).isEqualTo(1);
        assertThatThrownBy(() -> AsyncRuntime.blockInPlace(null)).isInstanceOf(NullPointerException.class);
        assertThat(runtime.metrics().blocking().blockInPlaceCalls()).isEqualTo(1);
    }

    @Test
    void aPausedClockDoesNotJumpWhileTheWorkBlocks() {
        TestClock clock = Clock.paused();
        runtime = AsyncRuntime.builder().workerThreads(1).clock(clock).build();
        Instant start = clock.instant();
        String result = runtime.blockOn(Time.timeout(Duration.ofSeconds(1),
                runtime.spawn(() -> AsyncRuntime.blockInPlace(() -> {
                    Thread.sleep(50); // real blocking: every worker idles meanwhile
                    return "done";
                }))));
        assertThat(result).isEqualTo("done");
        assertThat(clock.instant()).isEqualTo(start);
        runtime.blockOn(Time.sleep(Duration.ofHours(1))); // and auto-advance works again afterwards
        assertThat(clock.instant()).isAfterOrEqualTo(start.plus(Duration.ofHours(1)));
    }

    @Test
    void manyHandOversUnderLoadLoseNoTaskAndKeepTheWorkerCount() throws Exception {
        runtime = AsyncRuntime.builder().workerThreads(2).threadNamePrefix("bipload").maxBlockingThreads(4)
                .blockingKeepAlive(Duration.ofMillis(50)).build();
        AtomicInteger ran = new AtomicInteger();
        List<JoinHandle<Integer>> handles = new ArrayList<>();
        for (int i = 0; i < 400; i++) {
            int n = i;
            handles.add(runtime.spawn(Task.yieldNow().flatMap(ignored -> {
                AsyncRuntime.current().spawn(ran::incrementAndGet);
                if (n % 4 == 0) {
                    return Task.completed(AsyncRuntime.blockInPlace(() -> {
                        Thread.yield();
                        return n;
                    }));
                }
                return Task.completed(n);
            })));
        }
        for (int i = 0; i < handles.size(); i++) {
            assertThat(handles.get(i).get(20, TimeUnit.SECONDS)).isEqualTo(i);
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> ran.get() == 400);
        assertThat(runtime.metrics().blocking().blockInPlaceCalls()).isEqualTo(100);
        assertThat(runtime.metrics().workers()).isEqualTo(2);
        // The handed-over threads joined the pool up to its cap, and leave it after the keep-alive.
        await().atMost(Duration.ofSeconds(10)).until(() -> runtime.metrics().blocking().defaultPool().threads() == 0);
        long workerThreads = Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.getName().matches("bipload-\\d+")).count();
        assertThat(workerThreads).isEqualTo(2);
    }

    @Test
    void closeWhileAWorkerIsHandedOverStopsTheReplacementAndTheWorkFinishes() throws Exception {
        runtime = AsyncRuntime.builder().workerThreads(1).shutdownTimeout(Duration.ofSeconds(5)).build();
        CountDownLatch inside = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        JoinHandle<String> blocker = runtime.spawn(() -> AsyncRuntime.blockInPlace(() -> {
            inside.countDown();
            release.await(20, TimeUnit.SECONDS);
            return "finished";
        }));
        assertThat(inside.await(10, TimeUnit.SECONDS)).isTrue();
        runtime.close(); // joins the replacement worker thread, which stops at once
        release.countDown();
        assertThat(blocker.get(10, TimeUnit.SECONDS)).isEqualTo("finished");
    }
}
