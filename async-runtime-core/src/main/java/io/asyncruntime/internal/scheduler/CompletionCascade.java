package io.asyncruntime.internal.scheduler;

import java.util.ArrayDeque;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs completion cascades iteratively: a trampoline, one per thread.
 *
 * <p>Completing a cell wakes its waiters, and a wake can complete another cell on the same thread:
 * after shutdown a woken cell is cancelled right away ({@code Scheduler.schedule} →
 * {@code cancelQueued} → complete), an abort completes an idle cell inline, a stage callback can
 * abort another handle; and cancelling a task runs its {@code cancel()}, which may wake another
 * task (a released permit, a closed channel), cancelled in turn after shutdown. Called
 * recursively, a chain of n tasks each awaiting the previous one needs n nested frames and
 * overflows the stack at about a thousand links. Here the first step on a thread (a waiter list
 * to wake, or a task to cancel because the runtime shut down) runs, and then, in a loop, every
 * step it caused; a nested step only queues itself. The stack stays constant, and every step runs,
 * oldest first, before the outermost call returns.
 *
 * <p>Thread-confined: workers keep theirs in their {@link WorkerThread} (no thread-local lookup
 * on the hot path); other threads get one from a thread-local.
 */
final class CompletionCascade {

    private static final Logger log = LoggerFactory.getLogger(CompletionCascade.class);

    private static final ThreadLocal<CompletionCascade> OFF_WORKER = ThreadLocal.withInitial(CompletionCascade::new);

    /**
     * A queue that grew past this many steps is dropped once the cascade ended, so a thread that
     * once ran a long cascade (a pool thread keeps its thread-local for its lifetime) does not
     * keep an array sized for it.
     */
    private static final int RETAINED_CAPACITY = 1024;

    /** Steps queued by nested ones: {@link Waiters} lists to wake, {@link ScheduledTask}s to cancel. */
    private ArrayDeque<Object> queued = new ArrayDeque<>();
    private boolean running;

    private static CompletionCascade here() {
        return Thread.currentThread() instanceof WorkerThread worker ? worker.completionCascade : OFF_WORKER.get();
    }

    /** Wakes every waiter of {@code taken}, a list taken off a completed cell. */
    static void wakeAll(Waiters taken) {
        here().run(taken);
    }

    /**
     * Completes {@code task}, just queued after shutdown (so it will never run), as cancelled. The
     * caller holds it out of every queue, as {@link ScheduledTask#cancelQueued} requires.
     */
    static void cancelAfterShutdown(ScheduledTask task) {
        here().run(task);
    }

    private void run(Object first) {
        if (running) {
            queued.addLast(first);
            return;
        }
        running = true;
        int steps = 0;
        try {
            for (Object step = first; step != null; step = queued.pollFirst()) {
                runStep(step);
                steps++;
            }
        } finally {
            // runStep contains every failure of a step, so this runs with the queue empty; should
            // an Error escape anyway, the steps left run at this thread's next call.
            running = false;
            if (steps > RETAINED_CAPACITY && queued.isEmpty()) {
                queued = new ArrayDeque<>();
            }
        }
    }

    private static void runStep(Object step) {
        if (step instanceof Waiters list) {
            Waiters.wakeEach(list); // contains each waker's failure
            return;
        }
        try {
            ((ScheduledTask) step).cancelQueued(Scheduler.SHUTDOWN_CANCELLATION);
        } catch (Throwable bug) {
            // cancelQueued contains what the task's cancel() throws; reaching here is a runtime bug.
            log.error("cancelling {} after shutdown failed; the cascade goes on", step, bug);
        }
    }
}
