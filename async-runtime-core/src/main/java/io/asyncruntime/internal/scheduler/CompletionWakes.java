package io.asyncruntime.internal.scheduler;

import java.util.ArrayDeque;

/**
 * Delivers the wakes of completed cells iteratively: a trampoline, one per thread.
 *
 * <p>Completing a cell wakes its waiters, and a wake can complete another cell on the same thread:
 * after shutdown a woken cell is cancelled right away ({@code Scheduler.schedule} →
 * {@code cancelQueued} → complete), an abort completes an idle cell inline, a stage callback can
 * abort another handle. Called recursively, a chain of n tasks each awaiting the previous one
 * needs n nested frames and overflows the stack at about a thousand links. Here the first
 * completion on a thread delivers its waiters and then, in a loop, the waiter lists of every
 * completion those wakes caused; a nested completion only queues its list. The stack stays
 * constant and every list is delivered, oldest first, before the outermost call returns.
 *
 * <p>Thread-confined: workers keep theirs in their {@link WorkerThread} (no thread-local lookup
 * on the hot path); other threads get one from a thread-local.
 */
final class CompletionWakes {

    private static final ThreadLocal<CompletionWakes> OFF_WORKER = ThreadLocal.withInitial(CompletionWakes::new);

    /** Lists queued by nested completions, delivered in order by the outermost one. */
    private final ArrayDeque<Waiters> queued = new ArrayDeque<>();
    private boolean delivering;

    /** Wakes every waiter of {@code taken} (a list taken off a completed cell), iteratively. */
    static void deliver(Waiters taken) {
        CompletionWakes here = Thread.currentThread() instanceof WorkerThread worker
                ? worker.completionWakes
                : OFF_WORKER.get();
        here.deliverHere(taken);
    }

    private void deliverHere(Waiters taken) {
        if (delivering) {
            queued.addLast(taken);
            return;
        }
        delivering = true;
        try {
            Waiters.wakeEach(taken);
            for (Waiters next = queued.pollFirst(); next != null; next = queued.pollFirst()) {
                Waiters.wakeEach(next);
            }
        } finally {
            // wakeEach contains every waker's failure, so this runs with the queue empty; should
            // an Error escape anyway, the lists left are delivered by this thread's next call.
            delivering = false;
        }
    }
}
