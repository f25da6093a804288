package io.asyncruntime.internal.scheduler;

import io.asyncruntime.task.Context;
import io.asyncruntime.task.Poll;
import io.asyncruntime.task.Priority;
import io.asyncruntime.task.Task;
import io.asyncruntime.task.Waker;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.jetbrains.lincheck.datastructures.ModelCheckingOptions;
import org.jetbrains.lincheck.datastructures.Operation;
import org.jetbrains.lincheck.datastructures.Validate;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Review of issue 14 (review17, d90c8bf): a soundness check, expected to pass. It widens
 * {@code TaskCellYieldPollCountLincheckTest} (one worker) to what that test leaves out: takes by
 * <em>several</em> threads at once (two workers and a thief: the owner of one yield-queued poll
 * hands the cell, with its plain uncounted-poll bits, through the queue to another thread), a
 * shutdown's drain ({@code cancelQueued} on whatever it takes off the queue, and every later
 * queueing cancelled on the spot, as {@code Worker.requeue} and {@code Scheduler.schedule} do once
 * closed), against wakes, aborts and a task dump's racy read (word, then stamp).
 *
 * <p>Checked, with nothing in flight: a live cell's count (word plus uncounted bits) equals the
 * polls the task saw; a completed cell's count is the polls seen, or one more (a take that found
 * the abort); the task is never polled by two threads at once, nor after its cancel; a dump never
 * shows more than the polls started plus the one a take counts before its poll starts.
 */
public class YieldPollCountTwoTakersDrainCheckTest {

    /** Yields before the task waits: the uncounted bits fill, flush, and fill again. */
    static final int YIELDS = TaskCell.MAX_UNCOUNTED_POLLS + 3;

    private final RecordingScheduler scheduler = new RecordingScheduler();
    private final CountingTask task = new CountingTask();
    private final TaskCell<Integer> cell = new TaskCell<>(scheduler, task, Priority.NORMAL);
    private final AtomicBoolean aborted = new AtomicBoolean();

    public YieldPollCountTwoTakersDrainCheckTest() {
        scheduler.queue.add(cell);
        // Run most of the way along the yield chain before the parallel part, so that the
        // explored interleavings start with the bits near full.
        Poller warm = new Poller();
        for (int i = 0; i < TaskCell.MAX_UNCOUNTED_POLLS - 1; i++) {
            ScheduledTask next = scheduler.queue.poll();
            if (next != null) {
                next.run(warm);
            }
        }
    }

    /** A worker (or a thief): takes what is queued and polls it, a few times. */
    @Operation
    public void take() {
        Poller poller = new Poller();
        for (int i = 0; i < 2; i++) {
            ScheduledTask next = scheduler.queue.poll();
            if (next == null) {
                return;
            }
            next.run(poller);
        }
    }

    @Operation
    public void wake() {
        task.wokenSinceLastPoll.set(true);
        cell.wake();
    }

    @Operation
    public void abort() {
        aborted.set(true);
        cell.abort();
    }

    /** The shutdown: closes, then cancels whatever it takes off the queue. */
    @Operation
    public void shutdownDrain() {
        scheduler.closed = true;
        for (ScheduledTask t = scheduler.queue.poll(); t != null; t = scheduler.queue.poll()) {
            t.cancelQueued("shut down");
        }
    }

    /** LiveTaskDump.visit's read: the word, then the stamp; a completed cell is not shown. */
    @Operation
    public boolean dumpCountNeverAhead() {
        int state = cell.state();
        if (TaskState.isComplete(state)) {
            return true;
        }
        int seen = Math.min(TaskState.polls(state) + cell.uncountedPolls(), TaskState.MAX_POLLS);
        return seen <= task.started.get() + 1;
    }

