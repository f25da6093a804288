package io.asyncruntime.internal.scheduler;

/**
 * The scheduler's half of {@code AsyncRuntime.blockInPlace}: checks that the caller is a worker
 * inside a task's poll, and hands that worker to a replacement thread ({@link WorkerHandOver#toNewThread}),
 * so that the caller may block while the worker's queued tasks, LIFO slot and turn at the driver
 * go on elsewhere. Tokio's {@code block_in_place} does the same with its worker core.
 *
 * <p>A task in its first poll is not linked in the live-task registry yet ({@link LazyLink}): a
 * dump finds it in its worker's poll context, which the hand-over replaces. So the hand-over links
 * it first ({@link LazyLink#linkBeforeHandOver}), and a dump or a shutdown report finds it in its
 * shard, RUNNING, for as long as it blocks (review26 F1).
 */
public final class BlockInPlace {

    private BlockInPlace() {
    }

    /**
     * Hands the calling thread's worker to a new thread; when this returns, the calling thread is
     * no longer a worker (its spawns and wakes go through the inject queue), and once the task
     * poll it is in returns, the thread leaves the worker's run loop for the blocking pool.
     *
     * @throws IllegalStateException if the calling thread is not a worker, or is one outside a
     *     task's poll, or no replacement thread could be started
     */
    public static void handOverCurrentWorker() {
        Worker worker = requireWorkerInPoll();
        LazyLink.linkBeforeHandOver(worker.polling());
        worker.handOver.toNewThread((WorkerThread) Thread.currentThread());
    }

    /**
     * True on a thread that already handed its worker over and is still inside that poll (a
     * second {@code blockInPlace} in one poll): there is no worker left to move, and the caller
     * may simply block, as Tokio's {@code block_in_place} does then.
     */
    public static boolean alreadyHandedOver() {
        return Thread.currentThread() instanceof WorkerThread thread && thread.worker == null && thread.polling() != null;
    }

    /**
     * Checks that the calling thread may call {@link #handOverCurrentWorker()}.
     *
     * @throws IllegalStateException saying why not: the thread is not a worker, or not in a poll
     */
    public static void checkCaller() {
        requireWorkerInPoll();
    }

    private static Worker requireWorkerInPoll() {
        Thread current = Thread.currentThread();
        Worker worker = current instanceof WorkerThread thread ? thread.worker : null;
        if (worker == null) {
            throw new IllegalStateException("blockInPlace was called on thread \"" + current.getName()
                    + "\", which is not an async-runtime worker: blockInPlace moves a worker's queued tasks to "
                    + "a new thread so that the worker's own thread may block, and this thread runs no worker "
                    + "(a blocking-pool thread, an application thread, or one already inside blockInPlace); "
                    + "call the blocking code directly here");
        }
        if (worker.polling() == null) {
            throw new IllegalStateException("blockInPlace was called on async-runtime worker \"" + current.getName()
                    + "\" outside a task's poll: call it from the task that is about to block");
        }
        return worker;
    }
}
