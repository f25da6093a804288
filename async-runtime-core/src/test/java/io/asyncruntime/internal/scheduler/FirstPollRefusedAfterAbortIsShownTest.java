package io.asyncruntime.internal.scheduler;

import static io.asyncruntime.internal.scheduler.CountedNotPublishedFixture.cell;
import static io.asyncruntime.internal.scheduler.RuntimeInternals.schedulerOf;
import static org.assertj.core.api.Assertions.assertThat;

import io.asyncruntime.AsyncRuntime;
import io.asyncruntime.task.Poll;
import io.asyncruntime.task.Priority;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A never-linked cell whose first poll begins after the shutdown's abort (REFUSING_ALL) is
 * cancelled without a poll ({@link LazyLink}, "Abort"); between the count of that cancellation and
 * its COMPLETE it is in no queue, no shard and no poll, so the poller shows it as the last cell
 * left (its poll context's cell field, {@link PollContext#shown}), as the stop-time loop shows what
 * it cancels ({@link PollContext#showCancelling}): else
 * {@link SchedulerShutdown#awaitCompletionsPublished} could return in that window with its handle
 * not done (review32's note; the window is a worker left behind by a stuck poll, which then runs a
 * queued first poll while the shutdown waits). Fails before: the poller's last cell left was not
 * the refused cell.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class FirstPollRefusedAfterAbortIsShownTest {

    @Test
    void aFirstPollRefusedAfterTheAbortShowsItsCellAsTheLastOneLeft() throws Exception {
        AsyncRuntime runtime = AsyncRuntime.builder().workerThreads(1).build();
        try {
            Scheduler scheduler = schedulerOf(runtime);
            TaskShard shard = scheduler.registry().outsideShard(Priority.NORMAL.ordinal());
            TaskCell<String> refused = cell(shard, "refused");
            shard.admit(refused); // a worker's spawn: counted, never linked
            AtomicReference<TaskCell<?>> shown = new AtomicReference<>();
            runtime.blockOn(runtime.spawn(cx -> {
                PollContext poll = (PollContext) cx;
                scheduler.registry().refuseAll(); // the abort has begun
                refused.run(poll); // its first poll, on this worker's thread: refused, cancelled
                shown.set(poll.shown());
                return Poll.ready(null);
            }, Priority.NORMAL, "holder"));
            assertThat(refused.isCancelled()).as("cancelled, not polled").isTrue();
            assertThat((Object) shown.get()).as("the last cell left after the refused first poll").isSameAs(refused);
        } finally {
            runtime.shutdownGracefully(Duration.ofMillis(100));
        }
    }

    /**
     * The same window for a cell aborted while it waited for its first poll (a handle's
     * {@code abort()}, no shutdown): its first poll finds CANCELLED and cancels it without a poll
     * (left16's note). Fails before: the poller showed the holder, not the cancelled cell.
     */
    @Test
    void aFirstPollThatFindsItsCellAbortedShowsItAsTheLastOneLeft() throws Exception {
        AsyncRuntime runtime = AsyncRuntime.builder().workerThreads(1).build();
        try {
            Scheduler scheduler = schedulerOf(runtime);
            TaskShard shard = scheduler.registry().outsideShard(Priority.NORMAL.ordinal());
            TaskCell<String> aborted = cell(shard, "aborted-while-queued");
            shard.admit(aborted); // a worker's spawn: counted, never linked
            AtomicReference<TaskCell<?>> shown = new AtomicReference<>();
            runtime.blockOn(runtime.spawn(cx -> {
                PollContext poll = (PollContext) cx;
                aborted.abort(); // queued for its first poll (here: not queued at all), now CANCELLED
                aborted.run(poll); // its first poll, on this worker's thread: cancelled, not polled
                shown.set(poll.shown());
                return Poll.ready(null);
            }, Priority.NORMAL, "holder"));
            assertThat(aborted.isCancelled()).as("cancelled, not polled").isTrue();
            assertThat((Object) shown.get()).as("the last cell left after the cancelled first poll").isSameAs(aborted);
        } finally {
            runtime.shutdownGracefully(Duration.ofMillis(100));
        }
    }
}
