package io.asyncruntime.internal.scheduler;

/**
 * The resource driver a parked worker drives: the seam where the timer wheel and the I/O
 * selector plug into the scheduler's park (Tokio's {@code park.rs} shared driver).
 *
 * <p>There is no timer thread and no I/O thread. A worker that runs out of work tries to take the
 * driver; the one that gets it calls {@link #park} and blocks there (in {@code Selector.select},
 * or in a plain thread park when no I/O is enabled) with the next timer deadline as its timeout.
 * The others park on their own parker. Drivers wrap one another: the time driver wraps the I/O
 * driver, which wraps a thread parker.
 *
 * <p>Threading: {@link #park} is called by at most one thread at a time (the scheduler holds a
 * lock around it); {@link #unpark()} may be called from any thread at any time.
 */
public interface Driver {

    /**
     * Blocks until {@link #unpark()} is called, a resource event arrives, or the timeout passes,
     * then dispatches what became ready (wakes the tasks whose timers fired or whose channels
     * became ready) before returning. Wakes issued here run on the parking worker, so woken tasks
     * land in that worker's local queue.
     *
     * @param timeoutNanos {@code 0} polls without blocking; a negative value blocks with no
     *     timeout; otherwise the longest time to block
     * @param runtimeIdle {@code true} when the caller is the last worker to park and no queue
     *     holds work: a paused test clock may then jump to its next deadline (auto-advance)
     */
    void park(long timeoutNanos, boolean runtimeIdle);

    /**
     * Wakes the thread blocked in {@link #park}, or makes the next {@link #park} return at once
     * if no thread is blocked there now. Safe from any thread.
     */
    void unpark();

    /** Releases the driver's resources (selector, registrations); called once at shutdown. */
    void shutdown();
}
