package io.asyncruntime;

import static org.assertj.core.api.Assertions.assertThat;

import io.asyncruntime.task.Task;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * An uncapped dump lists every live task even while the workers move them: out of the inject
 * queue into a ring, from one worker's ring to the other's (steals), from a ring into a poll and
 * from a first poll into the shard. Every task here is {@code Task.never()}, so once the spawns
 * are done the live count holds still while the tasks are still moving; the dump is taken at once.
 * (CI, main b3ceb4e: {@code TaskDumpTest} listed 4,999 of 5,000 such tasks and called the dump
 * truncated under a cap of 10,000.)
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class TaskDumpListsEveryTaskWhileTheyMoveTest {

    private static final int ROUNDS = 150;
    private static final int PER_ROUND = 400;

    @Test
    void aDumpTakenWhileOutsideSpawnsAreFirstPolledListsThemAll() {
        try (AsyncRuntime runtime = AsyncRuntime.builder().workerThreads(2).shutdownTimeout(Duration.ofMillis(100)).build()) {
            for (int round = 1; round <= ROUNDS; round++) {
                for (int i = 0; i < PER_ROUND; i++) {
                    runtime.spawn(Task.never());
                }
                assertListsEveryLiveTask(runtime.taskDump(Integer.MAX_VALUE), round);
            }
        }
    }

    @Test
    void aDumpTakenWhileAWorkersChildrenAreStolenAndPolledListsThemAll() throws Exception {
        try (AsyncRuntime runtime = AsyncRuntime.builder().workerThreads(2).shutdownTimeout(Duration.ofMillis(100)).build()) {
            for (int round = 1; round <= ROUNDS; round++) {
                runtime.spawn(() -> {
                    for (int i = 0; i < PER_ROUND; i++) {
                        AsyncRuntime.current().spawn(Task.never());
                    }
                    return null;
                }).get(10, TimeUnit.SECONDS);
                awaitSpawnerCounted(runtime, (long) round * PER_ROUND);
                assertListsEveryLiveTask(runtime.taskDump(Integer.MAX_VALUE), round);
            }
        }
    }

    /**
     * The spawner's handle can return before its completion is counted; spins (not sleeps: the
     * children must still be moving when the dump is taken) until only the children are live.
     */
    private static void awaitSpawnerCounted(AsyncRuntime runtime, long children) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (runtime.metrics().tasks().liveTasks() != children) {
            assertThat(System.nanoTime() - deadline).as("live tasks never came down to the children").isNegative();
            Thread.onSpinWait();
        }
    }

    private static void assertListsEveryLiveTask(TaskDump dump, int round) {
        assertThat(dump.liveTasks()).as("round %d: live", round).isEqualTo((long) round * PER_ROUND);
        assertThat(dump.tasks()).as("round %d: listed", round).hasSize(round * PER_ROUND);
        assertThat(dump.truncated()).as("round %d: truncated", round).isFalse();
    }
}
