package io.asyncruntime.benchmarks;

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
     * Spawns one task from the calling thread that waits on {@code never}, a {@link OneShot} that
     * is never sent: the task registers its own waiter there (a {@code Waker}, itself, a
     * continuation, its thread) in its implementation's idiom, exactly as {@code ping_pong} waits,
     * then calls {@link IdleTasks#started()} (unless {@link #waitingTasks} counts it otherwise).
     * The caller keeps only {@code never}, as a sender keeps its end of a channel: what the task
     * costs is what is reachable from there plus what the implementation keeps per task. This is
     * the like-for-like idle footprint.
     */
    void spawnWaitingOn(OneShot never);

    /**
     * Spawns one task from the calling thread that is pending with nothing registered anywhere
     * (this runtime's {@code Task.never()}, a coroutine in {@code awaitCancellation()}, a task
     * that returned without re-queueing itself).
     *
     * @return what the caller must keep to keep the task (and only the task) reachable: its handle
     */
    Object spawnBarePending();

    /**
     * A count that grows by one for each idle task of this instance that started waiting (read it
     * before spawning and compare). The default is {@link IdleTasks#startedCount()}; an
     * implementation whose idle task cannot count itself without growing (this runtime's
     * {@code Task.never()}) reads its own metrics instead.
     */
    default long waitingTasks() {
        return IdleTasks.startedCount();
    }

    /** Stops the workers; idle tasks may be abandoned. */
    @Override
    void close();
}
