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

    private final RecordingScheduler scheduler = new RecordingScheduler();
    private final YieldingTask task = new YieldingTask();
    private final TaskCell<Integer> cell = new TaskCell<>(scheduler, task, Priority.NORMAL);
    private final YieldingPoller poller = new YieldingPoller();

    public TaskCellYieldLincheckTest() {
        scheduler.queue.add(cell); // a spawn queues the new cell once
    }

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
        if (task.violation != null) {
            throw new AssertionError(task.violation);
        }
        int state = cell.state();
        int queued = 0;
        for (ScheduledTask t : scheduler.queue) {
            if (t == cell) {
                queued++;
            }
        }
        boolean complete = TaskState.isComplete(state);
        boolean owned = (state & (TaskState.NOTIFIED | TaskState.RUNNING)) != 0;
        if (!complete && queued != (owned ? 1 : 0)) {
            throw new AssertionError("state " + TaskState.describe(state) + " (" + state + ") but queued " + queued + " times");
        }
        if (complete && queued != 0) {
            throw new AssertionError("a complete cell is still queued " + queued + " times");
        }
        if (!complete && !owned && task.waiting && task.wokenSinceLastPoll.get()) {
            throw new AssertionError("lost wake-up: woken after its last poll, yet idle and queued nowhere");
        }
        if (scheduler.completed.get() != (complete ? 1 : 0)) {
            throw new AssertionError("complete=" + complete + " but completions counted " + scheduler.completed.get());
        }
        if (task.cancelled.get() != (complete && cell.isCancelled())) {
            throw new AssertionError("task.cancel() called=" + task.cancelled.get() + " but cancelled outcome="
                    + (complete && cell.isCancelled()));
        }
    }

    /**
     * Yields on its first two polls, then returns pending until woken, then ready; checks it is
     * never polled concurrently, after cancel, or cancelled while polled.
     */
    private final class YieldingTask implements Task<Integer> {
        final AtomicBoolean inPoll = new AtomicBoolean();
        final AtomicBoolean cancelled = new AtomicBoolean();
        /** Set by every wake before it reaches the cell; cleared as a poll starts. */
        final AtomicBoolean wokenSinceLastPoll = new AtomicBoolean();
        volatile String violation;
        /** Whether the last poll returned pending without a yield: only a wake brings the task back. */
        volatile boolean waiting;
        private int polls;

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
                polls++;
                waiting = false;
                if (polls <= 2) {
                    cx.requestYield();
                    return Poll.pending();
                }
                if (polls == 3 && !woken) {
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

    /** A worker's poller: reports a requested yield, and re-queues at the back of its queue. */
    private final class YieldingPoller implements TaskPoller, Context {
        private TaskCell<?> current;
        private boolean yieldRequested;

        @Override
        public void requeue(ScheduledTask task) {
            scheduler.queue.add(task);
        }

        @Override
        public void taskCompleted() {
            scheduler.taskCompleted();
        }

        @Override
        public Context enter(TaskCell<?> cell) {
            current = cell;
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
                .invocationsPerIteration(300)
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
                .iterations(300)
                .invocationsPerIteration(5_000)
                .threads(3)
                .actorsPerThread(4)
                .actorsBefore(2)
                .actorsAfter(3)
                .check(getClass());
    }
}
