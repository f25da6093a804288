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
import org.jetbrains.lincheck.datastructures.Options;
import org.jetbrains.lincheck.datastructures.StressOptions;

/**
 * What the scheduler package's Lincheck tests share: the shape of their runs ({@link Scenario}),
 * and for the task cell's tests a cell run outside a real worker: a scheduler that records what it
 * queues ({@link RecordingScheduler}), a worker's poller ({@link WorkerPoller}), a scripted task
 * that checks how it is polled ({@link ScriptedTask}), an awaiting task ({@link Awaiter}), and the
 * checks several tests make of what they leave behind. Each test still states its own operations
 * and its own invariants; this holds only what they wrote alike.
 */
final class SchedulerLincheckSupport {

    private SchedulerLincheckSupport() {
    }

    /**
     * The shape of a test's Lincheck scenarios. Every run states its options (Lincheck's defaults
     * took ~330 s for a two-operation counter here; see CONVENTIONS.md): the shape here, the
     * iterations and invocations at the call.
     */
    record Scenario(int threads, int actorsPerThread, int actorsBefore, int actorsAfter) {

        ModelCheckingOptions modelChecking(int iterations, int invocationsPerIteration) {
            return shaped(new ModelCheckingOptions(), iterations, invocationsPerIteration);
        }

        StressOptions stress(int iterations, int invocationsPerIteration) {
            return shaped(new StressOptions(), iterations, invocationsPerIteration);
        }

        private <O extends Options<O, ?>> O shaped(O options, int iterations, int invocationsPerIteration) {
            return options.iterations(iterations)
                    .invocationsPerIteration(invocationsPerIteration)
                    .threads(threads)
                    .actorsPerThread(actorsPerThread)
                    .actorsBefore(actorsBefore)
                    .actorsAfter(actorsAfter);
        }
    }

    /** A spawned cell: made, and queued once on {@code scheduler}, as a spawn queues a new cell. */
    static TaskCell<Integer> spawnedCell(RecordingScheduler scheduler, Task<Integer> task) {
        TaskCell<Integer> cell = new TaskCell<>(scheduler, task, Priority.NORMAL);
        scheduler.queue.add(cell);
        return cell;
    }

    /**
     * A spawned cell whose waiter list compacts from {@code threshold} nodes on (shrunk from
     * {@link Waiters#MIN_COMPACTION_LENGTH}, so compaction races pushes and completion).
     */
    static TaskCell<Integer> spawnedCellCompactingFrom(int threshold, RecordingScheduler scheduler, Task<Integer> task) {
        TaskCell<Integer> cell = new TaskCell<>(scheduler, task, Priority.NORMAL) {
            @Override
            int waiterCompactionThreshold() {
                return threshold;
            }
        };
        scheduler.queue.add(cell);
        return cell;
    }

    /** Whether the word says a thread owns the cell or must queue it: NOTIFIED or RUNNING (yield-queued if nothing is in flight). */
    static boolean owned(int state) {
        return (state & (TaskState.NOTIFIED | TaskState.RUNNING)) != 0;
    }

    /** An abort that was requested is never lost: a live cell keeps CANCELLED once {@code aborted}. */
    static void checkAbortKept(boolean aborted, int state) {
        if (aborted && !TaskState.isComplete(state) && (state & TaskState.CANCELLED) == 0) {
            throw new AssertionError("lost abort: state " + TaskState.describe(state));
        }
    }

    /**
     * A yielding cell's poll count against the polls its task saw: a live cell's (word plus the
     * stamp's uncounted bits, what a task dump shows) exactly; a completed cell's word all of them,
     * and one more at most (a take that found the abort counts, as a take of a woken cell always has).
     */
    static void checkPollsCounted(TaskCell<?> cell, int state, ScriptedTask task) {
        int counted = TaskState.polls(state);
        int started = task.started.get();
        boolean complete = TaskState.isComplete(state);
        if (!complete && counted + cell.uncountedPolls() != started) {
            throw new AssertionError("live cell counts " + counted + " + " + cell.uncountedPolls()
                    + " uncounted polls, the task saw " + started);
        }
        if (complete && (counted < started || counted > started + 1)) {
            throw new AssertionError("complete cell counts " + counted + " polls, the task saw " + started);
        }
    }

