package io.asyncruntime.internal.scheduler;

import io.asyncruntime.task.Priority;

/**
 * The validated settings a scheduler is built with (validation, with messages naming each
 * argument, happens in {@code RuntimeBuilder}).
 *
 * @param workers number of worker threads
 * @param threadNamePrefix worker threads are named {@code prefix + N}: the prefix holds its own separator
 * @param globalQueueInterval every this many ticks a worker takes from the inject queue first
 * @param eventInterval every this many ticks a worker turns the driver without blocking
 * @param lifoSlot whether a task woken by a worker runs next on it
 * @param maxLifoPolls how many LIFO-slot polls in a row before the slot is bypassed
 * @param laneSharePercent minimum share of polls, in percent, for each lane while it has work
 *     (indexed by lane; the HIGH entry is unused)
 * @param onThreadStart run on each worker thread before its first task (binds thread-locals)
 * @param onThreadStop run on each worker thread after its last task
 * @param workerStackSize the stack size requested for worker threads, in bytes; 0 for the JVM's default
 */
public record SchedulerConfig(int workers, String threadNamePrefix, int globalQueueInterval, int eventInterval,
                              boolean lifoSlot, int maxLifoPolls, int[] laneSharePercent,
                              Runnable onThreadStart, Runnable onThreadStop, long workerStackSize) {

    /**
     * Polls between guaranteed turns of a lane: a lane with share {@code p} percent is served at
     * least once every {@code floor(100 / p)} polls while it has work, which gives it at least
     * {@code p}% of polls. 0 means "no guarantee needed" (the highest lane).
     */
    int laneServiceInterval(int lane) {
        if (lane == Priority.HIGH.ordinal()) {
            return 0;
        }
        return 100 / laneSharePercent[lane];
    }
}