    @Validate
    public void invariantsHold() {
        if (task.violation != null) {
            throw new AssertionError(task.violation);
        }
        int state = cell.state();
        int counted = TaskState.polls(state);
        int started = task.started.get();
        boolean complete = TaskState.isComplete(state);
        if (!complete && counted + cell.uncountedPolls() != started) {
            throw new AssertionError("live cell counts " + counted + " + " + cell.uncountedPolls()
                    + " uncounted polls, the task saw " + started);
        }
        if (complete && (counted < started || counted > started + 1)) {
            throw new AssertionError("complete cell counts " + counted + " polls, the task saw " + started);
        }
        int queued = 0;
        for (ScheduledTask t : scheduler.queue) {
            if (t == cell) {
                queued++;
            }
        }
        boolean owned = (state & (TaskState.NOTIFIED | TaskState.RUNNING)) != 0;
        if (!complete && queued != (owned ? 1 : 0)) {
            throw new AssertionError("state " + TaskState.describe(state) + " but queued " + queued + " times");
        }
        if (aborted.get() && !complete && (state & TaskState.CANCELLED) == 0) {
            throw new AssertionError("lost abort: state " + TaskState.describe(state));
        }
        if (task.cancelled.get() != (complete && cell.isCancelled())) {
            throw new AssertionError("task.cancel() called=" + task.cancelled.get() + " but cancelled outcome="
                    + (complete && cell.isCancelled()));
        }
    }

    /** Yields {@link #YIELDS} times, then pending until woken, then ready. */
    private static final class CountingTask implements Task<Integer> {
        final AtomicInteger started = new AtomicInteger();
        final AtomicBoolean inPoll = new AtomicBoolean();
        final AtomicBoolean cancelled = new AtomicBoolean();
        final AtomicBoolean wokenSinceLastPoll = new AtomicBoolean();
        volatile String violation;

        @Override
        public Poll<Integer> poll(Context cx) {
            if (!inPoll.compareAndSet(false, true)) {
                violation = "polled by two threads at once";
            }
            if (cancelled.get()) {
                violation = "polled after cancel()";
            }
            try {
                boolean woken = wokenSinceLastPoll.getAndSet(false);
                int polls = started.incrementAndGet();
                if (polls <= YIELDS) {
                    cx.requestYield();
                    return Poll.pending();
                }
                if (polls == YIELDS + 1 && !woken) {
                    return Poll.pending();
                }
                return Poll.ready(polls);
            } finally {
                inPoll.set(false);
            }
        }

        @Override
        public void cancel() {
            if (inPoll.get()) {
                violation = "cancel() while being polled";
            }
            if (!cancelled.compareAndSet(false, true)) {
                violation = "cancel() called twice";
            }
        }
    }

    /** Queues like a runtime: once closed, whatever would be queued is cancelled on the spot. */
    private static final class RecordingScheduler implements CellScheduler {
        final ConcurrentLinkedQueue<ScheduledTask> queue = new ConcurrentLinkedQueue<>();
        volatile boolean closed;

        @Override
        public void schedule(ScheduledTask task, boolean isYield) {
            if (closed) {
                task.cancelQueued("shut down");
                return;
            }
            queue.add(task);
        }

        @Override
        public void taskCompleted() {
        }
    }

    /** A worker's poller: reports a requested yield, and re-queues at the back of the queue. */
    private final class Poller implements TaskPoller, Context {
        private TaskCell<?> current;
        private boolean yieldRequested;

        @Override
        public void requeue(ScheduledTask task) {
            scheduler.schedule(task, true);
        }

        @Override
        public void taskCompleted() {
        }

        @Override
        public Context enter(TaskCell<?> polled) {
            current = polled;
            yieldRequested = false;
            return this;
        }

        @Override
        public boolean leave() {
            current = null;
            boolean yielded = yieldRequested;
            yieldRequested = false;
            return yielded;
        }

        @Override
        public Waker waker() {
            return current;
        }

        @Override
        public boolean consumeBudget() {
            return true;
        }

        @Override
        public void requestYield() {
            yieldRequested = true;
        }
    }

    @Test
    void modelChecking() {
        new ModelCheckingOptions()
                .iterations(15)
                .invocationsPerIteration(300)
                .threads(3)
                .actorsPerThread(2)
                .actorsBefore(0)
                .actorsAfter(1)
                .check(getClass());
    }

    @Test
    @Tag("long")
    void modelCheckingLong() {
        new ModelCheckingOptions()
                .iterations(100)
                .invocationsPerIteration(3_000)
                .threads(3)
                .actorsPerThread(3)
                .actorsBefore(1)
                .actorsAfter(2)
                .check(getClass());
    }
}
