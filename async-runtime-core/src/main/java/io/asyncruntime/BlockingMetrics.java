package io.asyncruntime;

import io.asyncruntime.internal.blocking.BlockingThreadPool;
import io.asyncruntime.internal.blocking.PoolSettings;
import io.asyncruntime.internal.blocking.PoolSnapshot;
import java.util.List;
import java.util.Optional;

/**
 * The blocking side of a runtime's metrics: one entry per blocking pool, the runtime's own
 * ({@code "default"}) first, then the named pools in the order they were created; and the
 * blocking that happened on the workers themselves.
 *
 * @param pools every pool's counters
 * @param stalls polls the stall detector found longer than the stall threshold (a worker blocked
 *     inside a task: each is also logged once and recorded as a JFR event); 0 when detection is off
 * @param blockInPlaceCalls {@link AsyncRuntime#blockInPlace} calls that handed a worker over
 */
public record BlockingMetrics(List<Pool> pools, long stalls, long blockInPlaceCalls) {

    /** The runtime's own pool, the one {@link AsyncRuntime#spawnBlocking} uses. */
    public Pool defaultPool() {
        return pools.get(0);
    }

    /** The pool called {@code name}, if the runtime has one. */
    public Optional<Pool> pool(String name) {
        return pools.stream().filter(p -> p.name().equals(name)).findFirst();
    }

    /**
     * One blocking pool's counters. Consistent with each other (taken under the pool's lock);
     * {@code rejections} and {@code completed} only grow.
     *
     * @param name the pool's name
     * @param maxThreads its thread cap
     * @param queueCapacity its queue bound
     * @param virtualThreads whether it runs work on virtual threads
     * @param threads threads alive now: running work or idle
     * @param idleThreads threads waiting for work now (always 0 with virtual threads)
     * @param queueDepth tasks queued now for a thread, at most {@code queueCapacity}
     * @param waitingForRoom tasks spawned past the queue capacity now waiting for room
     * @param rejections {@code trySpawnBlocking} calls rejected because the pool was full
     * @param completed tasks finished: with a value, a failure, or cancelled before they started
     */
    public record Pool(String name, int maxThreads, int queueCapacity, boolean virtualThreads, int threads,
                       int idleThreads, int queueDepth, int waitingForRoom, long rejections, long completed) {

        static Pool of(BlockingThreadPool pool) {
            PoolSettings settings = pool.settings();
            PoolSnapshot s = pool.snapshot();
            return new Pool(s.name(), settings.maxThreads(), settings.queueCapacity(), settings.virtualThreads(),
                    s.threads(), s.idleThreads(), s.queueDepth(), s.waitingForRoom(), s.rejections(), s.completed());
        }
    }
}
