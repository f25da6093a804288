package io.asyncruntime.internal.scheduler;

import io.asyncruntime.internal.scheduler.SchedulerLincheckSupport.Awaiter;
import io.asyncruntime.internal.scheduler.SchedulerLincheckSupport.RecordingScheduler;
import io.asyncruntime.internal.scheduler.SchedulerLincheckSupport.Scenario;
import io.asyncruntime.internal.scheduler.SchedulerLincheckSupport.ScriptedTask;
import io.asyncruntime.internal.scheduler.SchedulerLincheckSupport.WorkerPoller;
import org.jetbrains.lincheck.datastructures.Operation;
import org.jetbrains.lincheck.datastructures.Validate;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The task cell's state machine under every interleaving Lincheck explores: wakes during a poll,
 * aborts during a poll, completion racing an abort, and awaiters registering while the task
 * completes. One "worker" thread runs whatever the recording scheduler queued; others wake, abort
 * and await: two awaiting tasks with wakers of their own (one re-registers, so duplicates and the
 * head-only shortcut meet), and blocking {@code get}s that give up, whose registrations are abandoned. The
 * waiter list is compacted from two nodes on (shrunk from {@link Waiters#MIN_COMPACTION_LENGTH}),
 * so compaction races pushes, other compactions and completion. Operations return nothing;
 * {@link #invariantsHold()} checks, with nothing in flight:
 *
 * <ul>
 *   <li>the task was never polled by two threads at once, nor after it was cancelled;</li>
 *   <li>the cell is queued exactly once when its state says NOTIFIED, never otherwise;</li>
 *   <li>it is complete exactly when its completion was counted, once;</li>
 *   <li>its task was cancelled exactly when it completed as cancelled;</li>
 *   <li>an awaiter that saw pending was woken once the cell completed;</li>
 *   <li>while the cell is pending, the registration of every awaiter that saw pending is still
 *       linked (compaction never drops a live waker); once it completed, nothing is linked.</li>
 * </ul>
 */
public class TaskCellLincheckTest {

    private static final Scenario SCENARIO = new Scenario(3, 3, 1, 2);
    private static final Scenario LONG_SCENARIO = new Scenario(3, 4, 2, 3);

    private final RecordingScheduler scheduler = new RecordingScheduler();
    /** Pending on its first poll, ready on its second. */
    private final ScriptedTask task = ScriptedTask.yieldingThenPending(0, 1);
    private final TaskCell<Integer> cell = SchedulerLincheckSupport.spawnedCellCompactingFrom(2, scheduler, task);
    private final WorkerPoller poller = new WorkerPoller(scheduler);
    /** Awaiters of a cell that an abort may end cancelled: their poll may fail once it finished. */
    private final Awaiter awaiter = new Awaiter(cell, true);
    private final Awaiter otherAwaiter = new Awaiter(cell, true);

    /** The worker: runs one queued task, if any. */
    @Operation(nonParallelGroup = "worker")
    public void runQueued() {
        ScheduledTask next = scheduler.queue.poll();
        if (next != null) {
            next.run(poller);
        }
    }

    @Operation
    public void wake() {
        cell.wake();
    }

    @Operation
    public void abort() {
        cell.abort();
    }

    /**
     * Another task awaiting the handle: registers its waker when the cell is not finished. The
     * outcome (a value, or the cancellation error) is not returned: wake and enqueue are two steps
     * by design, so results are not linearizable against this harness's separate queue; the
     * invariants below are what must hold.
     */
    @Operation(nonParallelGroup = "awaiter")
    public void await() {
        awaiter.pollHandle();
    }

    /** A second awaiting task, which polls twice in a row (a re-poll while pending). */
    @Operation(nonParallelGroup = "otherAwaiter")
    public void otherAwaitsTwice() {
        otherAwaiter.pollHandle();
        otherAwaiter.pollHandle();
    }

    /**
     * A blocking {@code get} that gives up (times out or is interrupted) right after registering:
     * the steps of {@code awaitFinished} without the park (Lincheck's model checker freezes
     * {@code System.nanoTime()}, so a real timed wait would never end). Its registration is
     * abandoned: never to be woken, dropped by the next compaction.
     */
    @Operation
    public void abandonedGet() {
        Waiters.ThreadWaker gaveUp = new Waiters.ThreadWaker();
        cell.addWaiter(gaveUp);
        gaveUp.abandon();
    }

    @Validate
    public void invariantsHold() {
        task.checkNoViolation();
        int state = cell.state();
        int queued = scheduler.timesQueued(cell);
        if ((state & TaskState.RUNNING) != 0) {
            throw new AssertionError("RUNNING with no operation in flight: " + TaskState.describe(state));
        }
        boolean notified = (state & TaskState.NOTIFIED) != 0;
        if (queued != (notified ? 1 : 0)) {
            throw new AssertionError("state " + TaskState.describe(state) + " (" + state + ") but queued " + queued + " times");
        }
        boolean complete = TaskState.isComplete(state);
        scheduler.checkCompletedOnceIff(complete);
        if (complete && notified) {
            throw new AssertionError("a complete cell is still NOTIFIED");
        }
        task.checkCancelledIffOutcomeIs(cell, state);
        SchedulerLincheckSupport.checkAwaitersWokenOrLinked(cell, complete, awaiter, otherAwaiter);
    }

    @Test
    void modelChecking() {
        SCENARIO.modelChecking(20, 500).check(getClass());
    }

    @Test
    void stress() {
        SCENARIO.stress(25, 1_000).check(getClass());
    }

    @Test
    @Tag("long")
    void modelCheckingLong() {
        LONG_SCENARIO.modelChecking(300, 5_000).check(getClass());
    }
}
