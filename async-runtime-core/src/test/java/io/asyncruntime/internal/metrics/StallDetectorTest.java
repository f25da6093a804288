package io.asyncruntime.internal.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The detector's rules on a scripted clock and scripted workers: when a stamp counts as stalled,
 * once per poll, GC pauses and pauses of the detector itself not blamed on the worker.
 */
class StallDetectorTest {

    private static final long MS = 1_000_000L;

    /** Two workers whose stamps the test sets; records what the detector tells it. */
    private static final class ScriptedWorkers implements StallTarget {
        final long[] stamps = {PARKED, PARKED};
        final List<String> calls = new ArrayList<>();

        @Override
        public int workerCount() {
            return stamps.length;
        }

        @Override
        public long pollStamp(int worker) {
            return stamps[worker];
        }

        @Override
        public String pollingTaskName(int worker) {
            return "task-of-" + worker;
        }

        @Override
        public Thread workerThread(int worker) {
            return Thread.currentThread();
        }

        @Override
        public void markStalled(int worker, long stamp) {
            calls.add("stalled " + worker + "@" + stamp);
        }

        @Override
        public void stallEnded(int worker) {
            calls.add("ended " + worker);
        }

        @Override
        public void attendDriver() {
            driverChecks++;
        }

        int driverChecks;
    }

    private final ScriptedWorkers workers = new ScriptedWorkers();
    private final StallDetector detector = new StallDetector(workers, Duration.ofMillis(100), "test-stall", () -> 0);

    @Test
    void aPollLongerThanTheThresholdIsReportedOnceAndEndsWithTheNextPoll() {
        workers.stamps[0] = 7;
        detector.sample(0, 0, false);
        detector.sample(60 * MS, 0, false);
        assertThat(workers.calls).isEmpty();
        detector.sample(100 * MS, 0, false);
        assertThat(workers.calls).containsExactly("stalled 0@7");
        assertThat(detector.stalls()).isEqualTo(1);
        assertThat(detector.ongoingStalls()).isEqualTo(1);
        detector.sample(400 * MS, 0, false);
        detector.sample(900 * MS, 0, false);
        assertThat(detector.stalls()).isEqualTo(1); // never twice for one poll
        workers.stamps[0] = 8;
        detector.sample(925 * MS, 0, false);
        assertThat(workers.calls).containsExactly("stalled 0@7", "ended 0");
        assertThat(detector.ongoingStalls()).isZero();
        detector.sample(1_025 * MS, 0, false); // the next poll is long too: a new stall
        assertThat(workers.calls).containsExactly("stalled 0@7", "ended 0", "stalled 0@8");
        assertThat(detector.stalls()).isEqualTo(2);
        assertThat(detector.ongoingStalls()).isEqualTo(1);
    }

    @Test
    void parkedWorkersAndWorkersThatMoveOnAreNeverStalled() {
        for (long t = 0; t < 2_000; t += 25) {
            workers.stamps[1] = t; // polls something new every sample
            detector.sample(t * MS, 0, false);
        }
        assertThat(workers.calls).isEmpty(); // worker 0 stayed parked throughout
        assertThat(workers.driverChecks).isZero(); // and no poll lasted a period: nothing to attend
    }

    @Test
    void aPollThatSpansAPeriodHasTheDriverAttendedLongBeforeItIsAStall() {
        workers.stamps[1] = 4;
        detector.sample(0, 0, false);
        assertThat(workers.driverChecks).isZero(); // first sight of this poll
        detector.sample(25 * MS, 0, false);
        assertThat(workers.driverChecks).isEqualTo(1); // the same poll a period later: not a stall yet
        assertThat(workers.calls).isEmpty();
        detector.sample(50 * MS, 0, false);
        detector.sample(100 * MS, 0, false);
        assertThat(workers.driverChecks).isEqualTo(3); // every period the poll goes on, stall or not
        assertThat(workers.calls).containsExactly("stalled 1@4");
        workers.stamps[1] = StallTarget.PARKED;
        detector.sample(125 * MS, 0, false);
        assertThat(workers.driverChecks).isEqualTo(3);
    }

    @Test
    void garbageCollectionPausesInThePollDoNotCount() {
        workers.stamps[0] = 3;
        detector.sample(0, 1_000, false);
        // 150 ms in the poll, 80 ms of which the JVM was in GC pauses: 70 ms of the task's own.
        detector.sample(150 * MS, 1_080, false);
        assertThat(workers.calls).isEmpty();
        detector.sample(180 * MS, 1_080, false); // 100 ms of its own now
        assertThat(workers.calls).containsExactly("stalled 0@3");
    }

    @Test
    void aPauseOfTheDetectorItselfRestartsTheTiming() {
        workers.stamps[0] = 5;
        detector.sample(0, 0, false);
        detector.sample(500 * MS, 0, true); // the detector woke 500 ms late: the process was frozen
        assertThat(workers.calls).isEmpty();
        detector.sample(560 * MS, 0, false);
        assertThat(workers.calls).isEmpty();
        detector.sample(600 * MS, 0, false);
        assertThat(workers.calls).containsExactly("stalled 0@5");
    }

    @Test
    void onlyTheCollectorBeansThatMeasurePausesCount() {
        for (String pauses : List.of("G1 Young Generation", "G1 Old Generation", "G1 Concurrent GC", "PS Scavenge",
                "PS MarkSweep", "Copy", "MarkSweepCompact", "ZGC Pauses", "ZGC Minor Pauses", "ZGC Major Pauses",
                "Shenandoah Pauses")) {
            assertThat(GcPauses.countsAsPause(pauses)).as(pauses).isTrue();
        }
        for (String concurrent : List.of("ZGC Cycles", "ZGC Minor Cycles", "ZGC Major Cycles", "Shenandoah Cycles")) {
            assertThat(GcPauses.countsAsPause(concurrent)).as(concurrent).isFalse();
        }
        // This JVM's collectors, whichever they are, report pause time that only grows.
        long before = new GcPauses().totalMillis();
        System.gc();
        assertThat(new GcPauses().totalMillis()).isGreaterThanOrEqualTo(before);
    }

    @Test
    void theLatestStallsAreKeptOldestFirstUpToTheCap() {
        assertThat(detector.recentStalls()).isEmpty();
        long now = 0;
        for (int stamp = 1; stamp <= StallDetector.RECENT_STALLS + 3; stamp++) {
            workers.stamps[0] = stamp;
            detector.sample(now, 0, false);
            now += 100 * MS;
            detector.sample(now, 0, false); // 100 ms in this poll: a stall
            now += 25 * MS;
        }
        List<StallDetector.RecentStall> recent = detector.recentStalls();
        assertThat(detector.stalls()).isEqualTo(StallDetector.RECENT_STALLS + 3);
        assertThat(recent).hasSize(StallDetector.RECENT_STALLS);
        assertThat(recent).allSatisfy(stall -> {
            assertThat(stall.worker()).isEqualTo(Thread.currentThread().getName());
            assertThat(stall.task()).isEqualTo("task-of-0");
            assertThat(stall.inPollNanos()).isEqualTo(100 * MS);
            assertThat(stall.detectedAtMillis()).isPositive();
        });
        assertThat(recent.get(0).detectedAtMillis()).isLessThanOrEqualTo(recent.get(recent.size() - 1).detectedAtMillis());
    }
}
