package io.asyncruntime.internal.scheduler;

import static io.asyncruntime.internal.scheduler.RuntimeInternals.schedulerOf;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.asyncruntime.AsyncRuntime;
import io.asyncruntime.ShutdownReport;
import io.asyncruntime.TaskDump;
import io.asyncruntime.task.JoinHandle;
import io.asyncruntime.task.Poll;
import io.asyncruntime.task.Priority;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * review31: review26 F1 and review29's block-in-place-after-the-abort case, for a spawn from
 * outside the workers. Since cell10 the worker that takes such a spawn out of the inject queue
 * hands it to lazy linking (it is not linked at the take any more), so a first poll of it that
 * calls {@code blockInPlace} takes LazyLink's hand-over link into the lane's outside shard. The
 * task stays visible for as long as it blocks (the dump lists it RUNNING, the shutdown report
 * counts it still running), also when it blocks in place after the abort began, and it is linked
 * exactly once.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class OutsideSpawnFirstPollInBlockInPlaceTest {

    private AsyncRuntime runtime;
    private final CountDownLatch release = new CountDownLatch(1);

    @AfterEach
    void close() {
        release.countDown();
        if (runtime != null) {
            runtime.close();
        }
    }

    private AsyncRuntime start(String prefix) {
        runtime = AsyncRuntime.builder().workerThreads(2).threadNamePrefix(prefix).stallThreshold(Duration.ofHours(1))
                .build();
        return runtime;
    }

    /** A spawn from this thread (from outside) whose first poll runs {@code before}, then blocks in place. */
    private JoinHandle<Integer> spawnFromOutside(String name, CountDownLatch entered, Runnable before,
            CountDownLatch blocking) {
        return runtime.spawn(cx -> {
            entered.countDown();
            before.run();
            AsyncRuntime.blockInPlace(() -> {
                blocking.countDown();
                return release.await(30, TimeUnit.SECONDS); // bounded
            });
            return Poll.ready(1);
        }, Priority.NORMAL, name);
    }

    @Test
    void aSpawnFromOutsideInBlockInPlaceDuringItsFirstPollIsInTheDumpAndLinkedOnce() throws Exception {
        start("r31-bip-dump-");
        TaskRegistry registry = schedulerOf(runtime).registry();
        CountDownLatch entered = new CountDownLatch(1);
        CountDownLatch blocking = new CountDownLatch(1);
        JoinHandle<Integer> blocked = spawnFromOutside("outside-in-block-in-place", entered, () -> { },
                blocking);
        assertThat(blocking.await(10, TimeUnit.SECONDS)).isTrue();
        try {
            List<TaskDump.TaskInfo> tasks = runtime.taskDump().tasks();
            assertThat(tasks).anyMatch(t -> t.name().equals("outside-in-block-in-place")
                    && t.state() == TaskDump.State.RUNNING);
            TaskShard outside = registry.outsideShard(Priority.NORMAL.ordinal());
            assertThat(outside.snapshotAll()).containsExactly((TaskCell<?>) blocked);
            assertThat(outside.linkedCount()).isEqualTo(1);
        } finally {
            release.countDown();
        }
        assertThat(blocked.get(10, TimeUnit.SECONDS)).isEqualTo(1);
    }

    @Test
    void aSpawnFromOutsideStuckInBlockInPlaceDuringItsFirstPollIsReportedStillRunning() throws Exception {
        start("r31-bip-report-");
        CountDownLatch entered = new CountDownLatch(1);
        CountDownLatch blocking = new CountDownLatch(1);
        spawnFromOutside("outside-stuck-in-block-in-place", entered, () -> { }, blocking);
        assertThat(blocking.await(10, TimeUnit.SECONDS)).isTrue();
        ShutdownReport report = runtime.shutdownGracefully(Duration.ofMillis(200));
        runtime = null;
        assertThat(report.stillRunning()).as("%s", report).isEqualTo(1);
        assertThat(report.liveAtStart() + report.spawnedDuringShutdown()).isEqualTo(report.completed() + report.aborted());
    }

    @Test
    void aSpawnFromOutsideThatBlocksInPlaceAfterTheAbortBeganIsReportedStillRunning() throws Exception {
        start("r31-bip-abort-");
        TaskRegistry registry = schedulerOf(runtime).registry();
        CountDownLatch entered = new CountDownLatch(1);
        CountDownLatch blocking = new CountDownLatch(1);
        JoinHandle<Integer> handle = spawnFromOutside("outside-blocks-in-place-after-abort", entered,
                () -> AbortWatcher.awaitTheAbort(registry), blocking);
        assertThat(entered.await(10, TimeUnit.SECONDS)).isTrue();
        ShutdownReport report = runtime.shutdownGracefully(Duration.ofMillis(200));
        runtime = null;
        assertThat(blocking.getCount()).as("the first poll blocked in place during the shutdown").isZero();
        assertThat(report.stillRunning()).as("%s", report).isEqualTo(1);
        TaskShard outside = registry.outsideShard(Priority.NORMAL.ordinal());
        assertThat(outside.linkedCount()).as("linked once, at the hand-over").isEqualTo(1);
        release.countDown();
        // Marked cancelled at the hand-over link (the abort had begun): its ready return still
        // completes it, with the cancellation winning or the value; either way it is done.
        await().atMost(Duration.ofSeconds(10)).until(handle::isDone);
    }
}
