package io.asyncruntime.internal.scheduler;

import io.asyncruntime.internal.scheduler.SchedulerLincheckSupport.RecordingScheduler;
import io.asyncruntime.internal.scheduler.SchedulerLincheckSupport.Scenario;
import io.asyncruntime.internal.scheduler.SchedulerLincheckSupport.ScriptedTask;
import io.asyncruntime.internal.scheduler.SchedulerLincheckSupport.WorkerPoller;
import org.jetbrains.lincheck.datastructures.Operation;
import org.jetbrains.lincheck.datastructures.Validate;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The task cell's yield path under every interleaving Lincheck explores: a poll that yields
 * re-queues the cell without releasing it (RUNNING stays set, no CAS; see {@link TaskState}), and
 * the worker that takes it off the queue next polls it without a CAS unless a wake or an abort
 * arrived meanwhile. Wakes and aborts race the yield, the re-queued cell, and its next poll; the
 * worker also drains the queue for shutdown ({@code cancelQueued}) at any point, which must
 * complete a yield-queued cell as cancelled (its caller holds it, RUNNING or not).
 *
 * <p>The task yields on its first two polls, then waits for a wake (pending without a yield),
 * then is ready. {@link #invariantsHold()} checks, with nothing in flight:
 *
 * <ul>
 *   <li>the task was never polled by two threads at once, nor after it was cancelled, nor
 *       cancelled while polled;</li>
 *   <li>the cell is queued exactly once when it is NOTIFIED or yield-queued (RUNNING with nothing
 *       in flight), never otherwise: a yield never loses the cell and never queues it twice;</li>
 *   <li>a wake that arrived while the task waited (after its yields) is never lost: a
 *       pending cell that is neither queued nor running was not woken since its last poll;</li>
 *   <li>it is complete exactly when its completion was counted, once, and its task was
 *       cancelled exactly when it completed as cancelled.</li>
 * </ul>
 */
public class TaskCellYieldLincheckTest {

    private static final Scenario SCENARIO = new Scenario(3, 3, 1, 2);
    private static final Scenario LONG_SCENARIO = new Scenario(3, 4, 2, 3);

    private final RecordingScheduler scheduler = new RecordingScheduler();
    private final ScriptedTask task = ScriptedTask.yieldingThenWaitingForAWake(2);
    private final TaskCell<Integer> cell = SchedulerLincheckSupport.spawnedCell(scheduler, task);
    private final WorkerPoller poller = new WorkerPoller(scheduler);

    /** The worker: runs one queued task, if any. */
    @Operation(nonParallelGroup = "worker")
    public void runQueued() {
        ScheduledTask next = scheduler.queue.poll();
        if (next != null) {
            next.run(poller);
        }
    }

    /** The worker stops: whatever it holds queued is cancelled (Worker.cancelQueuedOnShutdown). */
    @Operation(nonParallelGroup = "worker")
    public void drainForShutdown() {
        for (ScheduledTask next = scheduler.queue.poll(); next != null; next = scheduler.queue.poll()) {
            next.cancelQueued("shut down");
        }
    }

    @Operation
    public void wake() {
        task.wokenSinceLastPoll.set(true);
        cell.wake();
    }

    @Operation
    public void abort() {
        cell.abort();
    }

    @Validate
    public void invariantsHold() {
        task.checkNoViolation();
        int state = cell.state();
        int queued = scheduler.timesQueued(cell);
        boolean complete = TaskState.isComplete(state);
        boolean owned = SchedulerLincheckSupport.owned(state);
        if (!complete && queued != (owned ? 1 : 0)) {
            throw new AssertionError("state " + TaskState.describe(state) + " (" + state + ") but queued " + queued + " times");
        }
        if (complete && queued != 0) {
            throw new AssertionError("a complete cell is still queued " + queued + " times");
        }
        task.checkNoLostWake(state);
        scheduler.checkCompletedOnceIff(complete);
        task.checkCancelledIffOutcomeIs(cell, state);
    }

    @Test
    void modelChecking() {
        SCENARIO.modelChecking(10, 300).check(getClass());
    }

    @Test
    void stress() {
        SCENARIO.stress(10, 400).check(getClass());
    }

    @Test
    @Tag("long")
    void modelCheckingLong() {
        LONG_SCENARIO.modelChecking(300, 5_000).check(getClass());
    }
}
