package io.asyncruntime.sample.redis;

import io.asyncruntime.task.JoinHandle;

/**
 * The handle of an entry's timer task, set once the task is spawned, which is after the entry
 * was published: a writer that replaces the entry meanwhile must still end the timer. Both
 * sides write their field, then read the other's, with volatile accesses (a Dekker pair), so
 * at least one of them sees the other and aborts the task: no timer outlives its entry.
 */
final class ExpiryTimer {

    private volatile JoinHandle<Void> handle;
    private volatile boolean aborted;

    /** Ends the timer: now if it was started, else as soon as it is. Idempotent. */
    void abort() {
        aborted = true;
        JoinHandle<Void> h = handle;
        if (h != null) {
            h.abort();
        }
    }

    /** The timer task was spawned as {@code h}; it is aborted at once if the entry went meanwhile. */
    void started(JoinHandle<Void> h) {
        handle = h;
        if (aborted) {
            h.abort();
        }
    }

}
