package io.asyncruntime;

import io.asyncruntime.internal.blocking.BlockingThreadPool;
import io.asyncruntime.task.ContextCarrier;
import io.asyncruntime.task.JoinHandle;
import java.util.concurrent.Callable;
import java.util.concurrent.RejectedExecutionException;

/**
 * A named, isolated blocking pool of a runtime (a bulkhead): its own threads, thread cap and
 * queue, so a flood of one kind of blocking work (a slow database) cannot hold up another (file
 * reads). Get one with {@link AsyncRuntime#blockingPool(String, BlockingLimits)}; it lives as
 * long as its runtime and shuts down with it. Thread-safe.
 *
 * <p>The methods behave as the runtime's own {@link AsyncRuntime#spawnBlocking} and
 * {@link AsyncRuntime#trySpawnBlocking}, with this pool's limits.
 */
public final class BlockingPool {

    private final BlockingThreadPool pool;
    private final BlockingLimits limits;
    /** The runtime's: work carries its spawner's context, as {@link AsyncRuntime#spawnBlocking}'s does. */
    private final ContextCarrier contextCarrier;

    BlockingPool(BlockingThreadPool pool, BlockingLimits limits, ContextCarrier contextCarrier) {
        this.pool = pool;
        this.contextCarrier = contextCarrier;
        this.limits = limits;
    }

    /** The pool's name, as given to {@link AsyncRuntime#blockingPool}. */
    public String name() {
        return pool.settings().name();
    }

    /** The limits the pool was created with. */
    public BlockingLimits limits() {
        return limits;
    }

    /**
     * Runs {@code work} on one of this pool's threads and returns its handle; never throws for a
     * full pool and never blocks the caller: past the queue capacity the work waits for room, and
     * its handle completes later (backpressure for whoever awaits it). See
     * {@link AsyncRuntime#spawnBlocking}.
     *
     * @throws NullPointerException if {@code work} is null
     * @throws IllegalStateException if the runtime is closed
     */
    public <T> JoinHandle<T> spawnBlocking(Callable<T> work) {
        return pool.spawn(contextCarrier.carryBlocking(work), null);
    }

    /**
     * Runs {@code work} on one of this pool's threads if the pool has room (a free thread, a
     * thread it may start, or room in its queue).
     *
     * @throws RejectedExecutionException if every thread is busy at the cap and the queue is
     *     full; the message names the limit
     * @throws NullPointerException if {@code work} is null
     * @throws IllegalStateException if the runtime is closed
     */
    public <T> JoinHandle<T> trySpawnBlocking(Callable<T> work) {
        return pool.trySpawn(contextCarrier.carryBlocking(work), null);
    }

    /** A snapshot of this pool's counters. */
    public BlockingMetrics.Pool metrics() {
        return BlockingMetrics.Pool.of(pool);
    }

    @Override
    public String toString() {
        return "BlockingPool[" + name() + ", " + limits + "]";
    }
}
