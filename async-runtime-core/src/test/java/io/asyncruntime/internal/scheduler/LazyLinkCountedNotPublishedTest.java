package io.asyncruntime.internal.scheduler;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.asyncruntime.AsyncRuntime;
import io.asyncruntime.task.Priority;
import java.lang.reflect.Field;
import java.time.Duration;
import io.asyncruntime.task.Poll;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;
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
        TaskCell<String> cell = TaskCell.create(shard, (Callable<String>) () -> "value", TaskCell.CALLABLE,
                Priority.NORMAL, "counted-not-published");
        CountDownLatch counted = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        try {
            shard.admit(cell); // a worker's spawn: counted, marked unlinked
            AtomicBoolean holderLinked = new AtomicBoolean();
            runtime.spawn(cx -> {
                if (!holderLinked.getAndSet(true)) {
                    // A first pending return links the holder: its shard shows it while the
                    // context shows the simulated cell (as in the run loop, no poll is shown twice).
                    cx.waker().wake();
                    return Poll.pending();
                }
                PollContext poll = (PollContext) cx;
                TaskCell<?> holder = poll.polled();
                poll.enter(cell); // the first poll of cell, which returns ready: TaskCell.run leaves,
                poll.leave();     // then completes: counts (below) and pauses before its COMPLETE CAS
                shard.unregister(cell); // no poll enters in between, as in the run loop
                counted.countDown();
                release.await(30, TimeUnit.SECONDS); // bounded: this poll holds the worker until released
                poll.enter(holder); // back to the holder's poll
                return Poll.ready(null);
            }, Priority.NORMAL, "holder");
            assertThat(counted.await(10, TimeUnit.SECONDS)).isTrue();
            registry.refuseAll();
            assertThat(cell.isDone()).isFalse();

            AtomicBoolean returned = new AtomicBoolean();
            Thread waiter = new Thread(() -> {
                scheduler.awaitCompletionsPublished(System.nanoTime() + TimeUnit.SECONDS.toNanos(5));
                returned.set(true);
            }, "awaiter");
            waiter.start();
            await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(1))
                    .until(() -> returned.get() || LockSupport.getBlocker(waiter) == registry);
            assertThat(returned.get()).as("the wait returned with a counted completion unpublished (a handle not done)")
                    .isFalse();
            release.countDown();
            waiter.join(TimeUnit.SECONDS.toMillis(30));
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
        TaskCell<String> cell = TaskCell.create(shard, (Callable<String>) () -> "value", TaskCell.CALLABLE,
                Priority.NORMAL, "counted-not-published");
        try {
            shard.register(cell, false); // linked at once
            registry.refuseAll();
            shard.unregister(cell); // the completing thread counted it and pauses before its COMPLETE CAS
            assertThat(registry.liveTasksHint()).isZero();
            assertThat(cell.isDone()).isFalse();

            AtomicBoolean returned = new AtomicBoolean();
            Thread waiter = new Thread(() -> {
                scheduler.awaitCompletionsPublished(System.nanoTime() + TimeUnit.SECONDS.toNanos(5));
                returned.set(true);
            }, "awaiter");
            waiter.start();
            await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(1))
                    .until(() -> returned.get() || LockSupport.getBlocker(waiter) == registry);
            assertThat(returned.get()).as("the wait returned with a counted completion unpublished (a handle not done)")
                    .isFalse();
            waiter.join(TimeUnit.SECONDS.toMillis(30));
        } finally {
            runtime.shutdownGracefully(Duration.ofMillis(100));
        }
    }

    private static Scheduler schedulerOf(AsyncRuntime runtime) throws ReflectiveOperationException {
        Field field = AsyncRuntime.class.getDeclaredField("scheduler");
        field.setAccessible(true);
        return (Scheduler) field.get(runtime);
    }
}
