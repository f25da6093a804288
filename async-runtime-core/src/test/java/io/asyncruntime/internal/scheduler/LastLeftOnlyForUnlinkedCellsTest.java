package io.asyncruntime.internal.scheduler;

import static io.asyncruntime.internal.scheduler.CountedNotPublishedFixture.cell;
import static io.asyncruntime.internal.scheduler.CountedNotPublishedFixture.leaveAndCountOnTheWorker;
import static io.asyncruntime.internal.scheduler.RuntimeInternals.schedulerOf;
import static org.assertj.core.api.Assertions.assertThat;

import io.asyncruntime.AsyncRuntime;
import io.asyncruntime.internal.scheduler.CountedNotPublishedFixture.PublicationWait;
import io.asyncruntime.task.Poll;
import io.asyncruntime.task.Priority;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@link PollContext#leave} keeps a cell as the last one left only when the cell was never linked
 * ({@link PollContext}, "The last cell left stays visible"): a linked cell is in its shard until it
 * is COMPLETE, so the poll of a task that yields or waits no longer stores into the long-lived
 * context (a reference store there costs G1's card-marking barrier on every poll); it lets go of the
 * earlier unlinked cell instead (a null store, once: review32 F1, a busy worker kept a completed
 * task's result reachable), which in the real run loop is COMPLETE by then. The first test pins
 * that (it failed before: every leave stored its cell); the second, that the shutdown's wait
 * still waits for a linked cell left by a worker's poll and counted but not published, as
 * {@link LazyLinkCountedNotPublishedTest} does for the unlinked one and for a linked cell outside
 * any poll (same set-up: the poll is simulated on the worker's thread, inside a holder task's poll).
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class LastLeftOnlyForUnlinkedCellsTest {

    @Test
    void leavingALinkedCellStoresNoCellAndLetsGoOfTheLastUnlinkedOne() throws Exception {
        AsyncRuntime runtime = AsyncRuntime.builder().workerThreads(1).build();
        try {
            TaskShard shard = schedulerOf(runtime).registry().outsideShard(Priority.NORMAL.ordinal());
            TaskCell<String> unlinked = cell(shard, "unlinked");
            TaskCell<String> linked = cell(shard, "linked");
            shard.admit(unlinked); // a worker's spawn: counted, not linked
            shard.register(linked, false); // linked at once
            AtomicReference<TaskCell<?>> afterUnlinked = new AtomicReference<>();
            AtomicReference<TaskCell<?>> afterLinked = new AtomicReference<>();
            runtime.blockOn(runtime.spawn(cx -> {
                PollContext poll = (PollContext) cx;
                TaskCell<?> holder = poll.cell;
                poll.enter(unlinked);
                poll.leave();
                afterUnlinked.set(poll.lastLeft());
                poll.enter(linked);
                poll.leave();
                afterLinked.set(poll.lastLeft());
                poll.enter(holder); // back to the holder's poll
                return Poll.ready(null);
            }, Priority.NORMAL, "holder"));
            assertThat((Object) afterUnlinked.get()).isSameAs(unlinked);
            assertThat((Object) afterLinked.get()).as("the last cell left after a linked cell's poll").isNull();
        } finally {
            runtime.shutdownGracefully(Duration.ofMillis(100));
        }
    }

    @Test
    void aLinkedCellLeftByAWorkersPollCountedButNotPublishedIsWaitedFor() throws Exception {
        AsyncRuntime runtime = AsyncRuntime.builder().workerThreads(1).build();
        Scheduler scheduler = schedulerOf(runtime);
        TaskRegistry registry = scheduler.registry();
        TaskShard shard = registry.outsideShard(Priority.NORMAL.ordinal());
        TaskCell<String> cell = cell(shard, "counted-not-published");
        CountDownLatch release = new CountDownLatch(1);
        try {
            shard.register(cell, false); // linked, as after a first pending return
            // A later poll of the linked cell, which returns ready: TaskCell.run leaves, then
            // completes: counts and pauses before its COMPLETE CAS; the holder keeps the worker.
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
}
