package io.asyncruntime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.asyncruntime.task.Context;
import io.asyncruntime.task.JoinHandle;
import io.asyncruntime.task.Poll;
import io.asyncruntime.task.Priority;
import io.asyncruntime.task.Step;
import io.asyncruntime.task.Task;
import io.asyncruntime.task.TaskCancelledException;
import io.asyncruntime.task.Waker;
import java.time.Duration;
import java.io.IOException;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 60, unit = TimeUnit.SECONDS)
class AsyncRuntimeTest {

    private final AsyncRuntime runtime = AsyncRuntime.builder().workerThreads(2).threadNamePrefix("test-rt")
            .shutdownTimeout(Duration.ofMillis(100)).build(); // close() drains that long; tests leave idle tasks

    @AfterEach
    void close() {
        runtime.close();
    }

    @Test
    void spawnsCallablesRunnablesAndTasks() throws Exception {
        assertThat(runtime.spawn(() -> 42).get()).isEqualTo(42);
        AtomicBoolean ran = new AtomicBoolean();
        assertThat(runtime.spawn(() -> ran.set(true)).get()).isNull();
        assertThat(ran).isTrue();
        assertThat(runtime.spawn(Task.completed("x").map(s -> s + "y")).get()).isEqualTo("xy");
    }

    @Test
    void aJoinHandleIsACompletionStage() throws Exception {
        CompletableFuture<String> chained = runtime.spawn(() -> 6 * 7).thenApply(v -> "v=" + v).toCompletableFuture();
        assertThat(chained.get(10, TimeUnit.SECONDS)).isEqualTo("v=42");
    }

    @Test
    void aJoinHandleCanBeAwaitedInsideAnotherTask() {
        JoinHandle<Integer> outer = runtime.spawn(Task.completed(1).flatMap(x -> {
            JoinHandle<Integer> inner = AsyncRuntime.current().spawn(() -> x + 1);
            return inner.map(y -> y * 10);
        }));
        assertThat(runtime.blockOn(outer)).isEqualTo(20);
    }

    @Test
    void aTaskThatThrowsCompletesItsHandleExceptionallyAndTheWorkerLivesOn() throws Exception {
        JoinHandle<Integer> failing = runtime.spawn(() -> {
            throw new IOException("broken pipe");
        });
        assertThatThrownBy(failing::get).isInstanceOf(ExecutionException.class).hasCauseInstanceOf(IOException.class);
        assertThatThrownBy(() -> runtime.blockOn(failing)).isInstanceOf(CompletionException.class).hasCauseInstanceOf(IOException.class);
        for (int i = 0; i < 100; i++) {
            int n = i;
            assertThat(runtime.spawn(() -> n).get()).isEqualTo(n);
        }
    }

    @Test
    void abortCancelsAnIdleTaskAtOnceAndReleasesWhatItRegistered() {
        AtomicBoolean released = new AtomicBoolean();
        CountDownLatch polled = new CountDownLatch(1);
        JoinHandle<String> handle = runtime.spawn(new Task<String>() {
            @Override
            public Poll<String> poll(Context cx) {
                polled.countDown();
                return Poll.pending();
            }

            @Override
            public void cancel() {
                released.set(true);
            }
        });
        awaitLatch(polled);
        awaitIdle(handle);
        handle.abort();
        assertThat(handle.isFinished()).isTrue();
        assertThat(handle.isCancelled()).isTrue();
        assertThat(released).isTrue();
        assertThatThrownBy(handle::get).isInstanceOf(TaskCancelledException.class).hasMessageContaining("aborted");
        assertThatThrownBy(() -> runtime.blockOn(handle)).isInstanceOf(TaskCancelledException.class);
    }

    @Test
    void abortDuringAPollTakesEffectWhenThePollReturnsPending() throws Exception {
        CountDownLatch inPoll = new CountDownLatch(1);
        CountDownLatch aborted = new CountDownLatch(1);
        AtomicBoolean released = new AtomicBoolean();
        AtomicReference<JoinHandle<String>> self = new AtomicReference<>();
        JoinHandle<String> handle = runtime.spawn(new Task<String>() {
            @Override
            public Poll<String> poll(Context cx) {
                inPoll.countDown();
                awaitLatch(aborted);
                return Poll.pending();
            }

            @Override
            public void cancel() {
                released.set(true);
            }
        });
        self.set(handle);
        awaitLatch(inPoll);
        handle.abort();
        assertThat(handle.isFinished()).isFalse();
        aborted.countDown();
        assertThatThrownBy(handle::get).isInstanceOf(TaskCancelledException.class);
        assertThat(released).isTrue();
    }

