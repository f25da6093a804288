package io.asyncruntime;

import static org.assertj.core.api.Assertions.assertThat;

import io.asyncruntime.task.Context;
import io.asyncruntime.task.Poll;
import io.asyncruntime.task.Task;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Regression (review of issue 10): the shutdown's abort phase ({@code TaskRegistry.abortAll}) cancels every
 * idle task inline on the shutdown thread, so one task whose {@code cancel()} blocks (closing a
 * resource that lingers, taking a lock held elsewhere) holds {@code shutdownGracefully} past its
 * deadline, without bound: the deadline covers a poll that blocks, not a cancel that does.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class BlockingCancelHangsShutdownTest {

    @Test
    void anIdleTaskWhoseCancelBlocksDoesNotHoldTheShutdownPastItsDeadline() throws Exception {
        AsyncRuntime runtime = AsyncRuntime.builder().workerThreads(2).build();
        CountDownLatch polled = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        runtime.spawn(new Task<Void>() {
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
            shutdown.get(deadline.plus(AsyncRuntime.WORKER_STOP_ALLOWANCE).toMillis() + 3_000, TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            throw new AssertionError("shutdownGracefully(" + deadline + ") had not returned after "
                    + (deadline.toMillis() + AsyncRuntime.WORKER_STOP_ALLOWANCE_MILLIS + 3_000) + " ms: held by a task's cancel()", e);
        } finally {
            release.countDown();
        }
    }
}
