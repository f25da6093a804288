package io.asyncruntime.internal.scheduler;

import io.asyncruntime.task.Context;
import io.asyncruntime.task.Poll;
import io.asyncruntime.task.Priority;
import io.asyncruntime.task.Task;
import io.asyncruntime.task.Waker;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import org.jetbrains.lincheck.datastructures.ModelCheckingOptions;
import org.jetbrains.lincheck.datastructures.Operation;
import org.jetbrains.lincheck.datastructures.StressOptions;
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

    private final ConcurrentLinkedQueue<ScheduledTask> queue = new ConcurrentLinkedQueue<>();
    private final CellScheduler scheduler = new CellScheduler() {
        @Override
        public void schedule(ScheduledTask task, boolean isYield) {
            queue.add(task);
        }

        @Override
        public void taskCompleted() {
        }
    };
    private final TaskCell<Integer> cell = new TaskCell<>(scheduler, (Task<Integer>) cx -> Poll.ready(1), Priority.NORMAL) {
        @Override
        int waiterCompactionThreshold() {
            return 2;
        }
    };
    private final Awaiter awaiter = new Awaiter();
    private final Awaiter otherAwaiter = new Awaiter();
    private final Poller poller = new Poller();

    public WaiterGiveUpLincheckTest() {
        queue.add(cell); // a spawn queues the new cell once
    }

    /** The worker: runs the queued cell, which completes it and wakes its waiters. */
    @Operation(nonParallelGroup = "worker")
    public void complete() {
        ScheduledTask next = queue.poll();
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
        Awaiter branch = new Awaiter();
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
        for (Awaiter a : new Awaiter[] {awaiter, otherAwaiter}) {
            if (complete && a.sawPending && a.wakes.get() == 0) {
                throw new AssertionError("a live awaiter that saw pending was not woken when the cell completed");
            }
            if (!complete && a.sawPending && !cell.hasWaiter(a)) {
                throw new AssertionError("a live awaiter's registration was dropped; list length " + cell.waiterCount());
            }
        }
        if (complete) {
            if (cell.waiterCount() != 0) {
                throw new AssertionError("a complete cell still links " + cell.waiterCount() + " waiters");
            }
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

    /** An awaiting task's context and waker; records whether it saw pending and its wakes. */
    private final class Awaiter implements Context, Waker {
        final AtomicInteger wakes = new AtomicInteger();
        volatile boolean sawPending;
        volatile boolean obsolete;

        void pollHandle() {
            try {
                if (cell.poll(this).isPending()) {
                    sawPending = true;
                }
            } catch (Exception e) {
                throw new AssertionError("the cell's task does not fail", e);
            }
        }

        @Override
        public void wake() {
            wakes.incrementAndGet();
        }

        @Override
        public boolean isObsolete() {
            return obsolete;
        }

        @Override
        public Waker waker() {
            return this;
        }

        @Override
        public boolean consumeBudget() {
            return true;
        }

        @Override
        public void requestYield() {
        }
    }

    /** Runs the cell outside a real worker: its context's waker is the cell itself. */
    private final class Poller implements TaskPoller, Context {
        private TaskCell<?> current;

        @Override
        public Context enter(TaskCell<?> polled) {
            current = polled;
            return this;
        }

        @Override
        public boolean leave() {
            current = null;
            return false;
        }

        @Override
        public void requeue(ScheduledTask task) {
            queue.add(task);
        }

        @Override
        public void taskCompleted() {
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
        }
    }

    @Test
    void modelChecking() {
        new ModelCheckingOptions()
                .iterations(10)
                .invocationsPerIteration(250)
                .threads(3)
                .actorsPerThread(3)
                .actorsBefore(2)
                .actorsAfter(1)
                .check(getClass());
    }

    @Test
    void stress() {
        new StressOptions()
                .iterations(8)
                .invocationsPerIteration(400)
                .threads(3)
                .actorsPerThread(3)
                .actorsBefore(2)
                .actorsAfter(1)
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
                .actorsAfter(2)
                .check(getClass());
    }
}
