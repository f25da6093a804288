package io.asyncruntime.internal.blocking;

/**
 * One blocking pool's counters at one moment (taken under the pool's lock, so consistent).
 *
 * @param name the pool's name
 * @param threads threads alive: running work or idle
 * @param idleThreads threads waiting for work (always 0 in a virtual-thread pool)
 * @param queueDepth tasks queued for a thread, at most the queue capacity
 * @param waitingForRoom tasks spawned past the queue capacity, waiting for room
 * @param rejections {@code trySpawnBlocking} calls rejected because the pool was full
 * @param completed tasks that finished (value, failure, or cancelled before they started)
 */
public record PoolSnapshot(String name, int threads, int idleThreads, int queueDepth, int waitingForRoom,
                           long rejections, long completed) {
}
