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
 * The poll entry of a woken cell ({@code TaskCell.takeOwnership}: NOTIFIED → RUNNING with the
 * poll counted, one atomic add worked out from the state the taker read) against everything
 * others may do to a queued cell meanwhile: wakes (which find NOTIFIED set and write nothing, or
 * set it during a poll or while the cell is yield-queued), {@code abort()} and {@code Future.cancel}
 * (which set CANCELLED and FUTURE_CANCELLED on the word the add lands on).
 *
 * <p>The worker is a yielding one: the task yields on its first poll, so the cell goes back to the
 * queue still RUNNING (yield-queued) and the worker takes it again; a wake that lands during that
 * poll or while it is queued makes the next take the other arm of the entry (RUNNING | NOTIFIED:
 * only NOTIFIED is cleared, RUNNING is kept, the uncounted polls are folded in). The task is
 * pending on its second poll and ready on its third. {@link #invariantsHold()} checks, with
 * nothing in flight:
 *
 * <ul>
 *   <li>the task was never polled by two threads at once, nor after it was cancelled;</li>
 *   <li>RUNNING is clear unless the cell is yield-queued, and the cell is queued exactly once when
 *       NOTIFIED or RUNNING, never otherwise;</li>
 *   <li>a live cell's poll count (the word's plus the poll stamp's uncounted bits) equals the
 *       worker's takes of it, exactly; a complete cell's word counts every poll the task saw and
 *       at most every take: the one take that found the cell cancelled is counted if it took a
 *       woken cell (the add counts it, as the CAS did) and not if it took a yield-queued one
 *       ({@code run} completes it before that take's poll reaches the stamp; a dump never shows a
 *       complete cell, and {@code TaskCellYieldPollCountLincheckTest} allows the same);</li>
 *   <li>a cancel request that returned true is never lost: CANCELLED (and FUTURE_CANCELLED for
 *       {@code Future.cancel}) stay set, and a complete cell is then a cancellation;</li>
 *   <li>it is complete exactly when its completion was counted, once.</li>
 * </ul>
 */
public class TaskCellTakeOwnershipLincheckTest {

    private static final Scenario SCENARIO = new Scenario(3, 3, 1, 2);
    private static final Scenario LONG_SCENARIO = new Scenario(3, 4, 2, 3);

    private final RecordingScheduler scheduler = new RecordingScheduler();
    private final ScriptedTask task = ScriptedTask.yieldingThenPending(1, 1);
    private final TaskCell<Integer> cell = SchedulerLincheckSupport.spawnedCell(scheduler, task);
    private final WorkerPoller poller = new WorkerPoller(scheduler);
    private final AtomicBoolean abortSucceeded = new AtomicBoolean();
    private final AtomicBoolean futureCancelSucceeded = new AtomicBoolean();
    /** Times the worker took the cell off the queue. Worker only. */
    private int takes;

    /** The worker: runs one queued task, if any (a yield re-queues it at the back). */
    @Operation(nonParallelGroup = "worker")
    public void runQueued() {
        ScheduledTask next = scheduler.queue.poll();
        if (next != null) {
            takes++;
            next.run(poller);
        }
    }

    @Operation
    public void wake() {
        cell.wake();
    }

    @Operation
    public void abort() {
        if (cell.abortIfLive()) {
            abortSucceeded.set(true);
        }
    }

    @Operation
    public void futureCancel() {
        if (cell.cancel(false)) {
            futureCancelSucceeded.set(true);
        }
    }

    @Validate
    public void invariantsHold() {
        task.checkNoViolation();
        int state = cell.state();
        String described = TaskState.describe(state) + " (" + Integer.toHexString(state) + ")";
        boolean complete = TaskState.isComplete(state);
        if ((state & TaskState.RUNNING) != 0 && (cell.pollStamp & TaskCell.YIELD_QUEUED) == 0) {
            throw new AssertionError("RUNNING with nothing in flight, not yield-queued: " + described);
        }
        int queued = scheduler.timesQueued(cell);
        if (queued != (SchedulerLincheckSupport.owned(state) ? 1 : 0)) {
            throw new AssertionError(described + " but queued " + queued + " times");
        }
        int counted = TaskState.polls(state);
        if (!complete && counted + cell.uncountedPolls() != takes) {
            throw new AssertionError("the live cell counts " + counted + " + " + cell.uncountedPolls()
                    + " uncounted polls, the worker took it " + takes + " times: " + described);
        }
        if (complete && (counted < task.started.get() || counted > takes)) {
            throw new AssertionError("the complete cell counts " + counted + " polls, the task saw " + task.started.get()
                    + ", the worker took it " + takes + " times: " + described);
        }
        if ((abortSucceeded.get() || futureCancelSucceeded.get()) && (state & TaskState.CANCELLED) == 0) {
            throw new AssertionError("a cancel request that succeeded was lost: " + described);
        }
        if (futureCancelSucceeded.get() && ((state & TaskState.FUTURE_CANCELLED) == 0 || complete && !cell.isCancelled())) {
            throw new AssertionError("a Future.cancel that returned true was lost: " + described);
        }
        scheduler.checkCompletedOnceIff(complete);
    }

    @Test
    void modelChecking() {
        SCENARIO.modelChecking(20, 1_000).check(getClass());
    }

    @Test
    void stress() {
        SCENARIO.stress(20, 1_000).check(getClass());
    }

    @Test
    @Tag("long")
    void modelCheckingLong() {
        LONG_SCENARIO.modelChecking(200, 5_000).check(getClass());
    }
}
