package io.asyncruntime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.asyncruntime.task.JoinHandle;
import io.asyncruntime.task.Priority;
import io.asyncruntime.task.Task;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Review of issue 9 (review9, c9ac779): a thread inside {@code AsyncRuntime.blockInPlace} has
 * handed its worker over, but it is still running one of the runtime's own tasks, and the runtime
 * took it for a stranger. Each test failed on accb510.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class BlockInPlaceCallerIsOwnTaskTest {

    private AsyncRuntime runtime;

    @AfterEach
    void close() {
        if (runtime != null) {
            runtime.close();
        }
    }

    /** Defect 4: close() inside blockInPlace waited out the whole shutdown timeout for its own task. */
    @Test
    void closeInsideBlockInPlaceReturnsAtOnceInsteadOfWaitingOutTheShutdownTimeout() throws Exception {
        // close() from one of the runtime's own tasks starts the shutdown and returns at once (its
        // Javadoc); the task cannot finish while close() waits for it to.
        Duration timeout = Duration.ofSeconds(20);
        runtime = AsyncRuntime.builder().workerThreads(2).shutdownTimeout(timeout).build();
        AtomicLong closeNanos = new AtomicLong(-1);
        AtomicReference<ShutdownReport> second = new AtomicReference<>();
        JoinHandle<String> task = runtime.spawn(() -> AsyncRuntime.blockInPlace(() -> {
            AsyncRuntime self = AsyncRuntime.current();
            long start = System.nanoTime();
            self.close();
            closeNanos.set(System.nanoTime() - start);
            second.set(self.shutdownGracefully(Duration.ofSeconds(20))); // nor does it wait for the report
            return "finished";
        }));
        assertThat(task.get(30, TimeUnit.SECONDS)).isEqualTo("finished");
        assertThat(Duration.ofNanos(closeNanos.get())).as("close() inside blockInPlace, shutdown timeout " + timeout)
                .isLessThan(Duration.ofSeconds(5));
        assertThat(second.get().inProgress()).isTrue();
        // The shutdown went on on its own thread; the task was not aborted, it finished.
        ShutdownReport report = runtime.shutdownGracefully(Duration.ofSeconds(20));
        assertThat(report.inProgress()).isFalse();
        assertThat(report.aborted()).isZero();
        assertThat(report.total()).isLessThan(Duration.ofSeconds(10));
    }

    /** Defect 5: a task spawned inside blockInPlace got lane NORMAL, not its spawner's lane. */
    @Test
    void aSpawnInsideBlockInPlaceInheritsTheCallingTasksLaneNotNormal() throws Exception {
        runtime = AsyncRuntime.builder().workerThreads(1).build();
        for (Priority spawner : Priority.values()) {
            Priority onWorker = runtime.spawn(Task.call(() -> AsyncRuntime.current().spawn(() -> 1).priority()),
                    spawner).get(10, TimeUnit.SECONDS);
            assertThat(onWorker).as("lane of a task spawned by a running %s task", spawner).isEqualTo(spawner);

            Priority inBlockInPlace = runtime.spawn(Task.call(() -> AsyncRuntime.blockInPlace(
                    () -> AsyncRuntime.current().spawn(() -> 1).priority())), spawner).get(10, TimeUnit.SECONDS);
            assertThat(inBlockInPlace).as("lane of a task spawned by a %s task inside blockInPlace", spawner)
                    .isEqualTo(spawner);
        }
        // An explicit lane still wins, and a plain thread outside the runtime still gets NORMAL.
        Priority explicit = runtime.spawn(Task.call(() -> AsyncRuntime.blockInPlace(
                () -> AsyncRuntime.current().spawn(() -> 1, Priority.BACKGROUND).priority())), Priority.HIGH)
                .get(10, TimeUnit.SECONDS);
        assertThat(explicit).isEqualTo(Priority.BACKGROUND);
        assertThat(runtime.spawn(() -> 1).priority()).isEqualTo(Priority.NORMAL);
    }

    /** Defect 6: during a graceful shutdown's drain, a spawn inside blockInPlace was refused as from outside. */
    @Test
    void aSpawnInsideBlockInPlaceDuringAGracefulDrainIsNotRefusedAsFromOutside() throws Exception {
        // shutdownGracefully refuses spawns from outside at once, but lets running tasks spawn
        // (cleanup children) until the drain ends; a task inside blockInPlace is a running task.
        runtime = AsyncRuntime.builder().workerThreads(2).build();
        CountDownLatch inside = new CountDownLatch(1);
        JoinHandle<Integer> cleanup = runtime.spawn(() -> AsyncRuntime.blockInPlace(() -> {
            inside.countDown();
            AsyncRuntime self = AsyncRuntime.current();
            // Blocking code that watches for the shutdown, as blocking code does.
            await().atMost(Duration.ofSeconds(20)).until(self.cancellationToken()::isCancelled);
            // The drain is on: a spawn from a thread outside the runtime is refused ...
            CompletableFuture<Object> outside = CompletableFuture.supplyAsync(() -> self.spawn(() -> 0));
            assertThatThrownBy(() -> outside.get(10, TimeUnit.SECONDS)).hasRootCauseInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("shutting down");
            // ... and one from this task is not.
            return self.spawn(() -> 42).get(10, TimeUnit.SECONDS);
        }));
        assertThat(inside.await(10, TimeUnit.SECONDS)).isTrue();
        AtomicReference<ShutdownReport> report = new AtomicReference<>();
        Thread shutdown = new Thread(() -> report.set(runtime.shutdownGracefully(Duration.ofSeconds(20))),
                "own-task-shutdown");
        shutdown.start();
        try {
            assertThat(cleanup.get(30, TimeUnit.SECONDS)).isEqualTo(42);
        } finally {
            shutdown.join(TimeUnit.SECONDS.toMillis(30));
        }
        assertThat(shutdown.isAlive()).isFalse();
        // The drain counted the child as spawned by the runtime's own tasks, and aborted nothing.
        assertThat(report.get().spawnedDuringShutdown()).isEqualTo(1);
        assertThat(report.get().aborted()).isZero();
    }
}
