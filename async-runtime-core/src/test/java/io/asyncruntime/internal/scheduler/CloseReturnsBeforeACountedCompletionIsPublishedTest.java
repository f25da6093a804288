package io.asyncruntime.internal.scheduler;

import static io.asyncruntime.internal.scheduler.RuntimeInternals.schedulerOf;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.asyncruntime.AsyncRuntime;
import io.asyncruntime.ShutdownReport;
import io.asyncruntime.task.Priority;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Regression (issue 10, "every handle completes"; reg10g saw {@code YieldPathTest
 * .closeCompletesEveryTaskThatOnlyYields} fail once on a loaded box): a cell counts its completion
 * in the registry before it publishes COMPLETE. A worker that outlived the shutdown's stop budget
 * was waited for on the counts alone ({@code GracefulShutdown.liveWhileFalling}); they said no
 * task was live while that worker sat between the count and the CAS, and
 * {@code shutdownGracefully} returned with that task's handle not done. Now the report's counts
 * are read once every completion they count is published
 * ({@link SchedulerShutdown#awaitCompletionsPublished}).
 *
 * <p>How the worker is held in that window: the cell's {@link CellScheduler} is a test double, the
 * real shard with a latch after {@link CellScheduler#unregister} (which counts the completion), so
 * the completion path of production cells gains nothing, not even a folded test flag: the cell
 * calls the same interface method at the same point, and only this test's cell has a different
 * implementation behind it. The hold lasts until the shutdown either returns (the defect) or
 * waits on the registry for the publication (the fix: it parks with the registry as its blocker;
 * with no task live by the counts, nothing else in the shutdown parks there).
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class CloseReturnsBeforeACountedCompletionIsPublishedTest {

    @Test
    void aTaskCountedCompleteHasADoneHandleWhenTheShutdownReturns() throws Exception {
        AsyncRuntime runtime = AsyncRuntime.builder().workerThreads(1).build();
        Scheduler scheduler = schedulerOf(runtime);
        TaskRegistry registry = scheduler.registry();
        CountDownLatch counted = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        TaskShard shard = registry.outsideShard(Priority.NORMAL.ordinal()); // linked by the test itself, as a spawn from outside is by its taker
        HoldAfterCount holder = new HoldAfterCount(shard, counted, release);
        TaskCell<String> cell = TaskCell.create(holder, (Callable<String>) () -> "value", TaskCell.CALLABLE,
                Priority.NORMAL, "held-between-count-and-complete");
        shard.register(cell, true);
        scheduler.schedule(cell, false);
        AtomicBoolean doneAtReturn = new AtomicBoolean();
        AtomicReference<ShutdownReport> report = new AtomicReference<>();
        Thread closer = new Thread(() -> {
            // One second: the stop budget the worker outlives (held), then at most that long for the publication.
            report.set(runtime.shutdownGracefully(Duration.ofSeconds(1)));
            doneAtReturn.set(cell.isDone());
        }, "closer");
        try {
            assertThat(counted.await(30, TimeUnit.SECONDS)).isTrue();
            assertThat(registry.liveTasksHint()).as("counted, so no task is live by the counts").isZero();
            assertThat(cell.isDone()).as("not published yet").isFalse();

            closer.start();
            await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(1))
                    .until(() -> !closer.isAlive() || LockSupport.getBlocker(closer) == registry);
        } finally {
            release.countDown();
        }
        closer.join(TimeUnit.SECONDS.toMillis(30));

        assertThat(closer.isAlive()).isFalse();
        assertThat(doneAtReturn.get()).as("the handle of a task the counts call finished is done when the shutdown returns, "
                + report.get()).isTrue();
        assertThat(cell.get(10, TimeUnit.SECONDS)).isEqualTo("value");
    }

    /** The real shard, except that a completion, once counted, waits for {@code release} before it is published. */
    private static final class HoldAfterCount implements CellScheduler {

        private final TaskShard shard;
        private final CountDownLatch counted;
        private final CountDownLatch release;

        HoldAfterCount(TaskShard shard, CountDownLatch counted, CountDownLatch release) {
            this.shard = shard;
            this.counted = counted;
            this.release = release;
        }

        @Override
        public void schedule(ScheduledTask task, boolean isYield) {
            shard.schedule(task, isYield);
        }

        @Override
        public void taskCompleted() {
            shard.taskCompleted();
        }

        @Override
        public long coarseNanos() {
            return shard.coarseNanos();
        }

        @Override
        public String abortReason() {
            return shard.abortReason();
        }

        @Override
        public void unregister(TaskCell<?> cell) {
            shard.unregister(cell); // the completion is counted: the worker is in the window from here
            counted.countDown();
            boolean interrupted = false;
            for (;;) {
                try {
                    release.await(); // bounded: the test releases it in a finally
                    break;
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }

        @Override
        public void finished(TaskCell<?> cell) {
            shard.finished(cell);
        }
    }
}