    /**
     * The awaiters' side once nothing is in flight: one that saw pending was woken once the cell
     * completed; while the cell is pending, its registration is still linked (no compaction
     * dropped a live waker); a complete cell links nothing.
     */
    static void checkAwaitersWokenOrLinked(TaskCell<?> cell, boolean complete, Awaiter... awaiters) {
        for (Awaiter a : awaiters) {
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

    /** A scheduler that queues into one queue, which a test's worker operation drains, and counts completions. */
    static class RecordingScheduler implements CellScheduler {
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

        /** How many times {@code task} is in the queue now (an invariant reads it with nothing in flight). */
        int timesQueued(ScheduledTask task) {
            int queued = 0;
            for (ScheduledTask t : queue) {
                if (t == task) {
                    queued++;
                }
            }
            return queued;
        }

        /** The cell is complete exactly when its completion was counted, once. */
        void checkCompletedOnceIff(boolean complete) {
            if (completed.get() != (complete ? 1 : 0)) {
                throw new AssertionError("complete=" + complete + " but completions counted " + completed.get());
            }
        }
    }

    /**
     * A worker's poller, outside a real worker: its context's waker is the polled cell; it reports
     * a yield the task requested, and re-queues at the back of the scheduler's queue.
     */
    static final class WorkerPoller implements TaskPoller, Context {
        private final CellScheduler scheduler;
        private TaskCell<?> current;
        private boolean yieldRequested;

        WorkerPoller(CellScheduler scheduler) {
            this.scheduler = scheduler;
        }

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

    /**
     * A task that follows a script, checking it is never polled by two threads at once, nor after
     * its {@code cancel()}, nor cancelled while polled or twice (a {@link #violation} the test's
     * invariant reports): it yields on its first polls, then returns plain pending, then, if it
     * waits for a wake, returns pending once more unless woken since its last poll, then is ready.
     */
    static final class ScriptedTask implements Task<Integer> {
        /** Polls started. */
        final AtomicInteger started = new AtomicInteger();
        final AtomicBoolean inPoll = new AtomicBoolean();
        final AtomicBoolean cancelled = new AtomicBoolean();
        /** Set by a test's wake before it reaches the cell; read and cleared as a poll starts (if the task waits for one). */
        final AtomicBoolean wokenSinceLastPoll = new AtomicBoolean();
        volatile String violation;
        /** Whether the last poll returned pending without a yield and only a wake brings the task back (if it waits for one). */
        volatile boolean waiting;
        private final int yields;
        private final int pendings;
        private final boolean waitsForAWake;

        private ScriptedTask(int yields, int pendings, boolean waitsForAWake) {
            this.yields = yields;
            this.pendings = pendings;
            this.waitsForAWake = waitsForAWake;
        }

        /** Yields on its first {@code yields} polls, returns pending on the next {@code pendings}, then is ready. */
        static ScriptedTask yieldingThenPending(int yields, int pendings) {
            return new ScriptedTask(yields, pendings, false);
        }

        /** Yields on its first {@code yields} polls, then returns pending until woken, then is ready. */
        static ScriptedTask yieldingThenWaitingForAWake(int yields) {
            return new ScriptedTask(yields, 0, true);
        }

        @Override
        public Poll<Integer> poll(Context cx) {
            if (!inPoll.compareAndSet(false, true)) {
                violation = "polled by two threads at once";
            }
            if (cancelled.get()) {
                violation = "polled after cancel()";
            }
            try {
                boolean woken = waitsForAWake && wokenSinceLastPoll.getAndSet(false);
                int polls = started.incrementAndGet();
                if (waitsForAWake) {
                    waiting = false;
                }
                if (polls <= yields) {
                    cx.requestYield();
                    return Poll.pending();
                }
                if (polls <= yields + pendings) {
                    return Poll.pending();
                }
                if (waitsForAWake && polls == yields + pendings + 1 && !woken) {
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

        void checkNoViolation() {
            if (violation != null) {
                throw new AssertionError(violation);
            }
        }

        /** Its {@code cancel()} was called exactly when {@code cell} completed as cancelled. */
        void checkCancelledIffOutcomeIs(TaskCell<?> cell, int state) {
            boolean cancelledOutcome = TaskState.isComplete(state) && cell.isCancelled();
            if (cancelled.get() != cancelledOutcome) {
                throw new AssertionError("task.cancel() called=" + cancelled.get() + " but cancelled outcome=" + cancelledOutcome);
            }
        }

        /** A wake after its last poll is never lost: a pending cell that waits and is neither queued nor running was not woken since. */
        void checkNoLostWake(int state) {
            if (!TaskState.isComplete(state) && !owned(state) && waiting && wokenSinceLastPoll.get()) {
                throw new AssertionError("lost wake-up: woken after its last poll, yet idle and queued nowhere");
            }
        }
    }

    /**
     * An awaiting task's context and waker: polls {@code cell}'s handle and records whether it
     * saw pending and how often it was woken; {@link #obsolete} is set by a test whose awaiter
     * gives up. A failure of the poll fails the test, unless {@code mayFailOnceFinished} (a test
     * whose cell may end cancelled) and the cell has finished.
     */
    static final class Awaiter implements Context, Waker {
        final AtomicInteger wakes = new AtomicInteger();
        volatile boolean sawPending;
        volatile boolean obsolete;
        private final TaskCell<?> cell;
        private final boolean mayFailOnceFinished;

        Awaiter(TaskCell<?> cell, boolean mayFailOnceFinished) {
            this.cell = cell;
            this.mayFailOnceFinished = mayFailOnceFinished;
        }

        void pollHandle() {
            try {
                if (cell.poll(this).isPending()) {
                    sawPending = true;
                }
            } catch (Exception failure) {
                if (!mayFailOnceFinished) {
                    throw new AssertionError("the cell's task does not fail", failure);
                }
                if (!cell.isFinished()) {
                    throw new AssertionError("await threw before the cell finished", failure);
                }
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
}
