package io.asyncruntime.internal.scheduler;

import io.asyncruntime.task.Context;
import io.asyncruntime.task.Priority;
import io.asyncruntime.task.Waker;
import java.util.concurrent.Callable;

/**
 * A unit of blocking work: a task cell whose body is a {@link Callable} that a blocking-pool
 * thread runs to completion in one call. Being a {@link TaskCell}, it is the runtime's ordinary
 * {@code JoinHandle} (await it in a task, chain on it, {@code get()} it), with the cell's state
 * machine deciding the races: a queued cell is NOTIFIED, the thread that runs it takes RUNNING
 * with one CAS, and an abort that lands first makes that run cancel instead of calling the work.
 *
 * <p>What differs from a spawned task: nothing ever schedules it (a callable never returns
 * pending and registers no waker, so the cell goes NOTIFIED → RUNNING → COMPLETE), and an abort
 * of queued work also tells the pool ({@link Owner#abortRequested}), so the pool can take it out
 * of its queue and complete the handle at once instead of when a thread gets round to it.
 */
public final class BlockingTask<T> extends TaskCell<T> {

    private final Adapter adapter;
    private final String name;

    private BlockingTask(Adapter adapter, Callable<T> work, String name) {
        super(adapter, work, CALLABLE, Priority.NORMAL);
        this.adapter = adapter;
        this.name = name;
    }

    /** What a pool supplies to the tasks it runs. */
    public interface Owner {

        /** Counts one finished task; called before the handle is published as complete. */
        void taskCompleted();

        /**
         * The handle of {@code task} was aborted. If the pool still holds it queued, it removes it
         * and calls {@link BlockingTask#cancelBeforeStart}; otherwise the task is running or done,
         * and nothing is to be done (a running task finishes; see {@link BlockingTask#abort()}).
         */
        void abortRequested(BlockingTask<?> task);
    }

    /** Makes the tasks of one pool; holds the one adapter they share. */
    public static final class Factory {
        private final Adapter adapter;

        /** A factory for the pool {@code owner}. */
        public Factory(Owner owner) {
            if (owner == null) {
                throw new NullPointerException("owner");
            }
            this.adapter = new Adapter(owner);
        }

        /**
         * A new task, NOTIFIED (ready to be queued), that will call {@code work}.
         *
         * @param name the handle's name; null for the default {@code task-<hash>}
         */
        public <T> BlockingTask<T> create(Callable<T> work, String name) {
            if (work == null) {
                throw new NullPointerException("callable must not be null");
            }
            return new BlockingTask<>(adapter, work, name);
        }
    }

    /**
     * Runs the work on the calling thread and completes the handle with its value or the
     * exception it threw; if the handle was aborted while queued, completes it as cancelled
     * without calling the work. Called once, by the pool thread that took the task off its queue.
     */
    public void runHere() {
        run(adapter);
    }

    /**
     * Completes the handle as cancelled, without running the work, with {@code why} in the
     * message. Only for a task the caller took out of the pool's queue (abort, shutdown); a
     * no-op if the task already started.
     */
    public void cancelBeforeStart(String why) {
        cancelQueued(why);
    }

    /**
     * Queued work never starts: it is taken out of the pool's queue and the handle completes as
     * cancelled at once. Running work is not interrupted; it finishes and, as with any task
     * whose poll was already ready, its outcome is what the handle holds (nobody waits for it,
     * so it is dropped with the handle).
     */
    @Override
    public void abort() {
        super.abort();
        if (!isFinished()) {
            adapter.owner.abortRequested(this);
        }
    }

    @Override
    public String name() {
        return name != null ? name : super.name();
    }

    /**
     * The cell's scheduler, poller and context, all at once: a callable is called in one poll,
     * so none of the scheduling paths can be reached (they fail loudly if ever they are).
     */
    private static final class Adapter implements CellScheduler, TaskPoller, Context {
        final Owner owner;

        Adapter(Owner owner) {
            this.owner = owner;
        }

        @Override
        public void schedule(ScheduledTask task, boolean isYield) {
            // Only the wake of an idle cell schedules, and a blocking cell is never idle: it is
            // queued (NOTIFIED) from creation until a thread runs it to completion.
            throw new IllegalStateException("a blocking task is never re-scheduled: " + task);
        }

        @Override
        public void taskCompleted() {
            owner.taskCompleted();
        }

        @Override
        public Context enter(TaskCell<?> cell) {
            return this;
        }

        @Override
        public boolean leave() {
            return false;
        }

        @Override
        public void requeue(ScheduledTask task) {
            throw new IllegalStateException("a blocking task completes in one call and is never re-queued: " + task);
        }

        @Override
        public Waker waker() {
            throw new IllegalStateException("blocking work is a plain call: it has no waker");
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
