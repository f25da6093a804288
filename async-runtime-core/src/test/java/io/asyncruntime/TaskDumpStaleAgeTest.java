package io.asyncruntime;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Cells are stamped from the registry's coarse clock, which a driver turn, a worker back from
 * parking, the stall detector's heartbeat, or (without a heartbeat) an outside spawn while a
 * worker is parked refreshes. A task spawned from outside while nothing else refreshes it must not
 * show up in a dump as seconds old:
 * <ul>
 *   <li>one worker stuck in a long poll (the situation a task dump is taken to diagnose) and the
 *       other parked (review of issue 10: failed on accb510, when only an all-parked runtime made
 *       an outside spawn read the clock);</li>
 *   <li>both workers parked for a while (the spawn wakes one, which refreshes the clock only
 *       after the cell was stamped).</li>
 * </ul>
 * Each with stall detection on (the heartbeat keeps the clock, clock10: outside spawns read no
 * clock) and off (outside spawns read the clock while a worker is parked).
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class TaskDumpStaleAgeTest {

    @ParameterizedTest(name = "stall threshold {0} ms")
    @ValueSource(longs = {100, 0})
    void aTaskSpawnedJustNowIsNotShownSecondsOldWhileAnotherWorkerIsStuck(long stallThresholdMillis) throws Exception {
        AsyncRuntime runtime = runtime(stallThresholdMillis);
        CountDownLatch stuck = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        runtime.spawn(() -> {
            stuck.countDown();
            release.await(); // one worker stuck in a poll; the other has nothing to do and parks
            return null;
        });
        try {
            assertThat(stuck.await(30, TimeUnit.SECONDS)).isTrue();
            TaskDumpAgeAssertions.letTheCoarseClockGoStale();
            TaskDumpAgeAssertions.assertFreshAfterSpawnFromOutside(runtime);
        } finally {
            release.countDown();
            runtime.close();
        }
    }

    @ParameterizedTest(name = "stall threshold {0} ms")
    @ValueSource(longs = {100, 0})
    void aTaskSpawnedJustNowIsNotShownSecondsOldAfterTheRuntimeIdled(long stallThresholdMillis) throws Exception {
        AsyncRuntime runtime = runtime(stallThresholdMillis);
        try {
            TaskDumpAgeAssertions.letTheCoarseClockGoStale(); // both workers parked, no driver turns
            TaskDumpAgeAssertions.assertFreshAfterSpawnFromOutside(runtime);
        } finally {
            runtime.close();
        }
    }

    private static AsyncRuntime runtime(long stallThresholdMillis) {
        return AsyncRuntime.builder().workerThreads(2).shutdownTimeout(Duration.ofMillis(200))
                .stallThreshold(Duration.ofMillis(stallThresholdMillis)).build();
    }
}
