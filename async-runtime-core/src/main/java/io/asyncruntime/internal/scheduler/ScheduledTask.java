package io.asyncruntime.internal.scheduler;

/**
 * What the scheduler's queues hold: a runnable unit with an intrusive link.
 *
 * <p>Invariant: a scheduled task is in at most one queue (a worker's local ring, the inject
 * queue, or a LIFO slot) at a time. The task's state word guarantees it: only the transition
 * that sets NOTIFIED on an idle task may enqueue it. So one {@link #queueNext} link suffices, and
 * pushing never allocates.
 */
public abstract class ScheduledTask {

    /**
     * The next task in the {@link InjectQueue} while this one sits there; {@code null} otherwise.
     * Written and read only under the inject queue's own ordering (see {@code InjectQueue}), and
     * cleared when the task is taken out, so that a finished task does not keep later ones
     * reachable.
     */
    ScheduledTask queueNext;

    /** The lane index ({@code Priority.ordinal()}) this task is queued in. */
    abstract int lane();

    /** Runs one poll of this task on the current thread, which {@code poller} stands for. */
    abstract void run(TaskPoller poller);

    /**
     * Completes this queued task as cancelled because it will never run (the runtime shut down).
     * The caller has taken it out of every queue.
     */
    abstract void cancelQueued(String why);
}
