package io.asyncruntime;

import io.asyncruntime.internal.scheduler.AbortWalk;
import io.asyncruntime.internal.scheduler.LiveTaskDump;
import io.asyncruntime.internal.scheduler.Scheduler;
import io.asyncruntime.internal.scheduler.TaskRegistry;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The steps of {@link AsyncRuntime#shutdownGracefully}, run once, on one thread, in order: refuse
 * outside spawns, cancel the root token, wait for the registry to empty or the deadline, refuse
 * every spawn and abort what is left, stop the workers (which closes the timers, the I/O driver and
 * its channels once no poll can reach them), stop the blocking pools, read the counts once every
 * completion they count is published. See ARCHITECTURE.md, "Shutdown".
 *
 * <p>The counts come from the registry's counters of spawned and completed tasks and of tasks
 * that completed with a cancellation, and are split by what the tasks' handles show: a task
 * that completes with a cancellation from the moment the abort begins counts as aborted, whether
 * the abort cancelled it or it was cancelled as a consequence (it awaited an aborted task), and
 * so does a task still live at the end (stuck in a poll, or not reached yet by an abort whose
 * {@code cancel()} blocks: it is aborted when that call returns); every other task that finished
 * since the start counts as completed (with its value, its failure, or a cancellation of its own
 * during the drain). {@code liveAtStart + spawned == completed + aborted} holds exactly: both
 * sides are sums of the same counters. They are read once every completion they count is
 * published ({@code Scheduler.awaitCompletionsPublished}), so <em>when this returns, every task
 * the report calls finished has a done handle</em>; only the live ones it counts as aborted (stuck
 * in a poll, or not reached by a blocked abort) may not, and they complete when that poll or that
 * {@code cancel()} returns. (Until issue 10's perf10b review the split came from the
 * abort walk's own count, which called an awaiter cancelled by the cascade "completed" while its
 * handle threw {@code TaskCancelledException}.)
 *
 * <p><b>Robustness.</b> Every step runs whatever the ones before it did: a step that throws (a
 * foreign waker on the root token that fails, a task's cancel that throws) is logged at WARN and
 * the shutdown goes on, since a runtime left half shut (refusing spawns, workers running, nothing
 * aborted) is worse than any report of the failure. An interrupted caller gets the whole shutdown
 * too: its flag is cleared for the waits (a park returns at once while it is set, and every wait
 * would spin or be skipped) and set again at the end.
 */
final class GracefulShutdown {

    private static final Logger log = LoggerFactory.getLogger(GracefulShutdown.class);

    /**
     * How long a graceful shutdown waits for workers to stop once its deadline has passed: enough
     * for a worker that is between polls (it stops within microseconds), short enough that a worker
     * stuck in one poll delays the shutdown by no more than this.
     */
    static final long WORKER_STOP_ALLOWANCE_MILLIS = 100;
    static final Duration WORKER_STOP_ALLOWANCE = Duration.ofMillis(WORKER_STOP_ALLOWANCE_MILLIS);

    /** How long the workers may go without cancelling a task before what is left counts as stuck. */
    private static final long PROGRESS_WINDOW_NANOS = 50_000_000;
    /**
     * How long the abort may go without finishing with a task before the shutdown stops waiting
     * for it (a {@code cancel()} blocks). Longer than the workers' window: the abort is one thread
     * on a machine that may be busy, and a starved walk is not a stuck one.
     */
    private static final long ABORT_PROGRESS_WINDOW_NANOS = 100_000_000;
    /** The least the shutdown waits for an abort that keeps making progress (whatever the deadline). */
    private static final long ABORT_MIN_CAP_NANOS = 1_000_000_000;

    private final AsyncRuntime runtime;
    private final Scheduler scheduler;
    private final TaskRegistry registry;
    private final String abortThreadName;
    /** Whether the caller was interrupted before or during the shutdown: set again at the end. */
    private boolean interrupted;
    /** The abort's walk, once made (null if nothing was left to abort). */
    private AbortWalk abortWalk;
    /** A VM error a step threw: rethrown once every step has run. */
    private VirtualMachineError vmError;

    GracefulShutdown(AsyncRuntime runtime, Scheduler scheduler, String threadNamePrefix) {
        this.runtime = runtime;
        this.scheduler = scheduler;
        this.registry = scheduler.registry();
        this.abortThreadName = threadNamePrefix + "shutdown-abort";
    }

    ShutdownReport run(Duration deadline, long deadlineNanos) {
        interrupted = Thread.interrupted();
        try {
            ShutdownReport report = shutDown(deadline, deadlineNanos);
            if (vmError != null) {
                throw vmError;
            }
            return report;
        } finally {
            if (interrupted || Thread.interrupted()) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private ShutdownReport shutDown(Duration deadline, long deadlineNanos) {
        long start = System.nanoTime();
        long end = start + deadlineNanos;

        // (1) No more spawns from outside; (2) tell the tasks; (3) give them until the deadline.
        registry.refuseRemote();
        long[] atStart = registry.counts();
        step("cancelling the root token", () -> runtime.cancellationToken().cancel());
        step("waiting for the tasks to finish", () -> registry.awaitEmpty(end));
        long drained = System.nanoTime();

        // (4) No more spawns at all; abort what is left, idle tasks included. The counts the abort
        // is measured from are read before the refusal: from the refusal on, a worker's first poll
        // cancels its cell instead of polling it (LazyLink, "Abort"), and one read between the two
        // would be counted completed while its handle shows the abort's cancellation.
        long[] atAbort = registry.counts();
        registry.refuseAll();
        step("aborting the tasks left",
                () -> log.debug("async-runtime shutdown: the abort cancelled {} tasks", abortLeft(deadlineNanos)));
        long abortDone = System.nanoTime();

        // (5) Stop the workers: queued tasks (aborted ones among them) are cancelled as they stop;
        // then the time and I/O drivers shut, closing every registered channel. A worker stuck in a
        // poll is given until the deadline, and at least the stop allowance, then left behind.
        long stopBudget = Math.max(end - abortDone, WORKER_STOP_ALLOWANCE.toNanos());
        // A worker stuck from here on is the report's, not a stall to log.
        step("stopping the stall detector", runtime::stopStallDetector);
        step("stopping the workers", () -> scheduler.shutdown(Duration.ofNanos(stopBudget)));
        long[] stillRunning = new long[1];
        step("counting the tasks still running", () -> {
            if (liveWhileFalling(System.nanoTime() + Math.max(deadlineNanos, stopBudget)) > 0) {
                stillRunning[0] = insidePolls();
            }
        });
        long stopped = System.nanoTime();

        int[] blockingLeft = new int[1];
        step("stopping the blocking pools", () -> blockingLeft[0] = runtime.shutdownBlockingPools(end));
        long finished = System.nanoTime();

        // (6) The counts the report is made of, read once every completion they count is published:
        // a task is counted before its handle is done, and a thread left between the two (a worker
        // that outlived its stop budget, a blockInPlace thread, the abort's) would otherwise let
        // this return with a handle not done that the report calls finished. Waits while some thread
        // is in that window (a few instructions, no user code), at most 100 ms while tasks keep
        // completing (a resumed abort), never for a stuck poll.
        long[][] published = new long[1][];
        step("waiting for the counted completions to be published", () -> published[0] =
                scheduler.awaitCompletionsPublished(System.nanoTime() + Math.max(deadlineNanos,
                        WORKER_STOP_ALLOWANCE.toNanos())));
        long reported = System.nanoTime();

        // Split by what the handles show (see the class comment): cancelled from the abort on, or
        // still live now, is aborted; every other completion since the start is completed.
        long[] atEnd = published[0] != null ? published[0] : registry.counts();
        long cancelledByAbort = atEnd[2] - atAbort[2]; // read with the removals: one snapshot per shard
        long liveAtStart = atStart[0] - atStart[1];
        // To the end: a worker's spawn that read the refusal just before the abort set it is
        // counted after (TaskShard, "Rejection"), and cancelled at its first poll: aborted.
        long spawned = atEnd[0] - atStart[0];
        long liveAtEnd = atEnd[0] - atEnd[1];
        long completed = (atEnd[1] - atStart[1]) - cancelledByAbort;
        long aborted = cancelledByAbort + liveAtEnd;
        return new ShutdownReport(deadline, false, liveAtStart, spawned, completed, aborted, stillRunning[0],
                blockingLeft[0], Duration.ofNanos(drained - start), Duration.ofNanos(abortDone - drained),
                Duration.ofNanos(stopped - abortDone), Duration.ofNanos(finished - stopped),
                Duration.ofNanos(reported - start));
    }

    /**
     * Runs one step; a failure is logged and the shutdown goes on (see the class comment). The
     * caller's interrupt is taken off before the step, so that its waits wait.
     */
    private void step(String what, Runnable step) {
        interrupted |= Thread.interrupted();
        try {
            step.run();
        } catch (VirtualMachineError e) {
            if (vmError == null) {
                vmError = e;
            }
        } catch (Throwable failure) {
            log.warn("async-runtime shutdown: {} failed; the shutdown goes on", what, failure);
        }
    }

    /**
     * Aborts every task still live, on a thread of its own: an idle task's {@code cancel()} runs
     * during its abort, and one that blocks must not hold the shutdown. Waits while the abort makes
     * progress, one progress window after another (tens of thousands of idle tasks on a loaded
     * machine take a while), up to the deadline's length (and at least a second); once a window
     * passes without progress while the abort's thread is blocked (see {@link #isRunnable}), a
     * {@code cancel()} blocks, and the shutdown goes on. Returns the tasks aborted, counting those
     * the abort has not reached yet (it aborts them when the blocked call returns); logged at
     * DEBUG only (the report counts by outcome, see the class comment).
     */
    private long abortLeft(long deadlineNanos) {
        AbortWalk walk = registry.newAbortWalk();
        if (walk.found() == 0) {
            return 0;
        }
        abortWalk = walk;
        Thread aborter = new Thread(walk, abortThreadName);
        aborter.setDaemon(true); // a cancel() that never returns must not keep the JVM up
        aborter.start();
        long cap = System.nanoTime() + Math.max(deadlineNanos, ABORT_MIN_CAP_NANOS);
        int lastDone = -1;
        for (;;) {
            long now = System.nanoTime();
            if (walk.awaitFinished(Math.min(now + ABORT_PROGRESS_WINDOW_NANOS, cap))) {
                return walk.aborted();
            }
            int[] doneAndAborted = walk.doneAndAborted();
            boolean stalled = doneAndAborted[0] == lastDone && !isRunnable(aborter);
            if (stalled || System.nanoTime() - cap >= 0) {
                int notReached = walk.found() - doneAndAborted[0];
                log.warn("async-runtime shutdown: aborting the tasks left made no progress for {} ms; {} of {} not aborted"
                                + " yet (a task's cancel() blocks: Task.cancel must not block). They are aborted when it"
                                + " returns; the shutdown goes on", ABORT_PROGRESS_WINDOW_NANOS / 1_000_000, notReached,
                        walk.found());
                return doneAndAborted[1] + (long) notReached;
            }
            lastDone = doneAndAborted[0];
        }
    }

    /**
     * Whether {@code aborter} may be running its walk: alive and not parked, sleeping or waiting on
     * a monitor. A walk that made no progress for a window while runnable is slow, not blocked: it
     * waits for a core (a loaded box), or every thread was paused (a safepoint), or a
     * {@code cancel()} computes for a while; in each case its tasks complete soon, so the shutdown
     * waits for it up to the cap. A blocked {@code cancel()} (a lock, a latch, a sleep) shows as
     * not runnable. One that blocks in a socket read shows as runnable and is waited for up to the
     * cap, the deadline's length and at least a second.
     */
    private static boolean isRunnable(Thread aborter) {
        return aborter.getState() == Thread.State.RUNNABLE;
    }

    /**
     * The tasks still live once the workers were given their stop budget. A worker that outlived
     * it while still cancelling what it had queued is slow (a loaded machine, tens of thousands of
     * aborted tasks), not stuck: while the count keeps falling, one progress window after another,
     * it is waited for, up to {@code capNanos}. What is left when a window passes without progress
     * is held by polls that do not return, or not reached yet by an abort whose walk waits on a
     * blocking {@code cancel()} ({@link #insidePolls} tells them apart).
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

    /**
     * The live tasks inside a poll now: with every worker stopped or left behind, those held by a
     * poll that does not return. Live tasks in other states are not: an idle one the abort has not
     * reached yet (its walk waits on a {@code cancel()} that blocks) is aborted when that call
     * returns, and is no sign of a stuck worker (review16: such tasks were reported "still inside
     * a poll"). A yield-queued task shows as queued. The one task whose {@code cancel()} the walk
     * waits in shows as running (the walk took it over to cancel it), and is not in a poll either:
     * while the walk has not finished, one running task is its. The tasks are counted before the
     * walk is looked at, so a walk finishing in between can make the count one too high, never
     * too low (a stuck poll is never hidden).
     */
    private long insidePolls() {
        long[] running = new long[1];
        LiveTaskDump.forEachLive(registry, Integer.MAX_VALUE, (name, lane, state, age, polls, sincePoll, cancelRequested) -> {
            if (state == LiveTaskDump.LiveTaskState.RUNNING) {
                running[0]++;
            }
        });
        AbortWalk walk = abortWalk;
        boolean walkWaitsInACancel = walk != null && !walk.isFinished();
        return Math.max(0, running[0] - (walkWaitsInACancel ? 1 : 0));
    }

    private long live() {
        long[] counts = registry.counts();
        return counts[0] - counts[1];
    }
}
