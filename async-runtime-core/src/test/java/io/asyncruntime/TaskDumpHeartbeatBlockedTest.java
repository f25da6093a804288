package io.asyncruntime;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.OutputStream;
import java.io.PrintStream;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Review of clock10 (review28): with stall detection on, a spawn from outside reads no clock and
 * trusts the stall detector's heartbeat to keep the coarse clock. The heartbeat runs on the
 * detector's thread after its sample, and a sample that reports a stall logs it synchronously. If
 * that log blocks (a stderr pipe nobody drains, an appender stuck like the stalled worker), no
 * heartbeat follows: with one worker stuck and the other parked, nothing refreshes the clock, and
 * a task spawned from outside is shown in a dump as old as the stall (the very situation a dump
 * diagnoses). Without stall detection the spawn reads the clock and the age is right.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class TaskDumpHeartbeatBlockedTest {

    @Test
    void aTaskSpawnedJustNowIsNotShownSecondsOldWhileTheStallReportIsBlocked() throws Exception {
        CountDownLatch detectorBlocked = new CountDownLatch(1);
        CountDownLatch unblock = new CountDownLatch(1);
        PrintStream err = System.err;
        // Blocks the stall detector's writes only (slf4j-simple logs to System.err).
        System.setErr(new PrintStream(new OutputStream() {
            @Override
            public void write(int b) {
                if (Thread.currentThread().getName().contains("stall-detector")) {
                    detectorBlocked.countDown();
                    try {
                        unblock.await(30, TimeUnit.SECONDS);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }
                err.write(b);
            }
        }, true));
        AsyncRuntime runtime = AsyncRuntime.builder().workerThreads(2).shutdownTimeout(Duration.ofMillis(200))
                .stallThreshold(Duration.ofMillis(100)).build();
        CountDownLatch stuck = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        runtime.spawn(() -> {
            stuck.countDown();
            release.await(30, TimeUnit.SECONDS); // a worker stuck in one long poll
            return null;
        });
        try {
            assertThat(stuck.await(30, TimeUnit.SECONDS)).isTrue();
            assertThat(detectorBlocked.await(30, TimeUnit.SECONDS)).isTrue(); // it reported the stall
            TaskDumpAgeAssertions.letTheCoarseClockGoStale();
            TaskDumpAgeAssertions.assertFreshAfterSpawnFromOutside(runtime);
        } finally {
            unblock.countDown();
            release.countDown();
            runtime.close();
            System.setErr(err);
        }
    }
}
