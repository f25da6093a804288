package io.asyncruntime.benchmarks;

import java.util.concurrent.atomic.LongAdder;

/**
 * Tokio's {@code rt_multi_threaded} workloads, written once per implementation in that
 * implementation's own idiom. Every method blocks the calling benchmark thread (never a worker)
 * until the workload has finished, and throws if it did not finish in time.
 *
 * <p>Implementations use {@link Implementation#WORKER_THREADS} workers, count finished tasks with a
 * {@link Countdown}, and hand messages through a {@link OneShot}, so that what differs between two
 * implementations is the scheduler.
 */
public interface Workloads extends AutoCloseable {

    /** From inside one task, spawn {@code tasks} tasks that each count down; wait for zero. */
    void spawnManyLocal(int tasks);

    /** From the calling (outside) thread, spawn {@code tasks} tasks that each count down; wait for zero. */
    void spawnManyRemote(int tasks);

    /** From outside, spawn {@code tasks} tasks that each yield {@code yieldsPerTask} times, then count down. */
    void yieldMany(int tasks, int yieldsPerTask);

    /**
     * From inside one task, spawn {@code pairs} tasks; each spawns a peer, sends it a ping through
     * one {@link OneShot}, waits for the pong through a second one, and counts down.
     */
    void pingPong(int pairs);

    /** A chain of {@code links} tasks, each spawning the next; the last one counts down. */
    void chainedSpawn(int links);

    /**
     * Spawns one task from the calling thread that waits for something that never happens. The
     * task calls {@code waiting.increment()} once it is waiting.
     *
     * @return what the caller must keep to keep the task (and only the task) reachable
     */
    Object spawnIdle(LongAdder waiting);

    /**
     * How many idle tasks are waiting. The default reads the counter passed to
     * {@link #spawnIdle}; an implementation whose idle task cannot count itself without growing
     * (this runtime's {@code Task.never()}) reads its own metrics instead.
     */
    default long waitingTasks(LongAdder waiting) {
        return waiting.sum();
    }

    /** Stops the workers; idle tasks may be abandoned. */
    @Override
    void close();
}
