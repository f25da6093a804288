package io.asyncruntime;

import static org.assertj.core.api.Assertions.assertThat;

import io.asyncruntime.task.Priority;
import io.asyncruntime.task.Task;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * The age check of the coarse-clock dump tests ({@link TaskDumpStaleAgeTest},
 * {@link TaskDumpHeartbeatBlockedTest}): let the clock go stale, spawn a task from outside, and
 * assert a dump shows it about as old as it really is.
 */
final class TaskDumpAgeAssertions {

    private TaskDumpAgeAssertions() {
    }

    /** A latch with a timeout that nobody counts down: a bounded wait, not a sleep on a condition. */
    static void letTheCoarseClockGoStale() throws InterruptedException {
        new CountDownLatch(1).await(2, TimeUnit.SECONDS);
    }

    /** Spawns "fresh" from this thread (no worker) and asserts a dump shows it no more than 500 ms older than it is. */
    static void assertFreshAfterSpawnFromOutside(AsyncRuntime runtime) throws InterruptedException {
        CountDownLatch polled = new CountDownLatch(1);
        long spawnedAt = System.nanoTime();
        runtime.spawn(Task.run(polled::countDown).flatMap(v -> Task.never()), Priority.NORMAL, "fresh");
        assertThat(polled.await(30, TimeUnit.SECONDS)).isTrue();
        TaskDump dump = runtime.taskDump();
        long realAgeMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - spawnedAt);
        TaskDump.TaskInfo fresh = dump.tasks().stream().filter(t -> t.name().equals("fresh")).findFirst().orElseThrow();
        // The coarse clock's documented error: a heartbeat period (25 ms here) or the polls of one
        // event interval, plus the 16.8 ms unit of the spawn stamp; 500 ms is far more than either.
        assertThat(fresh.age()).as("age of a task spawned %d ms ago", realAgeMillis)
                .isLessThan(Duration.ofMillis(realAgeMillis + 500));
    }
}
