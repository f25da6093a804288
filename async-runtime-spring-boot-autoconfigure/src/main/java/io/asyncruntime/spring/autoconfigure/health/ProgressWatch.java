package io.asyncruntime.spring.autoconfigure.health;

import java.time.Duration;

import io.asyncruntime.RuntimeMetrics;
import io.asyncruntime.RuntimeMetrics.WorkerMetrics;

/**
 * Tells, from the metrics snapshots that successive health checks take, whether the runtime as a
 * whole has stopped making progress: tasks were waiting in its queues at two checks at least
 * {@link #MIN_INTERVAL} apart, and between them no worker polled or completed anything. That is
 * what a runtime whose every worker is stuck inside a poll looks like from outside (a blocking
 * call on each worker, an endless loop), while the inject queue grows.
 *
 * <p>Polls are published by each worker in batches (at most one event interval late, and at every
 * park), and completions at once, so a healthy runtime with work waiting always moves one of the
 * two within the interval. The interval is a floor, not a period: the verdict is re-taken only when
 * the last reference sample is at least that old, so two probes a millisecond apart cannot call a
 * long but legitimate poll a stall; in between, the last verdict stands.
 *
 * <p>Thread-safe: health checks may run concurrently (several HTTP probes).
 */
final class ProgressWatch {

    /**
     * Shortest time between the two samples of a verdict: long against any single poll a healthy
     * runtime makes (the cooperative budget keeps them to microseconds), short against a probe
     * period (Kubernetes' default is 10 s).
     */
    static final Duration MIN_INTERVAL = Duration.ofSeconds(1);

    private final long minIntervalNanos;

    private Sample reference;

    private boolean stalled;

    ProgressWatch() {
        this(MIN_INTERVAL);
    }

    ProgressWatch(Duration minInterval) {
        this.minIntervalNanos = minInterval.toNanos();
    }

    /**
     * Records a snapshot and tells whether the runtime is stalled.
     * @param metrics the snapshot the health check took
     * @param nanoTime when it was taken ({@link System#nanoTime()})
     * @return true while every worker has made no progress with tasks waiting
     */
    synchronized boolean isStalled(RuntimeMetrics metrics, long nanoTime) {
        Sample now = Sample.of(metrics, nanoTime);
        if (this.reference == null) {
            this.reference = now;
            return false;
        }
        if (nanoTime - this.reference.nanoTime < this.minIntervalNanos) {
            return this.stalled;
        }
        this.stalled = this.reference.waiting > 0 && now.waiting > 0 && now.polls == this.reference.polls
                && now.completed == this.reference.completed;
        this.reference = now;
        return this.stalled;
    }

    /** What a verdict compares: progress counters and the work waiting for a worker. */
    private record Sample(long nanoTime, long polls, long completed, long waiting) {

        static Sample of(RuntimeMetrics metrics, long nanoTime) {
            long waiting = metrics.injectQueueDepth();
            for (WorkerMetrics worker : metrics.perWorker()) {
                waiting += worker.localQueueDepthHigh() + worker.localQueueDepthNormal()
                        + worker.localQueueDepthBackground();
            }
            return new Sample(nanoTime, metrics.totalPolls(), metrics.completedTasks(), waiting);
        }

    }

}
