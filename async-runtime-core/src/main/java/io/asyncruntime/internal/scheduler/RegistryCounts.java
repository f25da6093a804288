package io.asyncruntime.internal.scheduler;

import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * The live-task registry's counts and their readers: spawns counted per shard and per inject
 * queue, completions per worker (in its shard) and per other thread (here), and the sums a
 * shutdown and the metrics read ({@link #counts}, {@link #liveTasksHint}, {@link #isEmpty},
 * {@link #awaitEmpty}). {@link TaskRegistry} adds the spawn path, the clock, the refusals, the
 * sweeps and the walks; it fills the shard arrays made here.
 *
 * <p><b>Counting.</b> A worker's spawn counts in its shard ({@code inserted}), a spawn from
 * outside in its inject queue's spawn word (see TaskRegistry, "Shards"); a completion counts in the
 * completing thread's own counters: a worker's pair in its shard (written by that worker only),
 * and for any other thread a shared pair of atomics here. Each pair splits completions into
 * "not cancelled" and "cancelled", each task counted in exactly one of the two, so a reader that
 * reads each counter once gets a consistent split (review16, F1). Completion counters are written
 * with release stores after the spawn's count, which happened-before the task ran, so a reader
 * that reads the completions first (acquire) and the spawns after never sees more completions
 * than spawns; see {@link #isEmpty()}.
 */
abstract class RegistryCounts {

    /** How long a drain waits before it looks again if no shard's emptying woke it. */
    private static final long DRAIN_RECHECK_NANOS = 10_000_000;

    /** One per worker, filled by {@link TaskRegistry}'s constructor. */
    final TaskShard[] workerShards;
    /** The outside shards (a power of two, at least one per lane), filled by {@link TaskRegistry}'s constructor. */
    final TaskShard[] remoteShards;
    /** The scheduler's inject queues, one per lane (none without a scheduler): each counts the spawns from outside into it. */
    final InjectQueue[] injectQueues;
    /** A thread waiting in {@link #awaitEmpty}, woken when a shard empties. */
    private volatile Thread drainWaiter;
    /**
     * Completions on threads that run no worker of this runtime (an outside {@code cancel()}, a
     * shutdown's abort walk, a {@code blockInPlace} thread): not cancelled and cancelled.
     */
    private final AtomicLong strangerCompleted = new AtomicLong();
    private final AtomicLong strangerCompletedCancelled = new AtomicLong();

    RegistryCounts(int workers, int remoteShardCount, InjectQueue[] injectQueues) {
        this.injectQueues = injectQueues;
        this.workerShards = new TaskShard[workers];
        this.remoteShards = new TaskShard[remoteShardCount];
    }

    /** As {@code TaskRegistry.countCompletion(boolean)}, on worker {@code workerIndex}'s thread, or -1 for any other thread. */
    final void countCompletion(int workerIndex, boolean cancelled) {
        if (workerIndex >= 0) {
            workerShards[workerIndex].countOwnCompletion(cancelled);
        } else if (cancelled) {
            strangerCompletedCancelled.incrementAndGet();
        } else {
            strangerCompleted.incrementAndGet();
        }
        Thread waiter = drainWaiter;
        if (waiter != null && liveTasksHint() == 0) {
            LockSupport.unpark(waiter); // a drain in progress may be over
        }
    }

    /**
     * Tasks spawned, tasks completed, and of those the ones that completed with a cancellation
     * (their handles throw {@code TaskCancelledException}), since start, summed over the shards:
     * {@code [inserted, removed, removedCancelled]}. Each completion counter is read once and a
     * task is counted in exactly one of them (cancelled or not), so every task is counted the same
     * way in {@code removed} and {@code removedCancelled} (a shutdown splits its report by them);
     * the completions are read before the spawns, so {@code removed <= inserted}.
     */
    public long[] counts() {
        long notCancelled = strangerCompleted.get();
        long cancelled = strangerCompletedCancelled.get();
        for (TaskShard shard : workerShards) {
            notCancelled += shard.completedNotCancelled();
            cancelled += shard.completedCancelled();
        }
        return new long[] {insertedSum(true), notCancelled + cancelled, cancelled};
    }

    /** Tasks completed since start (acquire reads of every completion counter). */
    private long completedSum() {
        long done = strangerCompleted.get() + strangerCompletedCancelled.get();
        for (TaskShard shard : workerShards) {
            done += shard.completedNotCancelled() + shard.completedCancelled();
        }
        return done;
    }

    /**
     * Tasks spawned since start: each shard's count read under its lock ({@code exact}: see
     * {@link TaskShard#insertedExact}), or with an acquire read (a hint, on the completion path).
     * A worker's spawn counts without its shard's lock (TaskShard, "Rejection"): one that read the
     * refusal just before the abort set it may be counted after a read made after the refusal.
     */
    private long insertedSum(boolean exact) {
        // A volatile read of each spawn word is exact: a read made after a refusal's OR sees
        // every spawn from outside accepted before it (one word's modification order).
        long inserted = queuedSpawnCount();
        for (TaskShard shard : workerShards) {
            inserted += exact ? shard.insertedExact() : shard.inserted();
        }
        for (TaskShard shard : remoteShards) {
            inserted += exact ? shard.insertedExact() : shard.inserted();
        }
        return inserted;
    }

    /** Spawns from outside accepted by the inject queues, linked or not. */
    private long queuedSpawnCount() {
        long spawns = 0;
        for (InjectQueue queue : injectQueues) {
            spawns += queue.spawnCount();
        }
        return spawns;
    }

    /**
     * Spawns from threads that run no worker (a metric): those the inject queues counted, and any
     * cell registered into an outside shard directly (tests).
     */
    long remoteInserted() {
        long inserted = queuedSpawnCount();
        for (TaskShard shard : remoteShards) {
            inserted += shard.inserted();
        }
        return inserted;
    }

    /** Live tasks now: spawns minus completions, the completions read first (never negative). */
    public long liveTasksHint() {
        long completed = completedSum();
        return insertedSum(false) - completed;
    }

    /**
     * Whether the registry was empty at some instant during this call. Two passes: every
     * completion counter first, then every shard's spawns (under its lock). Both only grow, and a completion is
     * counted (release) after its spawn was (which happened-before the task ran), so a counted
     * completion's spawn is seen by the second pass. So if the first sum equals the second,
     * completions caught up with spawns at the instant between the passes; and with no live task
     * then, no task can spawn one later (outside spawns being refused by then).
     */
    public boolean isEmpty() {
        long completed = completedSum();
        return insertedSum(true) == completed;
    }

    /**
     * Waits until the registry is empty (see {@link #isEmpty}) or {@code deadlineNanos}
     * ({@link System#nanoTime()} based) passes; returns whether it emptied. Woken by a completion that
     * leaves no live task, and looks again every 10 ms in case an emptying happened just before it
     * registered. One waiter at a time (the shutdown).
     *
     * <p>An interrupt does not end the wait: a shutdown called from an interrupted thread (a
     * container's stop thread, an executor shutting down) still waits its deadline. The flag is
     * cleared for the wait, since {@code parkNanos} returns at once while it is set and the wait
     * would spin (taking every shard's lock on each turn), and set again before returning.
     */
    public boolean awaitEmpty(long deadlineNanos) {
        boolean interrupted = Thread.interrupted();
        drainWaiter = Thread.currentThread();
        try {
            for (;;) {
                if (liveTasksHint() == 0 && isEmpty()) {
                    return true;
                }
                long left = deadlineNanos - System.nanoTime();
                if (left <= 0) {
                    return false;
                }
                LockSupport.parkNanos(this, Math.min(left, DRAIN_RECHECK_NANOS));
                interrupted |= Thread.interrupted();
            }
        } finally {
            drainWaiter = null;
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
