package io.asyncruntime;

import io.asyncruntime.internal.scheduler.Scheduler;
import io.asyncruntime.internal.scheduler.TaskRegistry;
import java.time.Duration;

/**
 * The steps of {@link AsyncRuntime#shutdownGracefully}, run once, on one thread, in order: refuse
 * outside spawns, cancel the root token, wait for the registry to empty or the deadline, refuse
 * every spawn and abort what is left, stop the workers (which closes the timers, the I/O driver and
 * its channels once no poll can reach them), stop the blocking pools. See ARCHITECTURE.md,
 * "Shutdown".
 *
 * <p>The counts come from the registry's per-shard counters of linked and unlinked cells, read
 * under each shard's lock: {@code liveAtStart + spawned == completed + aborted} holds exactly,
 * whatever races the walk (a task found live that finishes before its abort is counted as
 * completed).
 */
final class GracefulShutdown {

    /** How long the workers may go without cancelling a task before what is left counts as stuck. */
    private static final long PROGRESS_WINDOW_NANOS = 50_000_000;

    private final AsyncRuntime runtime;
    private final Scheduler scheduler;
    private final TaskRegistry registry;

    GracefulShutdown(AsyncRuntime runtime, Scheduler scheduler) {
        this.runtime = runtime;
        this.scheduler = scheduler;
        this.registry = scheduler.registry();
    }

    ShutdownReport run(Duration deadline, long deadlineNanos) {
        long start = System.nanoTime();
        long end = start + deadlineNanos;

        // (1) No more spawns from outside; (2) tell the tasks; (3) give them until the deadline.
        registry.refuseRemote();
        long[] atStart = registry.counts();
        runtime.rootToken().cancel();
        registry.awaitEmpty(end);
        long drained = System.nanoTime();

        // (4) No more spawns at all; abort what is left, idle tasks included.
        registry.refuseAll();
        long[] atAbort = registry.counts();
        long aborted = registry.abortAll()[1];
        long abortDone = System.nanoTime();

        // (5) Stop the workers: queued tasks (aborted ones among them) are cancelled as they stop;
        // then the time and I/O drivers shut, closing every registered channel. A worker stuck in a
        // poll is given until the deadline, and at least the stop allowance, then left behind.
        long stopBudget = Math.max(end - abortDone, AsyncRuntime.WORKER_STOP_ALLOWANCE.toNanos());
        runtime.stopStallDetector(); // a worker stuck from here on is the report's, not a stall to log
        scheduler.shutdown(Duration.ofNanos(stopBudget));
        long stillRunning = liveWhileFalling(System.nanoTime() + Math.max(deadlineNanos, stopBudget));
        long stopped = System.nanoTime();

        int blockingLeft = runtime.shutdownBlockingPools(end);
        long finished = System.nanoTime();

        long liveAtStart = atStart[0] - atStart[1];
        long spawned = atAbort[0] - atStart[0];
        long liveAtAbort = atAbort[0] - atAbort[1];
        // Found live at the abort but finished before it got to them: they completed on their own.
        long completed = (atAbort[1] - atStart[1]) + (liveAtAbort - aborted);
        return new ShutdownReport(deadline, false, liveAtStart, spawned, completed, aborted, stillRunning, blockingLeft,
                Duration.ofNanos(drained - start), Duration.ofNanos(abortDone - drained),
                Duration.ofNanos(stopped - abortDone), Duration.ofNanos(finished - stopped),
                Duration.ofNanos(finished - start));
    }

    /**
     * The tasks still live once the workers were given their stop budget. A worker that outlived
     * it while still cancelling what it had queued is slow (a loaded machine, tens of thousands of
     * aborted tasks), not stuck: while the count keeps falling, one progress window after another,
     * it is waited for, up to {@code capNanos}. What is left when a window passes without progress
     * is held by polls that do not return.
     */
    private long liveWhileFalling(long capNanos) {
        long live = live();
        while (live > 0) {
            long now = System.nanoTime();
            if (now - capNanos >= 0) {
                break;
            }
            registry.awaitEmpty(Math.min(now + PROGRESS_WINDOW_NANOS, capNanos));
            long after = live();
            if (after >= live) {
                return after;
            }
            live = after;
        }
        return live;
    }

    private long live() {
        long[] counts = registry.counts();
        return counts[0] - counts[1];
    }
}
