package io.asyncruntime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.asyncruntime.task.JoinHandle;
import io.asyncruntime.task.Task;
import io.asyncruntime.task.Waker;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Regression (review of issue 10): what a caller's thread and a foreign waker do to {@code shutdownGracefully}. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ShutdownSurvivesThrowingWakerAndInterruptTest {

    /**
     * Before the fix, {@code GracefulShutdown.run} cancelled the root token inline; {@code CancellationToken.cancel}
     * rethrows the first waker failure after waking the others, and nothing catches it: the
     * shutdown stops after step (2). Spawns from outside stay refused, nothing is aborted, the
     * workers never stop, and a later {@code close()} returns at once (a shutdown "has begun").
     */
    @Test
    void aThrowingWakerOnTheRootTokenDoesNotStopTheShutdownHalfway() throws Exception {
        AsyncRuntime runtime = AsyncRuntime.builder().workerThreads(2).build();
        JoinHandle<Object> idle = runtime.spawn(Task.never());
        // A foreign context (a bridge from another executor, a test harness) waits on the root token.
        Task<Void> foreignWait = runtime.cancellationToken().cancelled();
        Waker throwing = () -> {
            throw new IllegalStateException("a foreign waker that fails");
        };
        foreignWait.poll(ForeignContext.withWaker(throwing));
        try {
            runtime.shutdownGracefully(Duration.ofMillis(200));
        } catch (RuntimeException e) {
            // Whether or not the failure is reported, the shutdown must still happen.
        }
        await().atMost(Duration.ofSeconds(5)).until(runtime::isClosed);
        await().atMost(Duration.ofSeconds(5)).until(idle::isDone);
    }

    /** Control (passed before the fix too): the same wait from a caller that is not interrupted parks. */
    @Test
    void controlAnUninterruptedCallerParks() throws Exception {
        assertThat(callerCpuDuringShutdown(false)).isLessThan(Duration.ofMillis(100));
    }

    /**
     * Before the fix, {@code TaskRegistry.awaitEmpty} waited with {@code LockSupport.parkNanos},
     * which returns at once while the caller's interrupt flag is set; nothing cleared or answered
     * it, so a shutdown
     * called from an interrupted thread (a container's stop thread, an executor being shut down)
     * spins for the whole deadline, taking every registry shard's lock on each turn
     * ({@code isEmpty}) against the workers' spawns and completions.
     */
    @Test
    void anInterruptedCallerDoesNotSpinThroughTheDeadline() throws Exception {
        assertThat(callerCpuDuringShutdown(true)).as("CPU time the shutdown's caller burned waiting out a 2 s deadline")
                .isLessThan(Duration.ofMillis(100));
    }

    private static Duration callerCpuDuringShutdown(boolean interrupted) throws Exception {
        AsyncRuntime runtime = AsyncRuntime.builder().workerThreads(2).build();
        runtime.spawn(Task.never()); // keeps the registry non-empty until the deadline
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        AtomicLong cpuNanos = new AtomicLong();
        Duration deadline = Duration.ofSeconds(2);
        CompletableFuture<Void> done = new CompletableFuture<>();
        Thread caller = new Thread(() -> {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
            long before = threads.getCurrentThreadCpuTime();
            runtime.shutdownGracefully(deadline);
            cpuNanos.set(threads.getCurrentThreadCpuTime() - before);
            done.complete(null);
        }, "interrupted-shutdown-caller");
        caller.start();
        done.get(30, TimeUnit.SECONDS);
        // Waiting 2 s for a task that never finishes is parking, not computing: a few ms of CPU (a park every
        // 10 ms). Spinning burns whatever share of a core the box gives it (2 cores shared here): the bound is low.
        return Duration.ofNanos(cpuNanos.get());
    }
}