    @Test
    void aTaskThatCompletesBeforeTheAbortKeepsItsValue() throws Exception {
        JoinHandle<Integer> handle = runtime.spawn(() -> 7);
        assertThat(handle.get()).isEqualTo(7);
        handle.abort();
        assertThat(handle.get()).isEqualTo(7);
        assertThat(handle.isCancelled()).isFalse();
    }

    @Test
    void futureCancelAbortsTheTask() {
        JoinHandle<Object> handle = runtime.spawn(Task.never());
        assertThat(handle.cancel(true)).isTrue();
        awaitFinished(handle);
        assertThat(handle.isCancelled()).isTrue();
        assertThat(handle.cancel(true)).isFalse();
    }

    @Test
    void aWakeDuringAPollIsNotLostAndDoesNotCauseAConcurrentPoll() {
        AtomicBoolean inPoll = new AtomicBoolean();
        AtomicBoolean overlapped = new AtomicBoolean();
        JoinHandle<Integer> handle = runtime.spawn(new Task<Integer>() {
            int polls;

            @Override
            public Poll<Integer> poll(Context cx) {
                if (!inPoll.compareAndSet(false, true)) {
                    overlapped.set(true);
                }
                try {
                    if (++polls == 1000) {
                        return Poll.ready(polls);
                    }
                    Waker waker = cx.waker();
                    Thread waking = new Thread(waker::wake);
                    waking.start();
                    joinThread(waking); // the wake happens while this poll is still running
                    return Poll.pending();
                } finally {
                    inPoll.set(false);
                }
            }
        });
        assertThat(runtime.blockOn(handle)).isEqualTo(1000);
        assertThat(overlapped).isFalse();
    }

    @Test
    void blockOnOnAWorkerThreadIsAClearError() {
        JoinHandle<Object> handle = runtime.spawn(() -> runtime.blockOn(Task.completed(1)));
        assertThatThrownBy(handle::get)
                .isInstanceOf(ExecutionException.class)
                .cause()
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("blockOn was called on async-runtime worker thread \"test-rt-");
    }

    @Test
    void spawningOnAClosedRuntimeIsAClearError() {
        runtime.close();
        assertThat(runtime.isClosed()).isTrue();
        assertThatThrownBy(() -> runtime.spawn(() -> 1))
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("this async-runtime is closed: it accepts no new tasks");
        assertThatThrownBy(() -> runtime.blockOn(Task.completed(1)))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("closed");
    }

    @Test
    void closingCancelsQueuedTasksAndTasksWokenLater() {
        AtomicReference<Waker> parked = new AtomicReference<>();
        CountDownLatch polled = new CountDownLatch(1);
        JoinHandle<String> waiting = runtime.spawn(new Task<String>() {
            @Override
            public Poll<String> poll(Context cx) {
                parked.set(cx.waker());
                polled.countDown();
                return Poll.pending();
            }
        });
        awaitLatch(polled);
        runtime.close();
        parked.get().wake();
        assertThat(waiting.isFinished()).isTrue();
        assertThatThrownBy(waiting::get).isInstanceOf(TaskCancelledException.class).hasMessageContaining("shut down");
    }

    @Test
    void currentIsTheRuntimeOnItsWorkersAndInsideBlockOn() throws Exception {
        assertThat(runtime.spawn(() -> AsyncRuntime.current()).get()).isSameAs(runtime);
        assertThat(runtime.blockOn(Task.call(AsyncRuntime::current))).isSameAs(runtime);
        assertThat(AsyncRuntime.tryCurrent()).isEmpty();
        assertThatThrownBy(AsyncRuntime::current)
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("not running an async-runtime task");
    }

    @Test
    void spawnedTasksInheritThePriorityOfTheirParent() throws Exception {
        JoinHandle<Priority> handle = runtime.spawn(Task.call(() -> AsyncRuntime.current().spawn(() -> 1))
                .map(JoinHandle::priority), Priority.BACKGROUND);
        assertThat(handle.get()).isEqualTo(Priority.BACKGROUND);
        assertThat(runtime.spawn(() -> 1).priority()).isEqualTo(Priority.NORMAL);
    }

