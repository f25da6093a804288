package io.asyncruntime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.asyncruntime.task.JoinHandle;
import io.asyncruntime.task.Task;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Regression (review of issue 10, "no loss: every handle completes ... none hangs" and "a task that blocks
 * its worker and ignores cancellation does not delay shutdown past the deadline"): a task queued
 * on the worker that a stuck task holds (here in its LIFO slot, where a task's own spawn goes)
 * is marked CANCELLED by the registry's abort, but only its worker ever takes it off that queue
 * ({@code Worker.cancelQueuedOnShutdown} runs on the worker's own thread). The shutdown returns,
 * and that task's handle stays incomplete for as long as the stuck poll lasts: forever, if it
 * never returns. Now the shutdown thread takes what a worker it could not join still holds queued
 * (its LIFO slot, its rings) and cancels it.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class StuckWorkerQueuedTaskLostAtShutdownTest {

    @Test
    void aTaskQueuedBehindAStuckPollCompletesWhenTheShutdownReturns() throws Exception {
        AsyncRuntime runtime = AsyncRuntime.builder().workerThreads(2).build();
        CountDownLatch stuck = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        AtomicReference<JoinHandle<Object>> child = new AtomicReference<>();
        runtime.spawn(() -> {
            child.set(AsyncRuntime.current().spawn(Task.never())); // queued on this worker (its LIFO slot)
            stuck.countDown();
            release.await(); // blocks its worker and ignores cancellation
            return "late";
        });
        try {
            assertThat(stuck.await(30, TimeUnit.SECONDS)).isTrue();
            ShutdownReport report = runtime.shutdownGracefully(Duration.ZERO);
            JoinHandle<Object> queued = child.get();
            // Every handle completes (as cancelled); none hangs: the child never polled is no
            // exception just because its worker is stuck in another task's poll.
            await().atMost(Duration.ofSeconds(5)).until(queued::isDone);
            assertThat(report.stillRunning()).as("only the stuck poll is still running").isEqualTo(1);
        } finally {
            release.countDown();
        }
    }
    /**
     * The same with the worker's ring: one worker (so nobody steals), a stuck task that spawned
     * five (the last in the LIFO slot, the others pushed to the ring as each new one took the slot).
     */
    @Test
    void tasksQueuedInTheRingOfAStuckWorkerCompleteWhenTheShutdownReturns() throws Exception {
        AsyncRuntime runtime = AsyncRuntime.builder().workerThreads(1).build();
        CountDownLatch stuck = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        List<JoinHandle<Object>> children = new CopyOnWriteArrayList<>();
        runtime.spawn(() -> {
            for (int i = 0; i < 5; i++) {
                children.add(AsyncRuntime.current().spawn(Task.never()));
            }
            stuck.countDown();
            release.await(); // blocks the only worker and ignores cancellation
            return "late";
        });
        try {
            assertThat(stuck.await(30, TimeUnit.SECONDS)).isTrue();
            ShutdownReport report = runtime.shutdownGracefully(Duration.ZERO);
            assertThat(children).hasSize(5);
            await().atMost(Duration.ofSeconds(5)).until(() -> children.stream().allMatch(JoinHandle::isDone));
            assertThat(report.stillRunning()).as("only the stuck poll is still running").isEqualTo(1);
        } finally {
            release.countDown();
        }
    }
}
