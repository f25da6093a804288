package io.asyncruntime.spring.autoconfigure;

import java.util.List;

import io.asyncruntime.BlockingMetrics;
import io.asyncruntime.RuntimeMetrics;
import io.asyncruntime.RuntimeMetrics.WorkerMetrics;

/**
 * Synthetic {@link RuntimeMetrics} for tests of code that only reads snapshots: the one place that
 * follows the record's components as subsystems append theirs.
 */
public final class RuntimeMetricsFixtures {

    /** A runtime without an I/O driver: every I/O counter 0. */
    private static final RuntimeMetrics.IoMetrics NO_IO = new RuntimeMetrics.IoMetrics(false, 0, 0, 0, 0, 0, 0, 0, 0);

    private static final RuntimeMetrics.TaskRegistryMetrics NO_TASKS = new RuntimeMetrics.TaskRegistryMetrics(0, 0, 0, false);

    private RuntimeMetricsFixtures() {
    }

    /**
     * A one-worker snapshot.
     * @param polls the worker's polls (and the total)
     * @param completed completed tasks (and spawned: none alive)
     * @param injectQueueDepth tasks in the inject queue
     * @param localQueueDepth tasks in the worker's NORMAL ring
     * @return the snapshot
     */
    public static RuntimeMetrics oneWorker(long polls, long completed, long injectQueueDepth, long localQueueDepth) {
        WorkerMetrics worker = new WorkerMetrics(0, polls, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, localQueueDepth, 0);
        return new RuntimeMetrics(1, 0, completed, completed, 0, injectQueueDepth, polls, 0, 0, 0, 0, 0, 0, 0,
                List.of(worker), noBlockingWork(), NO_IO, NO_TASKS);
    }

    /**
     * A snapshot that tells only its number of workers (which need not match its worker list).
     * @param workers the number reported
     * @return the snapshot
     */
    public static RuntimeMetrics withWorkerCount(int workers) {
        return new RuntimeMetrics(workers, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, List.of(), noBlockingWork(), NO_IO, NO_TASKS);
    }

    private static BlockingMetrics noBlockingWork() {
        return new BlockingMetrics(List.of(new BlockingMetrics.Pool("default", 512, 10_000, false, 0, 0, 0, 0, 0, 0)), 0, 0);
    }

}
