package io.asyncruntime.internal.scheduler;

import static io.asyncruntime.internal.scheduler.RuntimeInternals.schedulerOf;
import static org.assertj.core.api.Assertions.assertThat;

import io.asyncruntime.AsyncRuntime;
import io.asyncruntime.ShutdownReport;
import io.asyncruntime.task.Poll;
import io.asyncruntime.task.Priority;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * review29 (lazy10c): review26 F1 again, for a first poll that calls {@code blockInPlace} after the
 * shutdown's abort began (REFUSING_ALL). {@code LazyLink.linkBeforeHandOver} is refused then, so
 * the cell stays unlinked, and the hand-over takes its poll out of the worker's context: the
 * cell is in no shard, no queue and no worker's context for as long as it blocks. The report's
 * "still running" (a dump's RUNNING count) misses a task that is inside a poll that did not
 * return, the very thing it reports. Before lazy linking (main) the cell was linked from its
 * spawn and counted. This is the second "Not covered" case of {@code SchedulerShutdown.unfinishedCells}:
 * it is not harmless, and its window is wide (any first poll still running at the deadline that
 * then blocks in place: a compute-then-JDBC task, typically the kind still running at the abort).
 *
 * <p>No sleeps: the first poll holds its worker until it sees REFUSING_ALL ({@link AbortWatcher},
 * bounded), then blocks in place until the test ends (a latch, bounded).
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class LazyLinkReview29BlockInPlaceAfterAbortTest {

    private AsyncRuntime runtime;
    private final CountDownLatch release = new CountDownLatch(1);

    @AfterEach
    void close() {
        release.countDown();
        if (runtime != null) {
            runtime.close();
        }
    }

    @Test
    void aFirstPollThatBlocksInPlaceAfterTheAbortBeganIsReportedStillRunning() throws Exception {
        runtime = AsyncRuntime.builder().workerThreads(2).threadNamePrefix("r29-bip-")
                .stallThreshold(Duration.ofHours(1)).build();
        TaskRegistry registry = schedulerOf(runtime).registry();
        CountDownLatch entered = new CountDownLatch(1);
        CountDownLatch blocking = new CountDownLatch(1);
        runtime.spawn(() -> {
            // A worker's spawn: counted, not linked until its first pending return (LazyLink).
            AsyncRuntime.current().spawn(cx -> {
                entered.countDown();
                AbortWatcher.awaitTheAbort(registry); // still in its first poll at the deadline
                AsyncRuntime.blockInPlace(() -> {
                    blocking.countDown();
                    return release.await(30, TimeUnit.SECONDS); // ignores cancellation, bounded
                });
                return Poll.ready(1);
            }, Priority.NORMAL, "blocks-in-place-after-abort");
        }).get(10, TimeUnit.SECONDS);
        assertThat(entered.await(10, TimeUnit.SECONDS)).isTrue();

        ShutdownReport report = runtime.shutdownGracefully(Duration.ofMillis(200));
        runtime = null;
        assertThat(blocking.getCount()).as("the first poll blocked in place during the shutdown").isZero();
        assertThat(report.stillRunning())
                .as("a task inside a poll that did not return by the deadline (blockInPlace after the abort began): %s", report)
                .isEqualTo(1);
    }
}
