package io.asyncruntime.internal.scheduler;

import static io.asyncruntime.internal.scheduler.CountedNotPublishedFixture.cell;
import static io.asyncruntime.internal.scheduler.CountedNotPublishedFixture.leaveAndCountOnTheWorker;
import static io.asyncruntime.internal.scheduler.RuntimeInternals.schedulerOf;
import static org.assertj.core.api.Assertions.assertThat;

import io.asyncruntime.AsyncRuntime;
import io.asyncruntime.internal.scheduler.CountedNotPublishedFixture.PublicationWait;
import io.asyncruntime.task.Priority;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Regression test for review26 F2 (lazy10): {@link SchedulerShutdown#awaitCompletionsPublished} (the fix of
 * {@code CloseReturnsBeforeACountedCompletionIsPublishedTest}) relies on "every uncounted cell is
 * linked (cells leave only after COMPLETE)": a thread between a cell's count
 * ({@link CellScheduler#unregister}) and its COMPLETE is seen as an unfinished cell of a shard. With
 * lazy linking a worker's spawn that completes in its first poll is never linked, and the poller
 * no longer shows it once it left the poll, so a completion counted and not published is seen
 * nowhere: the wait returns at once, and {@code shutdownGracefully} can return with that handle
 * not done (the defect reg10g saw). The window is the thread's pause between the count and the
 * CAS; here it is held open by counting the completion by hand ({@code unregister}, the exact call
 * the completing thread makes first) and not publishing it.
 *
 * <p>The linked variant: the cell counted in by {@link TaskShard#register} (linked, as every spawn
 * before lazy linking), counted out by hand. The unlinked variant: counted in by
 * {@link TaskShard#admit} (a worker's spawn now), and left by a worker's poll as
 * {@code TaskCell.run} leaves a first poll that returns ready (its poll context's {@code leave},
 * then the count), on the worker's thread, inside another task's poll that then holds the worker
 * (so nothing else polls there meanwhile). Fixed by the poll context keeping the last cell left
 * visible to the wait ({@link PollContext}, "The last cell left stays visible"); the unlinked
 * variant failed before (the wait returned at once).
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class LazyLinkCountedNotPublishedTest {

    @Test
    void aLinkedCellCountedButNotPublishedIsWaitedFor() throws Exception {
        assertTheWaitWaitsForALinkedCell();
    }

    @Test
    void anUnlinkedCellLeftByAWorkersPollCountedButNotPublishedIsWaitedFor() throws Exception {
        AsyncRuntime runtime = AsyncRuntime.builder().workerThreads(1).build();
        Scheduler scheduler = schedulerOf(runtime);
        TaskRegistry registry = scheduler.registry();
        TaskShard shard = registry.outsideShard(Priority.NORMAL.ordinal());
        TaskCell<String> cell = cell(shard, "counted-not-published");
        CountDownLatch release = new CountDownLatch(1);
        try {
            shard.admit(cell); // a worker's spawn: counted, marked unlinked
            // Its first poll, which returns ready: TaskCell.run leaves, then completes: counts and
            // pauses before its COMPLETE CAS; the holder's poll keeps the worker until released.
            leaveAndCountOnTheWorker(runtime, shard, cell, release);
            registry.refuseAll();
            assertThat(cell.isDone()).isFalse();

            PublicationWait wait = PublicationWait.start(scheduler, "awaiter");
            assertThat(wait.returnedRatherThanParked())
                    .as("the wait returned with a counted completion unpublished (a handle not done)").isFalse();
            release.countDown();
            wait.join();
        } finally {
            release.countDown();
            runtime.shutdownGracefully(Duration.ofMillis(100));
        }
    }

    private static void assertTheWaitWaitsForALinkedCell() throws Exception {
        AsyncRuntime runtime = AsyncRuntime.builder().workerThreads(1).build();
        Scheduler scheduler = schedulerOf(runtime);
        TaskRegistry registry = scheduler.registry();
        TaskShard shard = registry.outsideShard(Priority.NORMAL.ordinal());
        TaskCell<String> cell = cell(shard, "counted-not-published");
        try {
            shard.register(cell, false); // linked at once
            registry.refuseAll();
            shard.unregister(cell); // the completing thread counted it and pauses before its COMPLETE CAS
            assertThat(registry.liveTasksHint()).isZero();
            assertThat(cell.isDone()).isFalse();

            PublicationWait wait = PublicationWait.start(scheduler, "awaiter");
            assertThat(wait.returnedRatherThanParked())
                    .as("the wait returned with a counted completion unpublished (a handle not done)").isFalse();
            wait.join();
        } finally {
            runtime.shutdownGracefully(Duration.ofMillis(100));
        }
    }
}
