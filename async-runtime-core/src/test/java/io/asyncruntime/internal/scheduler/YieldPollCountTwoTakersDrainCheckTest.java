package io.asyncruntime.internal.scheduler;

import io.asyncruntime.internal.scheduler.SchedulerLincheckSupport.RecordingScheduler;
import io.asyncruntime.internal.scheduler.SchedulerLincheckSupport.Scenario;
import io.asyncruntime.internal.scheduler.SchedulerLincheckSupport.ScriptedTask;
import io.asyncruntime.internal.scheduler.SchedulerLincheckSupport.WorkerPoller;
import java.util.concurrent.atomic.AtomicBoolean;
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

    private static final Scenario SCENARIO = new Scenario(3, 2, 0, 1);
    private static final Scenario LONG_SCENARIO = new Scenario(3, 3, 1, 2);

    /** Yields before the task waits: the uncounted bits fill, flush, and fill again. */
    static final int YIELDS = TaskCell.MAX_UNCOUNTED_POLLS + 3;

    private final ClosingScheduler scheduler = new ClosingScheduler();
    private final ScriptedTask task = ScriptedTask.yieldingThenWaitingForAWake(YIELDS);
    private final TaskCell<Integer> cell = SchedulerLincheckSupport.spawnedCell(scheduler, task);
    private final AtomicBoolean aborted = new AtomicBoolean();

    public YieldPollCountTwoTakersDrainCheckTest() {
        // Run most of the way along the yield chain before the parallel part, so that the
        // explored interleavings start with the bits near full.
        WorkerPoller warm = new WorkerPoller(scheduler);
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
        WorkerPoller poller = new WorkerPoller(scheduler);
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
        task.checkNoViolation();
        int state = cell.state();
        SchedulerLincheckSupport.checkPollsCounted(cell, state, task);
        boolean complete = TaskState.isComplete(state);
        int queued = scheduler.timesQueued(cell);
        boolean owned = SchedulerLincheckSupport.owned(state);
        if (!complete && queued != (owned ? 1 : 0)) {
            throw new AssertionError("state " + TaskState.describe(state) + " but queued " + queued + " times");
        }
        SchedulerLincheckSupport.checkAbortKept(aborted.get(), state);
        task.checkCancelledIffOutcomeIs(cell, state);
    }

    /** Queues like a runtime: once closed, whatever would be queued is cancelled on the spot. */
    private static final class ClosingScheduler extends RecordingScheduler {
        volatile boolean closed;

        @Override
        public void schedule(ScheduledTask task, boolean isYield) {
            if (closed) {
                task.cancelQueued("shut down");
                return;
            }
            super.schedule(task, isYield);
        }
    }

    @Test
    void modelChecking() {
        SCENARIO.modelChecking(15, 300).check(getClass());
    }

    @Test
    @Tag("long")
    void modelCheckingLong() {
        LONG_SCENARIO.modelChecking(100, 3_000).check(getClass());
    }
}
