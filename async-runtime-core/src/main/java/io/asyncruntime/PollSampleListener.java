package io.asyncruntime;

/**
 * Receives a sample of a runtime's task polls: how long a poll took, and how long a task waited
 * in a queue before its poll began (its schedule latency). What a Micrometer timer or an
 * HdrHistogram needs to show the distributions, at a cost the hot path can carry: see
 * {@link AsyncRuntime#samplePolls}.
 *
 * <p>Called on worker threads, in the middle of their run loop: an implementation must be
 * thread-safe, fast (a histogram record, no I/O, no lock that a worker could wait on) and must not
 * throw (what it throws is logged once and the sample is dropped). Several listeners may sample
 * one runtime, each at its own interval.
 */
public interface PollSampleListener {

    /**
     * One sampled poll took {@code nanos} on worker {@code worker}. Includes the time the task's
     * own code ran and the runtime's work around it (context propagation, completing the task).
     *
     * @param worker the worker's index, 0 to {@code workerThreads() - 1}
     * @param nanos the poll's duration in nanoseconds, at least 0
     */
    void pollTime(int worker, long nanos);

    /**
     * One sampled task waited {@code nanos} from the moment it was queued (spawned, woken or
     * yielding) until a worker began to poll it: the time a runnable task spends waiting for a
     * worker, which grows when the workers are saturated or one is stalled.
     *
     * @param nanos the wait in nanoseconds, at least 0
     */
    void scheduleLatency(long nanos);

    /**
     * What {@link AsyncRuntime#samplePolls} returns: closing it stops the samples to its listener
     * (within a few polls of each worker); other listeners go on. Closing twice does nothing.
     */
    interface Registration extends AutoCloseable {
        /** Stops the samples to this registration's listener. */
        @Override
        void close();
    }
}
