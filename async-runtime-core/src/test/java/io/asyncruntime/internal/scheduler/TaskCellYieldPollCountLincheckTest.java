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

    private static final Scenario SCENARIO = new Scenario(3, 3, 1, 2);
    private static final Scenario LONG_SCENARIO = new Scenario(3, 4, 2, 3);

    /** Yields before the task waits: the uncounted bits fill, flush, and fill again. */
    static final int YIELDS = TaskCell.MAX_UNCOUNTED_POLLS + 4;
    /** Polls one worker operation runs (a burst), so a few operations walk the whole yield chain. */
    private static final int BURST = 6;

    private final RecordingScheduler scheduler = new RecordingScheduler();
    private final ScriptedTask task = ScriptedTask.yieldingThenWaitingForAWake(YIELDS);
    private final TaskCell<Integer> cell = SchedulerLincheckSupport.spawnedCell(scheduler, task);
    private final WorkerPoller poller = new WorkerPoller(scheduler);
    private final AtomicBoolean aborted = new AtomicBoolean();

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
        task.checkNoViolation();
        int state = cell.state();
        SchedulerLincheckSupport.checkPollsCounted(cell, state, task);
        boolean complete = TaskState.isComplete(state);
        int queued = scheduler.timesQueued(cell);
        boolean owned = SchedulerLincheckSupport.owned(state);
        if (!complete && queued != (owned ? 1 : 0)) {
            throw new AssertionError("state " + TaskState.describe(state) + " but queued " + queued + " times");
        }
        task.checkNoLostWake(state);
        SchedulerLincheckSupport.checkAbortKept(aborted.get(), state);
        task.checkCancelledIffOutcomeIs(cell, state);
    }

    @Test
    void modelChecking() {
        SCENARIO.modelChecking(10, 200).check(getClass());
    }

    @Test
    void stress() {
        SCENARIO.stress(10, 400).check(getClass());
    }

    @Test
    @Tag("long")
    void modelCheckingLong() {
        LONG_SCENARIO.modelChecking(200, 3_000).check(getClass());
    }
}
