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

    private final RecordingScheduler scheduler = new RecordingScheduler();
    private final ScriptedTask task = new ScriptedTask();
    private final TaskCell<Integer> cell = new TaskCell<>(scheduler, task, Priority.NORMAL) {
        @Override
        int waiterCompactionThreshold() {
            return 2;
        }
    };
    private final BarePoller poller = new BarePoller();
    private final Awaiter awaiter = new Awaiter();
    private final Awaiter otherAwaiter = new Awaiter();

    public TaskCellLincheckTest() {
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
        if ((state & TaskState.RUNNING) != 0) {
            throw new AssertionError("RUNNING with no operation in flight: " + TaskState.describe(state));
        }
        boolean notified = (state & TaskState.NOTIFIED) != 0;
        if (queued != (notified ? 1 : 0)) {
            throw new AssertionError("state " + TaskState.describe(state) + " (" + state + ") but queued " + queued + " times");
        }
        boolean complete = TaskState.isComplete(state);
        if (scheduler.completed.get() != (complete ? 1 : 0)) {
            throw new AssertionError("complete=" + complete + " but completions counted " + scheduler.completed.get());
        }
        if (complete && notified) {
            throw new AssertionError("a complete cell is still NOTIFIED");
        }
        if (task.cancelled.get() != (complete && cell.isCancelled())) {
            throw new AssertionError("task.cancel() called=" + task.cancelled.get() + " but cancelled outcome="
                    + (complete && cell.isCancelled()));
        }
        for (Awaiter a : new Awaiter[] {awaiter, otherAwaiter}) {
            if (complete && a.sawPending && a.wakes.get() == 0) {
                throw new AssertionError("an awaiter that saw pending was not woken when the cell completed");
            }
            if (!complete && a.sawPending && !cell.hasWaiter(a)) {
                throw new AssertionError("a pending awaiter's registration was dropped; list length " + cell.waiterCount());
            }
        }
        if (complete && cell.waiterCount() != 0) {
            throw new AssertionError("a complete cell still links " + cell.waiterCount() + " waiters");
        }
    }

    /** An awaiting task: its own waker; records whether it saw pending and how often it was woken. */
    private final class Awaiter implements Context, Waker {
        final AtomicInteger wakes = new AtomicInteger();
        volatile boolean sawPending;

        void pollHandle() {
            try {
                if (cell.poll(this).isPending()) {
                    sawPending = true;
                }
            } catch (Exception finishedWithFailure) {
                if (!cell.isFinished()) {
                    throw new AssertionError("await threw before the cell finished", finishedWithFailure);
                }
            }
        }

        @Override
        public void wake() {
            wakes.incrementAndGet();
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

    /** Ready on its second poll; checks it is never polled concurrently or after cancel. */
    private static final class ScriptedTask implements Task<Integer> {
        final AtomicBoolean inPoll = new AtomicBoolean();
        final AtomicBoolean cancelled = new AtomicBoolean();
        volatile String violation;
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
                return ++polls >= 2 ? Poll.ready(polls) : Poll.pending();
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

    private final class BarePoller implements TaskPoller, Context {
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
        public Context enter(TaskCell<?> cell) {
            current = cell;
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
                .invocationsPerIteration(500)
                .threads(3)
                .actorsPerThread(3)
                .actorsBefore(1)
                .actorsAfter(2)
                .check(getClass());
    }

    @Test
    void stress() {
        new StressOptions()
                .iterations(25)
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
                .iterations(300)
                .invocationsPerIteration(5_000)
                .threads(3)
                .actorsPerThread(4)
                .actorsBefore(2)
                .actorsAfter(3)
                .check(getClass());
    }
}
