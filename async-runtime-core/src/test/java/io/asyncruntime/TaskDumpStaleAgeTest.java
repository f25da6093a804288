package io.asyncruntime;

import static org.assertj.core.api.Assertions.assertThat;

import io.asyncruntime.task.Priority;
import io.asyncruntime.task.Task;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Regression (review of issue 10): cells are stamped from the registry's coarse clock, which only a driver
 * turn, a worker back from parking, or an outside spawn while <em>all</em> workers are parked
 * refreshes ({@code Scheduler.spawnBody}: {@code idle.allParked()}; TaskRegistry's comment says
 * "when a worker is parked"). With one worker stuck in a long poll (the situation a task dump is
 * taken to diagnose) and the other parked, nothing refreshes it: a task spawned from outside now
 * is stamped with the time of the last refresh, and the dump shows it seconds old. Now an outside
 * spawn refreshes the clock when any worker is parked.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class TaskDumpStaleAgeTest {

    @Test
    void aTaskSpawnedJustNowIsNotShownSecondsOldWhileAnotherWorkerIsStuck() throws Exception {
        AsyncRuntime runtime = AsyncRuntime.builder().workerThreads(2).shutdownTimeout(Duration.ofMillis(200)).build();
        CountDownLatch stuck = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        runtime.spawn(() -> {
            stuck.countDown();
            release.await(); // one worker stuck in a poll; the other has nothing to do and parks
            return null;
        });
        try {
            assertThat(stuck.await(30, TimeUnit.SECONDS)).isTrue();
            // Let the coarse clock go stale (the other worker parked, no driver turns); a latch
            // with a timeout that nobody counts down is a bounded wait, not a sleep on a condition.
            new CountDownLatch(1).await(2, TimeUnit.SECONDS);
            CountDownLatch polled = new CountDownLatch(1);
            long spawnedAt = System.nanoTime();
            runtime.spawn(Task.run(polled::countDown).flatMap(v -> Task.never()), Priority.NORMAL, "fresh");
            assertThat(polled.await(30, TimeUnit.SECONDS)).isTrue();
            TaskDump dump = runtime.taskDump();
            long realAgeMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - spawnedAt);
            TaskDump.TaskInfo fresh = dump.tasks().stream().filter(t -> t.name().equals("fresh")).findFirst().orElseThrow();
            // The coarse clock's documented error: the polls of one event interval (and the
            // 16.8 ms unit of the spawn stamp); 500 ms is far more than either.
            assertThat(fresh.age()).as("age of a task spawned %d ms ago", realAgeMillis)
                    .isLessThan(Duration.ofMillis(realAgeMillis + 500));
        } finally {
            release.countDown();
            runtime.close();
        }
    }
}
