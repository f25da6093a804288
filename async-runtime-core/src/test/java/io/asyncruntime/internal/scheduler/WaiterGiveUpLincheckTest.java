package io.asyncruntime.internal.scheduler;

import io.asyncruntime.internal.scheduler.SchedulerLincheckSupport.Awaiter;
import io.asyncruntime.internal.scheduler.SchedulerLincheckSupport.RecordingScheduler;
import io.asyncruntime.internal.scheduler.SchedulerLincheckSupport.Scenario;
import io.asyncruntime.internal.scheduler.SchedulerLincheckSupport.WorkerPoller;
import io.asyncruntime.task.Poll;
import io.asyncruntime.task.Waker;
import org.jetbrains.lincheck.datastructures.Operation;
import org.jetbrains.lincheck.datastructures.Validate;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Compaction on give-up (issue 15 review, R3/R4) against pushes and completion, under every
 * interleaving Lincheck explores. A cell whose task completes at its first poll (the "worker"
 * runs it) is awaited by two live awaiters with wakers of their own (one re-polls, so the
 * head-only shortcut and duplicates meet), and given up on in the two ways that now trigger a
 * compaction: a combinator branch that registered, became {@linkplain Waker#isObsolete() obsolete}
 * and told the handle ({@code cancel()}), and a blocking get that abandoned its registration. The
 * list compacts from two nodes on, so give-up compactions race pushes, push compactions, each
 * other and the completer's walk. Operations return nothing; {@link #invariantsHold()} checks,
 * with nothing in flight:
 * <ul>
 *   <li>a live awaiter that saw pending was woken once the cell completed, and a complete cell
 *       links nothing;</li>
 *   <li>while the cell is pending, every live awaiter that saw pending is still linked (no
 *       compaction dropped a live waker), no compaction is due (every count made during another
 *       compaction was acted on before that compactor returned), and a final compaction leaves no
 *       obsolete node below the head (what it unlinks is exactly the obsolete).</li>
 * </ul>
 */
public class WaiterGiveUpLincheckTest {

    private static final Scenario SCENARIO = new Scenario(3, 3, 2, 1);
    private static final Scenario LONG_SCENARIO = new Scenario(3, 4, 2, 2);

    private final RecordingScheduler scheduler = new RecordingScheduler();
    private final TaskCell<Integer> cell =
            SchedulerLincheckSupport.spawnedCellCompactingFrom(2, scheduler, cx -> Poll.ready(1));
    /** Awaiters of a cell that never fails: any failure of their poll fails the test. */
    private final Awaiter awaiter = new Awaiter(cell, false);
    private final Awaiter otherAwaiter = new Awaiter(cell, false);
    private final WorkerPoller poller = new WorkerPoller(scheduler);

    /** The worker: runs the queued cell, which completes it and wakes its waiters. */
    @Operation(nonParallelGroup = "worker")
    public void complete() {
        ScheduledTask next = scheduler.queue.poll();
        if (next != null) {
            next.run(poller);
        }
    }

    @Operation(nonParallelGroup = "awaiter")
    public void liveAwait() {
        awaiter.pollHandle();
    }

    @Operation(nonParallelGroup = "otherAwaiter")
    public void otherLiveAwaitsTwice() {
        otherAwaiter.pollHandle();
        otherAwaiter.pollHandle();
    }

    /**
     * A combinator branch that awaited the handle and was dropped: it registers a waker of its
     * own, becomes obsolete, then the combinator cancels the handle (a give-up).
     */
    @Operation
    public void branchGivesUp() {
        Awaiter branch = new Awaiter(cell, false);
        branch.pollHandle();
        branch.obsolete = true;
        cell.cancel();
    }

    /** A blocking get that timed out: registers, abandons, reports the give-up (as {@code awaitFinished}). */
    @Operation
    public void getGivesUp() {
        Waiters.ThreadWaker gaveUp = new Waiters.ThreadWaker();
        cell.addWaiter(gaveUp);
        gaveUp.abandon();
        cell.waiterGaveUp();
    }

    @Validate
    public void invariantsHold() {
        boolean complete = cell.isFinished();
        SchedulerLincheckSupport.checkAwaitersWokenOrLinked(cell, complete, awaiter, otherAwaiter);
        if (complete) {
            return;
        }
        Waiters head = cell.waiterHead();
        if (head == null) {
            return;
        }
        if (head.stats != null && head.stats.isDue()) {
            // Every push and give-up has returned: whatever they counted was acted on (R4 gap).
            throw new AssertionError("a compaction is due with nothing in flight; list length " + cell.waiterCount());
        }
        Waiters.compactBelow(head); // nothing in flight: no other compactor
        for (Waiters w = head.next(); w != null; w = w.next()) {
            if (w.isObsolete()) {
                throw new AssertionError("an obsolete node survived a compaction; list length " + cell.waiterCount());
            }
        }
        for (Awaiter a : new Awaiter[] {awaiter, otherAwaiter}) {
            if (a.sawPending && !cell.hasWaiter(a)) {
                throw new AssertionError("the final compaction dropped a live awaiter");
            }
        }
    }

    @Test
    void modelChecking() {
        SCENARIO.modelChecking(10, 250).check(getClass());
    }

    @Test
    void stress() {
        SCENARIO.stress(8, 400).check(getClass());
    }

    @Test
    @Tag("long")
    void modelCheckingLong() {
        LONG_SCENARIO.modelChecking(200, 3_000).check(getClass());
    }
}
