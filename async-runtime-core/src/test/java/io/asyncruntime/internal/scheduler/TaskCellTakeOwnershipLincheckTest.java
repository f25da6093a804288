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
 * The poll entry of a woken cell ({@code TaskCell.takeOwnership}: NOTIFIED → RUNNING with the
 * poll counted, one atomic add worked out from the state the taker read) against everything
 * others may do to a queued cell meanwhile: wakes (which find NOTIFIED set and write nothing, or
 * set it during a poll), {@code abort()} and {@code Future.cancel} (which set CANCELLED and
 * FUTURE_CANCELLED on the word the add lands on). The task is pending on its first two polls and
 * ready on its third. {@link #invariantsHold()} checks, with nothing in flight:
 *
 * <ul>
 *   <li>the task was never polled by two threads at once, nor after it was cancelled;</li>
 *   <li>RUNNING is clear, and the cell is queued exactly once when NOTIFIED, never otherwise;</li>
 *   <li>the state word's poll count equals the worker's takes of the cell (the add counts
 *       exactly; a take that finds the cell cancelled counts as a poll, as before);</li>
 *   <li>a cancel request that returned true is never lost: CANCELLED (and FUTURE_CANCELLED for
 *       {@code Future.cancel}) stay set, and a complete cell is then a cancellation;</li>
 *   <li>it is complete exactly when its completion was counted, once.</li>
 * </ul>
 */
public class TaskCellTakeOwnershipLincheckTest {

    private final Queue scheduler = new Queue();
    private final CountingTask task = new CountingTask();
    private final TaskCell<Integer> cell = new TaskCell<>(scheduler, task, Priority.NORMAL);
    private final Poller poller = new Poller();
    private final AtomicBoolean abortSucceeded = new AtomicBoolean();
    private final AtomicBoolean futureCancelSucceeded = new AtomicBoolean();
    /** Times the worker took the cell off the queue: each take counts one poll, cancelled or not. Worker only. */
    private int takes;

    public TaskCellTakeOwnershipLincheckTest() {
        scheduler.queue.add(cell); // a spawn queues the new cell once
    }

    /** The worker: runs one queued task, if any. */
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
        if (task.violation != null) {
            throw new AssertionError(task.violation);
        }
        int state = cell.state();
        String described = TaskState.describe(state) + " (" + Integer.toHexString(state) + ")";
        if ((state & TaskState.RUNNING) != 0) {
            throw new AssertionError("RUNNING with nothing in flight: " + described);
        }
        int queued = 0;
        for (ScheduledTask t : scheduler.queue) {
            if (t == cell) {
                queued++;
            }
        }
        boolean notified = (state & TaskState.NOTIFIED) != 0;
        if (queued != (notified ? 1 : 0)) {
            throw new AssertionError(described + " but queued " + queued + " times");
        }
        if (TaskState.polls(state) != takes) {
            throw new AssertionError("the word counts " + TaskState.polls(state) + " polls, the worker took the cell "
                    + takes + " times: " + described);
        }
        boolean complete = TaskState.isComplete(state);
        if ((abortSucceeded.get() || futureCancelSucceeded.get()) && (state & TaskState.CANCELLED) == 0) {
            throw new AssertionError("a cancel request that succeeded was lost: " + described);
        }
        if (futureCancelSucceeded.get() && ((state & TaskState.FUTURE_CANCELLED) == 0 || complete && !cell.isCancelled())) {
            throw new AssertionError("a Future.cancel that returned true was lost: " + described);
        }
        if (scheduler.completed.get() != (complete ? 1 : 0)) {
            throw new AssertionError("complete=" + complete + " but completions counted " + scheduler.completed.get());
        }
    }

    /** Pending on its first two polls, ready on the third; checks it is never polled concurrently or after cancel. */
    private static final class CountingTask implements Task<Integer> {
        final AtomicBoolean inPoll = new AtomicBoolean();
        final AtomicBoolean cancelled = new AtomicBoolean();
        final AtomicInteger polls = new AtomicInteger();
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
                int n = polls.incrementAndGet();
                return n >= 3 ? Poll.ready(n) : Poll.pending();
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

    private static final class Queue implements CellScheduler {
        final ConcurrentLinkedQueue<ScheduledTask> queue = new ConcurrentLinkedQueue<>();
        final AtomicInteger completed = new AtomicInteger();

        @Override
        public void schedule(ScheduledTask task, boolean isYield) {
            queue.add(task);
        }

        @Override
        public void taskCompleted() {
            completed.incrementAndGet();
        }
    }

    private final class Poller implements TaskPoller, Context {
        private TaskCell<?> current;

        @Override
        public void requeue(ScheduledTask task) {
            scheduler.schedule(task, true);
        }

        @Override
        public void taskCompleted() {
            scheduler.taskCompleted();
        }

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
                .iterations(20)
                .invocationsPerIteration(1_000)
                .threads(3)
                .actorsPerThread(3)
                .actorsBefore(1)
                .actorsAfter(2)
                .check(getClass());
    }

    @Test
    void stress() {
        new StressOptions()
                .iterations(20)
                .invocationsPerIteration(1_000)
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
                .invocationsPerIteration(5_000)
                .threads(3)
                .actorsPerThread(4)
                .actorsBefore(2)
                .actorsAfter(3)
                .check(getClass());
    }
}
