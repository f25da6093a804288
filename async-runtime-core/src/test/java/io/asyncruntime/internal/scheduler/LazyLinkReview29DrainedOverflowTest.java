package io.asyncruntime.internal.scheduler;

import static io.asyncruntime.internal.scheduler.CountedNotPublishedFixture.cell;
import static io.asyncruntime.internal.scheduler.RuntimeInternals.schedulerOf;
import static org.assertj.core.api.Assertions.assertThat;

import io.asyncruntime.AsyncRuntime;
import io.asyncruntime.internal.scheduler.CountedNotPublishedFixture.PublicationWait;
import io.asyncruntime.task.Context;
import io.asyncruntime.task.Poll;
import io.asyncruntime.task.Priority;
import io.asyncruntime.task.Task;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * review29 (lazy10c): {@link SchedulerShutdown#awaitCompletionsPublished} assumes "every uncounted
 * cell is linked, or is a worker's unlinked cell found where it waits or in its poll", so the look
 * sees all {@code spawned - completed} of them unfinished and any counted, unpublished cell shows
 * as one more. A worker's unlinked cells that a full ring moved to an inject queue break that once
 * a thread drains the queue for the shutdown ({@code SchedulerShutdown.cancelInjected}, which any
 * thread runs that queues after the flag: {@code scheduleRemote}, {@code spawnFromOutside}, a
 * {@code blockInPlace} thread's wake or requeue, a left-behind worker): {@code drainForShutdown}
 * takes the whole queue into a private list and cancels one cell after another, each cancel
 * running the task's {@code cancel()} (user code) and cascades. The cells waiting in that list, and
 * each one between its count and its COMPLETE, are in no queue, no shard and no poll context: the
 * look undercounts, and a counted, unpublished completion elsewhere (here a linked cell counted
 * by hand, the window the linked variant of {@link LazyLinkCountedNotPublishedTest} holds open) is
 * masked: the wait returns with a handle not done that the counts call finished. On main every
 * cell in an inject queue was linked (outside spawns by the drain itself, {@code linkUnlinked};
 * overflowed ones at their spawn), so the walk saw them. {@code SchedulerShutdown.unfinishedCells}
 * lists "the inject queues' drained list" as not covered for a left-behind worker's stop-time loop
 * only; any draining thread has it.
 *
 * <p>Real overflow: one worker, inside a task's poll, spawns 300 tasks (its ring holds 256, so
 * half moves to the inject queue, unlinked); the poll then holds the worker. The first drained
 * task's {@code cancel()} blocks (a latch, bounded) so the drained list stays private while the
 * shutdown's wait looks. No sleeps.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class LazyLinkReview29DrainedOverflowTest {

    private static final int CHILDREN = 300;

    @Test
    void aCountedUnpublishedCompletionIsWaitedForWhileAnotherThreadCancelsDrainedOverflow() throws Exception {
        AsyncRuntime runtime = AsyncRuntime.builder().workerThreads(1).threadNamePrefix("r29-drain-")
                .stallThreshold(Duration.ofHours(1)).build();
        Scheduler scheduler = schedulerOf(runtime);
        TaskRegistry registry = scheduler.registry();
        CountDownLatch spawned = new CountDownLatch(1);
        CountDownLatch cancelEntered = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        AtomicBoolean blockOnce = new AtomicBoolean();
        Task<Integer> child = new Task<>() {
            @Override
            public Poll<Integer> poll(Context cx) {
                return Poll.ready(1);
            }

            @Override
            public void cancel() {
                if (blockOnce.compareAndSet(false, true)) {
                    cancelEntered.countDown();
                    try {
                        release.await(30, TimeUnit.SECONDS); // a slow cancel(), bounded
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }
            }
        };
        TaskShard shard = registry.outsideShard(Priority.NORMAL.ordinal());
        TaskCell<String> counted = cell(shard, "counted-not-published");
        try {
            runtime.spawn(cx -> {
                for (int i = 0; i < CHILDREN; i++) {
                    AsyncRuntime.current().spawn(child, Priority.NORMAL, "child-" + i); // a worker's spawn: unlinked
                }
                spawned.countDown();
                release.await(30, TimeUnit.SECONDS); // holds the only worker: nothing is polled meanwhile
                return Poll.ready(null);
            }, Priority.NORMAL, "spawner");
            assertThat(spawned.await(10, TimeUnit.SECONDS)).isTrue();
            shard.register(counted, false); // linked (as the linked variant of LazyLinkCountedNotPublishedTest)
            registry.refuseAll();

            // A thread that queues after the shutdown flag drains the inject queues (Scheduler.scheduleRemote).
            Thread drainer = new Thread(() -> scheduler.shutdownSide().cancelInjected(), "r29-drainer");
            drainer.setDaemon(true);
            drainer.start();
            assertThat(cancelEntered.await(10, TimeUnit.SECONDS)).as("an overflowed child was drained").isTrue();

            shard.unregister(counted); // its completer counted it and pauses before its COMPLETE CAS
            assertThat(counted.isDone()).isFalse();
            PublicationWait wait = PublicationWait.start(scheduler, "r29-awaiter");
            assertThat(wait.returnedRatherThanParked())
                    .as("the wait returned with a counted completion unpublished (a handle not done), the drained"
                            + " overflow of unlinked cells being invisible to its look")
                    .isFalse();
            release.countDown();
            wait.join();
        } finally {
            release.countDown();
            runtime.shutdownGracefully(Duration.ofMillis(100));
        }
    }
}
