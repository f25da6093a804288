package io.asyncruntime;

import static org.assertj.core.api.Assertions.assertThat;

import io.asyncruntime.task.JoinHandle;
import io.asyncruntime.task.Poll;
import io.asyncruntime.task.Priority;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Regression test for review26 F1 (lazy10, lazy linking): a task spawned on a worker is linked at
 * its first pending return; until then a dump finds it in its worker's poll ({@code PollContext.shown()}).
 * A first poll that calls {@code blockInPlace} hands the worker (with a new poll context) to
 * another thread and keeps polling on this one: the cell was in no shard and in no worker's
 * context, so the dump, and the shutdown report's "still running" (read through the same walk),
 * missed a live task that is inside a poll. Before lazy linking it was linked from its spawn and
 * listed as RUNNING. Fixed by linking a first poll's cell before the hand-over
 * ({@code LazyLink.linkBeforeHandOver}).
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class LazyLinkFirstPollInBlockInPlaceTest {

    private AsyncRuntime runtime;

    @AfterEach
    void close() {
        if (runtime != null) {
            runtime.close();
        }
    }

    /** Spawns, from a worker (a worker's spawn: lazily linked), a task whose first poll blocks in place until released. */
    private JoinHandle<Integer> spawnOnWorkerBlockingInPlace(String name, CountDownLatch entered, CountDownLatch release,
            boolean inPlace) throws Exception {
        AtomicReference<JoinHandle<Integer>> child = new AtomicReference<>();
        runtime.spawn(() -> {
            child.set(AsyncRuntime.current().spawn(cx -> {
                if (inPlace) {
                    AsyncRuntime.blockInPlace(() -> {
                        entered.countDown();
                        return release.await(30, TimeUnit.SECONDS); // bounded
                    });
                } else {
                    entered.countDown();
                    release.await(30, TimeUnit.SECONDS);
                }
                return Poll.ready(1);
            }, Priority.NORMAL, name));
        }).get(10, TimeUnit.SECONDS);
        assertThat(entered.await(10, TimeUnit.SECONDS)).isTrue();
        return child.get();
    }

    @Test
    void aTaskInBlockInPlaceDuringItsFirstPollIsInTheDump() throws Exception {
        runtime = AsyncRuntime.builder().workerThreads(2).threadNamePrefix("r26-dump-").stallThreshold(Duration.ofHours(1)).build();
        CountDownLatch entered = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        JoinHandle<Integer> blocked = spawnOnWorkerBlockingInPlace("in-block-in-place", entered, release, true);
        try {
            List<TaskDump.TaskInfo> tasks = runtime.taskDump().tasks();
            assertThat(tasks).as("the dump of a runtime with one live task, inside blockInPlace in its first poll")
                    .anyMatch(t -> t.name().equals("in-block-in-place") && t.state() == TaskDump.State.RUNNING);
        } finally {
            release.countDown();
        }
        assertThat(blocked.get(10, TimeUnit.SECONDS)).isEqualTo(1);
    }

    /** Control: the same first poll without blockInPlace is found (in its worker's poll context). */
    @Test
    void aTaskBlockingItsWorkerDuringItsFirstPollIsInTheDump() throws Exception {
        runtime = AsyncRuntime.builder().workerThreads(2).threadNamePrefix("r26-dump-").stallThreshold(Duration.ofHours(1)).build();
        CountDownLatch entered = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        JoinHandle<Integer> blocked = spawnOnWorkerBlockingInPlace("blocking-its-worker", entered, release, false);
        try {
            List<TaskDump.TaskInfo> tasks = runtime.taskDump().tasks();
            assertThat(tasks).anyMatch(t -> t.name().equals("blocking-its-worker") && t.state() == TaskDump.State.RUNNING);
        } finally {
            release.countDown();
        }
        assertThat(blocked.get(10, TimeUnit.SECONDS)).isEqualTo(1);
    }

    @Test
    void theShutdownReportCountsATaskStuckInBlockInPlaceDuringItsFirstPollAsStillRunning() throws Exception {
        runtime = AsyncRuntime.builder().workerThreads(2).threadNamePrefix("r26-report-").stallThreshold(Duration.ofHours(1)).build();
        CountDownLatch entered = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        spawnOnWorkerBlockingInPlace("stuck-in-block-in-place", entered, release, true);
        ShutdownReport report;
        try {
            report = runtime.shutdownGracefully(Duration.ofMillis(200));
        } finally {
            release.countDown();
        }
        assertThat(report.stillRunning()).as("tasks inside a poll that did not return by the deadline: %s", report)
                .isEqualTo(1);
    }
}
