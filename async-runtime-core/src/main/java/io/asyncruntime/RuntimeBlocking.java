package io.asyncruntime;

import io.asyncruntime.internal.blocking.BlockingPools;
import io.asyncruntime.internal.blocking.BlockingThreadPool;
import io.asyncruntime.internal.scheduler.BlockInPlace;
import io.asyncruntime.internal.scheduler.Scheduler;
import io.asyncruntime.internal.time.TimeDriver;
import io.asyncruntime.task.ContextCarrier;
import io.asyncruntime.task.JoinHandle;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletionException;
import java.util.concurrent.atomic.LongAdder;

/**
 * The blocking side of one {@link AsyncRuntime}, behind its public methods ({@code spawnBlocking},
 * {@code trySpawnBlocking}, {@code blockingPool}, {@code blockInPlace}), which document the
 * behaviour: the runtime's blocking pools, and what {@code blockInPlace} does around the hand-over
 * of a worker (the paused clock's inhibition, the count, the thread joining the pool afterwards).
 *
 * <p>Invariants: no blocking work is accepted once the scheduler is closed; every auto-advance
 * inhibition {@code blockInPlace} takes is released exactly once, either at once (the hand-over
 * failed) or by {@link #afterBlockInPlace} once the rest of the poll has run. Thread-safe.
 */
final class RuntimeBlocking {

    private final Scheduler scheduler;
    private final TimeDriver timeDriver;
    private final BlockingPools pools;
    /** Undoes the runtime's thread binding, for a thread that leaves the runtime for good. */
    private final Runnable unbindThread;
    private final LongAdder blockInPlaceCalls = new LongAdder();
    /** The runtime's: work given to a named pool carries its spawner's context. */
    private final ContextCarrier contextCarrier;

    RuntimeBlocking(Scheduler scheduler, TimeDriver timeDriver, BlockingPools pools, Runnable unbindThread,
            ContextCarrier contextCarrier) {
        this.scheduler = scheduler;
        this.contextCarrier = contextCarrier;
        this.timeDriver = timeDriver;
        this.pools = pools;
        this.unbindThread = unbindThread;
    }

    <T> JoinHandle<T> spawn(Callable<T> work) {
        return openPool(pools.defaultPool()).spawn(work, null);
    }

    <T> JoinHandle<T> trySpawn(Callable<T> work) {
        return openPool(pools.defaultPool()).trySpawn(work, null);
    }

    BlockingPool named(String name, BlockingLimits limits) {
        if (name == null || name.isBlank()) {
            throw new IllegalArgumentException("blockingPool name must be a non-blank string, got "
                    + (name == null ? "null" : "\"" + name + "\""));
        }
        if (limits == null) {
            throw new NullPointerException("limits must not be null");
        }
        if (scheduler.isClosed()) {
            throw new IllegalStateException("this async-runtime is closed: it creates no blocking pools");
        }
        BlockingThreadPool pool = pools.named(name, limits.maxThreads(), limits.keepAlive().toNanos(),
                limits.queueCapacity(), limits.virtualThreads());
        return new BlockingPool(pool, limits, contextCarrier);
    }

    private BlockingThreadPool openPool(BlockingThreadPool pool) {
        if (scheduler.isClosed()) {
            throw new IllegalStateException("this async-runtime is closed: it accepts no new blocking work");
        }
        return pool;
    }

    /** {@link AsyncRuntime#blockInPlace}: see there. */
    static <T> T blockInPlace(Callable<T> work) {
        if (work == null) {
            throw new NullPointerException("callable must not be null");
        }
        if (BlockInPlace.alreadyHandedOver()) {
            return callBlocking(work); // a second call in one poll: the worker is already elsewhere
        }
        BlockInPlace.checkCaller();
        RuntimeBlocking blocking = AsyncRuntime.current().blocking(); // a worker's thread is bound to its runtime
        // The inhibition is taken before the worker leaves (a runtime idle without it could jump
        // virtual time past a timer this poll is about to arm) and released by afterBlockInPlace,
        // once the rest of this poll has run.
        blocking.timeDriver.inhibitAutoAdvance();
        try {
            BlockInPlace.handOverCurrentWorker();
        } catch (RuntimeException | Error e) {
            blocking.timeDriver.allowAutoAdvance();
            throw e;
        }
        blocking.blockInPlaceCalls.increment();
        return callBlocking(work);
    }

    private static <T> T callBlocking(Callable<T> work) {
        try {
            return work.call();
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Exception e) {
            throw new CompletionException(e);
        }
    }

    /**
     * On a thread whose worker {@link #blockInPlace} handed over, once its poll returned: the poll
     * has ended, so the clock may advance again, and the thread joins the blocking pool.
     */
    void afterBlockInPlace() {
        timeDriver.allowAutoAdvance();
        if (!pools.defaultPool().adoptCurrentThread()) {
            unbindThread.run(); // the pool is full or shut down: the thread ends
        }
    }

    /** Whether the calling thread runs work of one of this runtime's blocking pools. */
    boolean servesCurrentThread() {
        for (BlockingThreadPool pool : pools.pools()) {
            if (pool.isServingCurrentThread()) {
                return true;
            }
        }
        return false;
    }

    /** The blocking side of the runtime's metrics, with the stall detector's count. */
    BlockingMetrics metrics(long stalls) {
        List<BlockingThreadPool> all = pools.pools();
        List<BlockingMetrics.Pool> snapshots = new ArrayList<>(all.size());
        for (BlockingThreadPool pool : all) {
            snapshots.add(BlockingMetrics.Pool.of(pool));
        }
        return new BlockingMetrics(List.copyOf(snapshots), stalls, blockInPlaceCalls.sum());
    }

    /**
     * The blocking half of a shutdown, for {@link AsyncRuntime#close()} and a graceful shutdown to
     * call once the workers have stopped: every blocking pool stops taking work
     * ({@link AsyncRuntime#spawnBlocking}, {@link AsyncRuntime#trySpawnBlocking} and the named
     * pools' methods throw {@link IllegalStateException}), its queued work completes as cancelled
     * at once (it never started), and running work is given until {@code deadlineNanos}
     * ({@link System#nanoTime()} based) to finish. Running work is never interrupted: what still
     * runs at the deadline is left on its daemon thread, and its handle completes when it returns.
     * Called from a blocking thread, it does not wait for that thread. Idempotent.
     *
     * @return how many blocking threads were still running work at the deadline (0: all stopped)
     */
    int shutdown(long deadlineNanos) {
        return pools.shutdown(deadlineNanos);
    }
}
