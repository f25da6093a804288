package io.asyncruntime.internal.blocking;

import io.asyncruntime.internal.time.TimeDriver;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A runtime's blocking pools: its default pool and the named ones (bulkheads). Each pool has its
 * own threads, queue and lock, so one pool's flood never delays another's work; they share only
 * the runtime identity their threads are bound to and the clock whose auto-advance their work
 * inhibits.
 */
public final class BlockingPools {

    /** The name of the runtime's own pool, the one {@code AsyncRuntime.spawnBlocking} uses. */
    public static final String DEFAULT_POOL = "default";

    private final String threadNamePrefix;
    private final BlockingThreadPool defaultPool;
    private final Runnable onThreadStart;
    private final Runnable onThreadStop;
    private final TimeDriver time;
    private final Map<String, BlockingThreadPool> byName = new ConcurrentHashMap<>();
    /** Every pool in creation order, the default first (the order metrics list them in). */
    private final List<BlockingThreadPool> all = new CopyOnWriteArrayList<>();
    /** The context class loader of the thread that built the runtime: every pool's threads start with it. */
    private final ClassLoader builderLoader;
    /** Orders pool creation against shutdown: no pool is created after {@link #shutdown}. */
    private final ReentrantLock lifecycle = new ReentrantLock();
    private boolean shutdown;

    /**
     * The pools of one runtime. {@code defaults} configures the default pool; its threads come
     * from {@code defaultPoolThreads} (null: plain daemon threads). Every pool thread runs
     * {@code onThreadStart} first and {@code onThreadStop} last.
     */
    public BlockingPools(String threadNamePrefix, PoolSettings defaults, ThreadFactory defaultPoolThreads,
                         Runnable onThreadStart, Runnable onThreadStop, TimeDriver time) {
        this.threadNamePrefix = threadNamePrefix;
        this.builderLoader = Thread.currentThread().getContextClassLoader();
        this.onThreadStart = onThreadStart;
        this.onThreadStop = onThreadStop;
        this.time = time;
        this.defaultPool = new BlockingThreadPool(defaults, defaultPoolThreads, onThreadStart, onThreadStop, time);
        byName.put(DEFAULT_POOL, defaultPool);
        all.add(defaultPool);
    }

    /** Thread names of the default pool: {@code prefix-blocking-N}. */
    public static String defaultThreadNamePrefix(String runtimePrefix) {
        return runtimePrefix + "-blocking";
    }

    /** The pool {@code AsyncRuntime.spawnBlocking} uses. */
    public BlockingThreadPool defaultPool() {
        return defaultPool;
    }

    /**
     * The named pool, created with the given limits on first use. Asking again with the same
     * limits returns the same pool.
     *
     * @throws IllegalArgumentException if the name is the default pool's, or a pool of that name
     *     exists with other limits
     * @throws IllegalStateException after {@link #shutdown}
     */
    public BlockingThreadPool named(String name, int maxThreads, long keepAliveNanos, int queueCapacity,
                                    boolean virtualThreads) {
        if (DEFAULT_POOL.equals(name)) {
            throw new IllegalArgumentException("blockingPool name \"" + DEFAULT_POOL
                    + "\" is the runtime's own pool (spawnBlocking); choose another name");
        }
        PoolSettings wanted = new PoolSettings(name, threadNamePrefix + "-blocking-" + name, maxThreads,
                keepAliveNanos, queueCapacity, virtualThreads);
        lifecycle.lock();
        try {
            if (shutdown) {
                throw new IllegalStateException("this async-runtime is closed: it creates no blocking pools");
            }
            BlockingThreadPool existing = byName.get(name);
            if (existing != null) {
                if (!existing.settings().equals(wanted)) {
                    throw new IllegalArgumentException("blocking pool \"" + name + "\" already exists with other limits ("
                            + describe(existing.settings()) + "); asked for " + describe(wanted));
                }
                return existing;
            }
            // Made on demand, maybe on a task's thread: its threads get the runtime's loader, not that task's.
            BlockingThreadPool pool = new BlockingThreadPool(wanted, null, onThreadStart, onThreadStop, time, builderLoader);
            byName.put(name, pool);
            all.add(pool);
            return pool;
        } finally {
            lifecycle.unlock();
        }
    }

    private static String describe(PoolSettings s) {
        return "maxThreads=" + s.maxThreads() + ", queueCapacity=" + s.queueCapacity() + ", keepAlive="
                + s.keepAliveNanos() / 1_000_000 + " ms, virtualThreads=" + s.virtualThreads();
    }

    /**
     * Shuts every pool down (see {@link BlockingThreadPool#shutdown}): queued work is cancelled
     * at once, running work gets until {@code deadlineNanos} ({@code System.nanoTime()} based).
     * This is the blocking half of a runtime's shutdown; call it after the workers stopped.
     *
     * @return how many threads, over all pools, were still running work at the deadline
     */
    public int shutdown(long deadlineNanos) {
        lifecycle.lock();
        try {
            shutdown = true;
        } finally {
            lifecycle.unlock();
        }
        int running = 0;
        for (BlockingThreadPool pool : all) {
            running += pool.shutdown(deadlineNanos);
        }
        return running;
    }

    /** A snapshot of every pool, the default first, then the named ones in creation order. */
    public List<PoolSnapshot> snapshots() {
        List<PoolSnapshot> snapshots = new ArrayList<>(all.size());
        for (BlockingThreadPool pool : all) {
            snapshots.add(pool.snapshot());
        }
        return snapshots;
    }

    /** Every pool, the default first. */
    public List<BlockingThreadPool> pools() {
        return List.copyOf(all);
    }
}
