package io.asyncruntime.internal.scheduler;

import static io.asyncruntime.internal.scheduler.CountedNotPublishedFixture.cell;
import static io.asyncruntime.internal.scheduler.CountedNotPublishedFixture.leaveAndCountOnTheWorker;
import static io.asyncruntime.internal.scheduler.RuntimeInternals.schedulerOf;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.asyncruntime.AsyncRuntime;
import io.asyncruntime.internal.scheduler.CountedNotPublishedFixture.PublicationWait;
import io.asyncruntime.task.Poll;
import io.asyncruntime.task.Priority;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@link PollContext} keeps one cell field, stored by {@link PollContext#enter} only, and a poll
 * flag ({@link PollContext}, "One cell field, and a flag", issues 10 and 14): each reference store
 * into the long-lived context costs G1's card-marking barrier, a StoreLoad fence, and a first poll
 * that completes at once used to pay two (the cell set in {@code enter}, then kept as the last cell
 * left in {@code leave}). So {@code leave} stores no reference: the cell it ends stays shown, linked
 * or not, until the next {@code enter}, and the park forgets it (a null store). The first test pins
 * that and failed before (main's {@code leave} dropped a linked cell, and a version whose
 * {@code leave} clears the field fails it too); the second, that the context has one cell field
 * (failed before: {@code cell} and {@code lastLeft}); the third, that the park forgets the last
 * cell; the fourth, that the shutdown's wait still waits for a linked cell left by a worker's poll
 * and counted but not published, as {@link LazyLinkCountedNotPublishedTest} does for the unlinked
 * one and for a linked cell outside any poll (same set-up: the poll is simulated on the worker's
 * thread, inside a holder task's poll).
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class LeaveStoresNoCellTest {

    @Test
    void aCellStaysShownFromItsEnterToTheNextOneLinkedOrNotAndOnlyTheFlagSaysItsPollEnded() throws Exception {
        AsyncRuntime runtime = AsyncRuntime.builder().workerThreads(1).build();
        try {
            TaskShard shard = schedulerOf(runtime).registry().outsideShard(Priority.NORMAL.ordinal());
            TaskCell<String> unlinked = cell(shard, "unlinked");
            TaskCell<String> linked = cell(shard, "linked");
            shard.admit(unlinked); // a worker's spawn: counted, not linked
            shard.register(linked, false); // linked at once
            List<Object> seen = new java.util.ArrayList<>();
            AtomicReference<Throwable> wakerOutsideThePoll = new AtomicReference<>();
            runtime.blockOn(runtime.spawn(cx -> {
                PollContext poll = (PollContext) cx;
                TaskCell<?> holder = poll.polled();
                poll.enter(unlinked);
                seen.add(poll.polled());
                poll.leave();
                seen.add(poll.shown());
                seen.add(poll.polled());
                try {
                    poll.waker();
                } catch (IllegalStateException expected) {
                    wakerOutsideThePoll.set(expected);
                }
                poll.enter(linked);
                seen.add(poll.shown());
                poll.leave();
                seen.add(poll.shown());
                poll.enter(holder); // back to the holder's poll
                return Poll.ready(null);
            }, Priority.NORMAL, "holder"));
            assertThat(seen.get(0)).as("polled in its poll").isSameAs(unlinked);
            assertThat(seen.get(1)).as("shown after its leave").isSameAs(unlinked);
            assertThat(seen.get(2)).as("polled after its leave").isNull();
            assertThat(wakerOutsideThePoll.get()).as("waker() after the leave").isNotNull();
            assertThat(seen.get(3)).as("shown once the next poll entered").isSameAs(linked);
            assertThat(seen.get(4)).as("a linked cell shown after its leave (leave stores nothing)").isSameAs(linked);
        } finally {
            runtime.shutdownGracefully(Duration.ofMillis(100));
        }
    }

    @Test
    void thePollContextHasOneCellField() {
        List<Field> cellFields = Arrays.stream(PollContext.class.getDeclaredFields())
                .filter(field -> !Modifier.isStatic(field.getModifiers()))
                .filter(field -> TaskCell.class.isAssignableFrom(field.getType()))
                .toList();
        assertThat(cellFields).as("cell fields of PollContext: each is a G1-fenced store per poll").hasSize(1);
    }

    @Test
    void theParkForgetsTheLastCell() throws Exception {
        AsyncRuntime runtime = AsyncRuntime.builder().workerThreads(1).build();
        try {
            Worker worker = schedulerOf(runtime).workers()[0];
            AtomicReference<Object> shownInItsPoll = new AtomicReference<>();
            runtime.blockOn(runtime.spawn(cx -> {
                shownInItsPoll.set(((PollContext) cx).shown());
                return Poll.ready(null);
            }, Priority.NORMAL, "last"));
            assertThat(shownInItsPoll.get()).isNotNull();
            // Nothing else to run: the worker parks, and lets go of the cell it last polled.
            await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(1))
                    .until(() -> contextOf(worker).shown() == null);
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

    private static PollContext contextOf(Worker worker) throws ReflectiveOperationException {
        Field field = Worker.class.getDeclaredField("context");
        field.setAccessible(true);
        return (PollContext) field.get(worker);
    }
}