    @Test
    void aMillionDeepYieldLoopCompletes() {
        Task<Integer> loop = Task.loop(0, i -> i == 1_000_000
                ? Task.completed(Step.<Integer, Integer>done(i))
                : Task.yieldNow().map(v -> Step.<Integer, Integer>next(i + 1)));
        assertThat(runtime.blockOn(runtime.spawn(loop))).isEqualTo(1_000_000);
    }

    @Test
    void aMillionDeepRecursiveYieldChainCompletes() {
        assertThat(runtime.blockOn(runtime.spawn(yieldDown(1_000_000)))).isEqualTo(0);
    }

    private static Task<Integer> yieldDown(int n) {
        return n == 0 ? Task.completed(0) : Task.yieldNow().flatMap(v -> yieldDown(n - 1));
    }

    @Test
    void aMillionReadyFlatMapsCompleteOnTheRuntime() {
        Task<Integer> chain = Task.completed(0);
        for (int i = 0; i < 1_000_000; i++) {
            chain = chain.flatMap(x -> Task.completed(x + 1));
        }
        assertThat(runtime.blockOn(runtime.spawn(chain))).isEqualTo(1_000_000);
    }

    @Test
    void metricsCountSpawnsAndCompletions() throws Exception {
        for (int i = 0; i < 100; i++) {
            runtime.spawn(() -> 1).get();
        }
        // Workers publish their poll counts in batches (at the latest when they go idle).
        org.awaitility.Awaitility.await().atMost(30, TimeUnit.SECONDS).until(() -> runtime.metrics().totalPolls() >= 100);
        RuntimeMetrics metrics = runtime.metrics();
        assertThat(metrics.workers()).isEqualTo(2);
        assertThat(metrics.spawnedTasks()).isGreaterThanOrEqualTo(100);
        assertThat(metrics.completedTasks()).isGreaterThanOrEqualTo(100);
        assertThat(metrics.totalPolls()).isGreaterThanOrEqualTo(100);
        assertThat(metrics.perWorker()).hasSize(2);
        assertThat(metrics.aliveTasks()).isZero();
    }

    @Test
    void allOverJoinHandlesCollectsEveryResult() {
        Task<List<Integer>> all = Task.call(() -> {
            AsyncRuntime rt = AsyncRuntime.current();
            return List.of(rt.spawn(() -> 1), rt.spawn(() -> 2), rt.spawn(() -> 3));
        }).flatMap(Task::all);
        assertThat(runtime.blockOn(all)).containsExactly(1, 2, 3);
    }

    @Test
    void aNamedTaskKeepsItsNameAndAnUnnamedOneGetsAnIdentity() throws Exception {
        JoinHandle<Integer> named = runtime.spawn(Task.completed(1), Priority.HIGH, "health-check");
        assertThat(named.name()).isEqualTo("health-check");
        assertThat(named.priority()).isEqualTo(Priority.HIGH);
        assertThat(named.get()).isEqualTo(1);
        assertThat(runtime.spawn(() -> 2).name()).startsWith("task-");
    }

    @Test
    void theStageSideIsOneFutureAndWorksAfterCompletionToo() throws Exception {
        JoinHandle<Integer> handle = runtime.spawn(() -> 5);
        CompletableFuture<Integer> first = handle.thenApply(v -> v + 1).toCompletableFuture();
        assertThat(first.get(10, TimeUnit.SECONDS)).isEqualTo(6);
        handle.get();
        assertThat(handle.thenApply(v -> v * 2).toCompletableFuture().get(10, TimeUnit.SECONDS)).isEqualTo(10);
        JoinHandle<Integer> failing = runtime.spawn(() -> {
            throw new IllegalStateException("nope");
        });
        assertThat(failing.exceptionally(e -> -1).toCompletableFuture().get(10, TimeUnit.SECONDS)).isEqualTo(-1);
    }

    static void awaitLatch(CountDownLatch latch) {
        try {
            if (!latch.await(30, TimeUnit.SECONDS)) {
                throw new AssertionError("latch not released within 30 s");
            }
        } catch (InterruptedException e) {
            throw new AssertionError(e);
        }
    }

    private static void joinThread(Thread thread) {
        try {
            thread.join();
        } catch (InterruptedException e) {
            throw new AssertionError(e);
        }
    }

    private static void awaitIdle(JoinHandle<?> handle) {
        org.awaitility.Awaitility.await().atMost(30, TimeUnit.SECONDS)
                .until(() -> handle.toString().contains("idle"));
    }

    private static void awaitFinished(JoinHandle<?> handle) {
        org.awaitility.Awaitility.await().atMost(30, TimeUnit.SECONDS).until(handle::isFinished);
    }
}
