package io.asyncruntime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.asyncruntime.task.Context;
import io.asyncruntime.task.JoinHandle;
import io.asyncruntime.task.Poll;
import io.asyncruntime.task.Task;
import io.asyncruntime.task.TaskCancelledException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Regression (review of issue 10): the shutdown's abort phase ({@code TaskRegistry.abortAll})
 * cancelled every idle task inline on the shutdown thread, so one task whose {@code cancel()}
 * blocks (closing a resource that lingers, taking a lock held elsewhere) held
 * {@code shutdownGracefully} past its deadline, without bound: the deadline covered a poll that
 * blocks, not a cancel that does. Now the aborts run on a thread of their own, and the shutdown
 * stops waiting for them once they make no progress.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class BlockingCancelHangsShutdownTest {

    @Test
    void anIdleTaskWhoseCancelBlocksDoesNotHoldTheShutdownPastItsDeadline() throws Exception {
        AsyncRuntime runtime = AsyncRuntime.builder().workerThreads(2).build();
        CountDownLatch polled = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        JoinHandle<Object> idle = runtime.spawn(Task.never());
        JoinHandle<Void> blocking = runtime.spawn(new Task<Void>() {
            @Override
            public Poll<Void> poll(Context cx) {
                polled.countDown();
                return Poll.pending(); // idle forever
            }

            @Override
            public void cancel() {
                try {
                    release.await(); // a resource whose close blocks
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        });
        assertThat(polled.await(30, TimeUnit.SECONDS)).isTrue();
        Duration deadline = Duration.ofMillis(200);
        CompletableFuture<ShutdownReport> shutdown = CompletableFuture.supplyAsync(() -> runtime.shutdownGracefully(deadline));
        try {
            ShutdownReport report = shutdown.get(deadline.plus(GracefulShutdown.WORKER_STOP_ALLOWANCE).toMillis() + 3_000,
                    TimeUnit.MILLISECONDS);
            // Both are counted as aborted, whichever the abort reached first: the one it had not
            // reached when it stopped waiting is aborted once the blocked cancel() returns.
            assertThat(report.aborted()).isEqualTo(2);
            assertThat(report.completed()).isZero();
            release.countDown();
            await().atMost(Duration.ofSeconds(10)).until(() -> idle.isDone() && blocking.isDone());
            assertThatThrownBy(() -> idle.get(1, TimeUnit.SECONDS)).isInstanceOf(TaskCancelledException.class);
        } catch (TimeoutException e) {
            throw new AssertionError("shutdownGracefully(" + deadline + ") had not returned after "
                    + (deadline.toMillis() + GracefulShutdown.WORKER_STOP_ALLOWANCE_MILLIS + 3_000) + " ms: held by a task's cancel()", e);
        } finally {
            release.countDown();
        }
    }
}
