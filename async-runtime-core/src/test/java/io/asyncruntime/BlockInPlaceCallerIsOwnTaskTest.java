package io.asyncruntime;

import static org.assertj.core.api.Assertions.assertThat;

import io.asyncruntime.task.JoinHandle;
import io.asyncruntime.task.Priority;
import io.asyncruntime.task.Task;
import java.time.Duration;
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
}
