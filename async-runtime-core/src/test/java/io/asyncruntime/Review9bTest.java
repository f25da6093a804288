package io.asyncruntime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.asyncruntime.task.JoinHandle;
import io.asyncruntime.task.Priority;
import io.asyncruntime.task.Task;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Review 9b of issue 9's last changes (blk2 + spring2, integration commit 24df50c): where the
 * runtime still takes a thread that runs its own work for a stranger. Reproducers only; each
 * fails on 24df50c (see the report).
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class Review9bTest {

    /** The shutdown timeout of these runtimes: a close() that waits for it is the defect. */
    private static final Duration SHUTDOWN_TIMEOUT = Duration.ofSeconds(5);
    /** What "returns at once" may take on a loaded 2-core box: well under the timeout. */
    private static final Duration AT_ONCE = Duration.ofMillis(2_500);

    private AsyncRuntime runtime;

    @AfterEach
    void close() {
        if (runtime != null) {
            runtime.close();
        }
    }

    /**
     * The task that called blockInPlace has finished (its poll returned), but its thread is still
     * delivering that task's completion, and a completion callback closes the runtime. On a
     * worker the same callback's close() returns at once (the thread counts as the runtime's own);
     * here {@code handedOverPoll()} already reads null (the poll's cell was cleared by leave()),
     * so close() runs the shutdown on this thread and waits for the drain, while the drain waits
     * for a task whose wake is queued behind this very callback in the same delivery: the
     * shutdown timeout is waited out and that task is aborted instead of finishing.
     */
    @Test
    void closeFromACompletionCallbackOfATaskThatFinishedInsideBlockInPlaceReturnsAtOnce() throws Exception {
        runtime = AsyncRuntime.builder().workerThreads(2).shutdownTimeout(SHUTDOWN_TIMEOUT).build();
        CountDownLatch inside = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        JoinHandle<Integer> blocker = runtime.spawn(() -> AsyncRuntime.blockInPlace(() -> {
            inside.countDown();
            return release.await(30, TimeUnit.SECONDS) ? 1 : -1;
        }));
        assertThat(inside.await(10, TimeUnit.SECONDS)).isTrue();
        // A task awaiting the blocker, registered before the callback below (a waiter list is
        // woken newest first, so its wake comes after the callback in the same delivery).
        JoinHandle<Integer> awaiter = runtime.spawn(Task.call(() -> 0).flatMap(ignored -> blocker).map(v -> v + 1),
                Priority.NORMAL, "awaiter");
        await().atMost(Duration.ofSeconds(10)).until(() -> runtime.taskDump().tasks().stream()
                .anyMatch(t -> "awaiter".equals(t.name()) && t.state() == TaskDump.State.IDLE));
        AtomicLong closeNanos = new AtomicLong(-1);
        AtomicReference<String> closingThread = new AtomicReference<>();
        blocker.whenComplete((value, failure) -> {
            closingThread.set(Thread.currentThread().getName());
            long start = System.nanoTime();
            AsyncRuntime.current().close();
            closeNanos.set(System.nanoTime() - start);
        });
        release.countDown();
        await().atMost(Duration.ofSeconds(30)).until(() -> closeNanos.get() >= 0);
        assertThat(closingThread.get()).as("the callback ran on the thread that handed its worker over")
                .endsWith("-blocking");
        assertThat(Duration.ofNanos(closeNanos.get()))
                .as("close() in a completion callback on the thread whose blockInPlace poll just ended (timeout %s)",
                        SHUTDOWN_TIMEOUT)
                .isLessThan(AT_ONCE);
        assertThat(awaiter.get(30, TimeUnit.SECONDS)).as("the awaiting task finishes, not aborted").isEqualTo(2);
    }

    /**
     * Same hole, other symptom: during a graceful drain, a completion callback of a task that
     * finished inside blockInPlace runs on that task's (former worker) thread and spawns a
     * cleanup task. On a worker the spawn is accepted, as from the runtime's own tasks; here it is
     * refused as from outside ("shutting down"), because the thread stops counting as the
     * runtime's own as soon as the poll's cell is cleared, before the completion is delivered.
     */
    @Test
    void aSpawnFromACompletionCallbackOfATaskThatFinishedInsideBlockInPlaceIsAcceptedDuringTheDrain()
            throws Exception {
        runtime = AsyncRuntime.builder().workerThreads(2).build();
        CountDownLatch inside = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        JoinHandle<Integer> blocker = runtime.spawn(() -> AsyncRuntime.blockInPlace(() -> {
            inside.countDown();
            return release.await(30, TimeUnit.SECONDS) ? 1 : -1;
        }));
        assertThat(inside.await(10, TimeUnit.SECONDS)).isTrue();
        AtomicReference<Object> spawnOutcome = new AtomicReference<>();
        CountDownLatch callbackDone = new CountDownLatch(1);
        // Keeps the drain going until the callback has run (else the drain may end, and the
        // workers stop, between the blocker's completion and its callback: a refusal for another
        // reason, on a worker too).
        JoinHandle<Boolean> keeper = runtime.spawn(Task.call(() -> 0).flatMap(ignored -> AsyncRuntime.current()
                .spawnBlocking(() -> callbackDone.await(30, TimeUnit.SECONDS))));
        blocker.whenComplete((value, failure) -> {
            try {
                spawnOutcome.set(AsyncRuntime.current().spawn(() -> 42));
            } catch (RuntimeException refused) {
                spawnOutcome.set(refused);
            } finally {
                callbackDone.countDown();
            }
        });
        AtomicReference<ShutdownReport> report = new AtomicReference<>();
        Thread shutdown = new Thread(() -> report.set(runtime.shutdownGracefully(Duration.ofSeconds(20))),
                "review9b-shutdown");
        shutdown.start();
        try {
            await().atMost(Duration.ofSeconds(10)).until(runtime.cancellationToken()::isCancelled); // the drain is on
            release.countDown();
            assertThat(callbackDone.await(30, TimeUnit.SECONDS)).isTrue();
        } finally {
            shutdown.join(TimeUnit.SECONDS.toMillis(30));
        }
        assertThat(keeper.get(10, TimeUnit.SECONDS)).isTrue();
        assertThat(spawnOutcome.get()).as("a spawn from the completion callback, during the drain")
                .isInstanceOf(JoinHandle.class);
        assertThat(((JoinHandle<?>) spawnOutcome.get()).get(10, TimeUnit.SECONDS)).isEqualTo(42);
    }

    /**
     * The found-not-fixed item of blk2 (/work/wt/logs/blk2-CloseFromBlockingWorkReproTest.java):
     * close() inside spawnBlocking work that a task awaits. The graceful drain waits for the task,
     * the task for the work, the work for close(): the whole shutdown timeout, then the task is
     * aborted and the work's result is lost. The runtime knows the thread serves one of its
     * blocking pools, so it should start the shutdown on a new thread and return at once, as from
     * its own tasks (and as the blocking pool's own shutdown already does not wait for it).
     */
    @Test
    void closeInsideBlockingWorkThatATaskAwaitsReturnsAtOnce() throws Exception {
        runtime = AsyncRuntime.builder().workerThreads(2).shutdownTimeout(SHUTDOWN_TIMEOUT).build();
        JoinHandle<Long> handler = runtime.spawn(Task.call(() -> 0).flatMap(ignored -> AsyncRuntime.current()
                .spawnBlocking(() -> {
                    long start = System.nanoTime();
                    AsyncRuntime.current().close();
                    return System.nanoTime() - start;
                })));
        AtomicReference<Throwable> failure = new AtomicReference<>();
        AtomicLong closeNanos = new AtomicLong(-1);
        handler.whenComplete((nanos, error) -> {
            failure.set(error);
            closeNanos.set(nanos == null ? -2 : nanos);
        });
        await().atMost(Duration.ofSeconds(30)).until(() -> closeNanos.get() != -1);
        assertThat(failure.get()).as("the task awaiting the blocking work was not aborted").isNull();
        assertThat(Duration.ofNanos(closeNanos.get()))
                .as("close() in blocking work awaited by a task (timeout %s)", SHUTDOWN_TIMEOUT).isLessThan(AT_ONCE);
    }
}
