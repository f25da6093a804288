package io.asyncruntime;

import static org.assertj.core.api.Assertions.assertThat;

import io.asyncruntime.task.JoinHandle;
import io.asyncruntime.task.Task;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Review of issue 10: a task inside {@link AsyncRuntime#blockInPlace} is still one of the
 * runtime's own tasks, but its thread handed its worker over, so {@code Scheduler.currentWorker()}
 * is null there and the runtime treats it as an outside thread: (1) its spawns during the drain
 * are refused with "accepts no new tasks from outside its own tasks" (the contract lets a task's own
 * spawns run while it winds down), and (2) a {@code shutdownGracefully}/{@code close()} called there
 * does not go to a new thread as documented for calls from the runtime's own tasks: it runs inline,
 * waits for the registry to empty while the calling task is one of its live tasks, and so always
 * waits out the whole deadline.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ShutdownFromBlockInPlaceReview10Test {

    @Test
    void aTaskWindingDownInsideBlockInPlaceMaySpawn() throws Exception {
        AsyncRuntime runtime = AsyncRuntime.builder().workerThreads(2).build();
        JoinHandle<Integer> parent = runtime.spawn(runtime.cancellationToken().cancelled().flatMap(v -> {
            // Winding down: a cleanup step that blocks (say, a JDBC call) spawns a follow-up task.
            JoinHandle<Integer> followUp = AsyncRuntime.blockInPlace(() -> AsyncRuntime.current().spawn(() -> 42));
            return followUp;
        }));
        ShutdownReport report = runtime.shutdownGracefully(Duration.ofSeconds(10));
        assertThat(parent.get(10, TimeUnit.SECONDS)).as("the task's own spawn while winding down").isEqualTo(42);
        assertThat(report.aborted()).isZero();
    }

    @Test
    void shutdownCalledFromATaskInsideBlockInPlaceDoesNotWaitForThatTask() throws Exception {
        AsyncRuntime runtime = AsyncRuntime.builder().workerThreads(2).build();
        Duration deadline = Duration.ofSeconds(5);
        JoinHandle<Long> caller = runtime.spawn(Task.call(() -> AsyncRuntime.blockInPlace(() -> {
            long start = System.nanoTime();
            runtime.shutdownGracefully(deadline);
            return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        })));
        long tookMillis = caller.get(30, TimeUnit.SECONDS);
        // Called from one of its own tasks, the call must not wait for that very task to finish.
        assertThat(tookMillis).as("ms that shutdownGracefully(5 s), called from a task, blocked that task")
                .isLessThan(2_000);
    }
}
