package io.asyncruntime.internal.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Review of clock10 (review28): the scheduler trusts the heartbeat to keep the coarse clock (its
 * spawns from outside read no clock), so a sample that fails must not cost the heartbeat. The
 * heartbeat is called after the sample in the same try: a failing sample skips it, every period
 * it fails.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class StallDetectorHeartbeatTest {

    /** One worker whose stamp cannot be read; counts heartbeats. */
    private static final class FailingWorkers implements StallTarget {
        final CountDownLatch heartbeats = new CountDownLatch(3);

        @Override
        public int workerCount() {
            return 1;
        }

        @Override
        public long pollStamp(int worker) {
            throw new IllegalStateException("review28: a sample that fails");
        }

        @Override
        public String pollingTaskName(int worker) {
            return null;
        }

        @Override
        public Thread workerThread(int worker) {
            return null;
        }

        @Override
        public void markStalled(int worker, long stamp) {
        }

        @Override
        public void stallEnded(int worker) {
        }

        @Override
        public void attendDriver() {
        }

        @Override
        public void heartbeat() {
            heartbeats.countDown();
        }
    }

    @Test
    void heartbeatsGoOnWhenSamplesFail() throws Exception {
        FailingWorkers target = new FailingWorkers();
        StallDetector detector = new StallDetector(target, Duration.ofMillis(20), "review28-stall-detector", () -> 0L);
        detector.start();
        try {
            // Three periods are 15 ms; 5 s is a bounded wait far beyond them.
            assertThat(target.heartbeats.await(5, TimeUnit.SECONDS)).as("heartbeats while every sample fails").isTrue();
        } finally {
            detector.stop();
        }
    }
}
