package io.asyncruntime.internal.blocking;

/**
 * The validated limits of one blocking pool (validation, with messages naming each argument,
 * happens in the public {@code BlockingLimits} and {@code RuntimeBuilder}).
 *
 * @param name the pool's name, for metrics, logs and errors ("default" for the runtime's own)
 * @param threadNamePrefix its threads are named {@code prefix-N}
 * @param maxThreads most threads running the pool's work at once
 * @param keepAliveNanos how long an idle platform thread waits for work before it exits
 * @param queueCapacity most tasks waiting for a thread before {@code trySpawnBlocking} rejects
 * @param virtualThreads whether each task runs on a new virtual thread (JDK 21+)
 */
public record PoolSettings(String name, String threadNamePrefix, int maxThreads, long keepAliveNanos,
                           int queueCapacity, boolean virtualThreads) {
}
