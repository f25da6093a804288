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
import org.jetbrains.lincheck.datastructures.StressOptions;
import org.jetbrains.lincheck.datastructures.Validate;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The poll count of a task that yields many times, under every interleaving Lincheck explores
 * (issue 14): a yield-queued take counts its poll in the poll stamp's uncounted-poll bits
 * ({@link TaskCell#UNCOUNTED_POLLS}, plain, the owner's), moves them to the state word with one
 * atomic add once they are full, and every transition of the owner (release, completion, the take
 * of a woken yield-queued cell, an abort at a take or after a poll) folds them in. Wakes and
 * aborts race all of it with their CAS on the same word; none of their bits may be lost, and no
 * poll may be counted twice or not at all.
 *
 * <p>The task yields on its first {@link #YIELDS} polls (more than
 * {@link TaskCell#MAX_UNCOUNTED_POLLS} + 1, so the bits fill and are flushed at least once), then
 * waits for a wake, then is ready. The worker runs a burst of queued polls per operation.
 * {@link #invariantsHold()} checks, with nothing in flight:
 * <ul>
 *   <li>a live cell's count (word plus uncounted bits, what a task dump shows) equals the polls
 *       the task saw, exactly; a completed cell's word shows them all (and one more at most: a
 *       take that found the abort counts, as a take of a woken cell always has);</li>
 *   <li>the cell is queued once while NOTIFIED or yield-queued, else not at all, and a wake
 *       after the last poll is never lost; an abort is never lost (a cell aborted while
 *       queued or polled ends cancelled once the queue is run down);</li>
 *   <li>the task is never polled by two threads at once, nor after cancel.</li>
 * </ul>
 */
public class TaskCellYieldPollCountLincheckTest {

    /** Yields before the task waits: the uncounted bits fill, flush, and fill again. */
    static final int YIELDS = TaskCell.MAX_UNCOUNTED_POLLS + 4;
    /** Polls one worker operation runs (a burst), so a few operations walk the whole yield chain. */
    private static final int BURST = 6;

    private final RecordingScheduler scheduler = new RecordingScheduler();
    private final CountingTask task = new CountingTask();
    private final TaskCell<Integer> cell = new TaskCell<>(scheduler, task, Priority.NORMAL);
    private final Poller poller = new Poller();
    private final AtomicBoolean aborted = new AtomicBoolean();

    public TaskCellYieldPollCountLincheckTest() {
        scheduler.queue.add(cell); // a spawn queues the new cell once
    }

    /** The worker: runs up to {@link #BURST} queued polls. */
    @Operation(nonParallelGroup = "worker")
    public void runBurst() {
        for (int i = 0; i < BURST; i++) {
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

    /**
     * A task dump's racy read of the count, from any thread, as {@code LiveTaskDump.visit} makes
     * it (the word, then the stamp; a completed cell is not shown): never above the polls started
     * (plus the one a take has counted before its poll starts).
     */
    @Operation
    public boolean dumpCountNeverAhead() {
        int state = cell.state();
        if (TaskState.isComplete(state)) {
            return true;
        }
        int seen = TaskState.polls(state) + cell.uncountedPolls();
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
        if (!complete && !owned && task.waiting && task.wokenSinceLastPoll.get()) {
            throw new AssertionError("lost wake-up: woken after its last poll, yet idle and queued nowhere");
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
        volatile boolean waiting;

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
                waiting = false;
                if (polls <= YIELDS) {
                    cx.requestYield();
                    return Poll.pending();
                }
                if (polls == YIELDS + 1 && !woken) {
                    waiting = true;
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

    private static final class RecordingScheduler implements CellScheduler {
        final ConcurrentLinkedQueue<ScheduledTask> queue = new ConcurrentLinkedQueue<>();

        @Override
        public void schedule(ScheduledTask task, boolean isYield) {
            queue.add(task);
        }

        @Override
        public void taskCompleted() {
        }
    }

    /** A worker's poller: reports a requested yield, and re-queues at the back of its queue. */
    private final class Poller implements TaskPoller, Context {
        private TaskCell<?> current;
        private boolean yieldRequested;

        @Override
        public void requeue(ScheduledTask task) {
            scheduler.queue.add(task);
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
                .iterations(10)
                .invocationsPerIteration(200)
                .threads(3)
                .actorsPerThread(3)
                .actorsBefore(1)
                .actorsAfter(2)
                .check(getClass());
    }

    @Test
    void stress() {
        new StressOptions()
                .iterations(10)
                .invocationsPerIteration(400)
                .threads(3)
                .actorsPerThread(3)
                .actorsBefore(1)
                .actorsAfter(2)
                .check(getClass());
    }

    @Test
    @Tag("long")
    void modelCheckingLong() {
        new ModelCheckingOptions()
                .iterations(200)
                .invocationsPerIteration(3_000)
                .threads(3)
                .actorsPerThread(4)
                .actorsBefore(2)
                .actorsAfter(3)
                .check(getClass());
    }
}
