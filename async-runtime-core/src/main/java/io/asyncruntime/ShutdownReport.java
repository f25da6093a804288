package io.asyncruntime;

import java.time.Duration;

/**
 * What a graceful shutdown ({@link AsyncRuntime#shutdownGracefully}) did. The task counts add up:
 * {@code liveAtStart + spawnedDuringShutdown == completed + aborted}; every one of those tasks'
 * handles completes (with a value, a failure or a cancellation), {@code stillRunning} of them only
 * once the poll they are stuck in returns.
 *
 * @param deadline the deadline the shutdown was given
 * @param inProgress true only for the report returned by a call that could not wait for the
 *     shutdown (made from one of the runtime's own tasks, on a worker or inside
 *     {@code blockInPlace}): then every count is 0 and the
 *     durations are zero, and the real report is logged at INFO when the shutdown ends
 * @param liveAtStart tasks live when the shutdown began
 * @param spawnedDuringShutdown tasks the runtime's own tasks spawned while they wound down
 * @param completed tasks that finished without being aborted by the shutdown: with their value,
 *     their failure, or a cancellation of their own before the deadline (a task that watched the
 *     root token and stopped, one aborted by another task); their handles show exactly that
 * @param aborted tasks whose handles complete with a cancellation once the deadline passed: those
 *     the shutdown cancelled (an idle one at once, a queued or running one at its next poll
 *     boundary) and those cancelled as a consequence (awaiting an aborted task), plus those still
 *     live at the end (inside a poll, see {@code stillRunning})
 * @param stillRunning of the aborted tasks, those still inside one poll on a worker that did
 *     not stop (a task that blocks its worker and ignores cancellation); their workers are left
 *     behind, and their handles complete when the poll returns
 * @param blockingThreadsStillRunning blocking-pool threads still running work at the end; their
 *     work is not interrupted, and its handles complete when it returns
 * @param drainTime from the start to the end of the wait for tasks: the root token's
 *     cancellation and the wait until no task was live or the deadline passed
 * @param abortTime cancelling what was left, through the live-task registry
 * @param stopTime stopping the workers, then the timers, the I/O driver and every registered channel
 * @param blockingTime stopping the blocking pools (queued work cancelled, running work given
 *     what was left of the deadline)
 * @param total the whole shutdown
 */
public record ShutdownReport(Duration deadline, boolean inProgress, long liveAtStart, long spawnedDuringShutdown,
                             long completed, long aborted, long stillRunning, int blockingThreadsStillRunning,
                             Duration drainTime, Duration abortTime, Duration stopTime, Duration blockingTime,
                             Duration total) {

    /** The report of a call that could not wait (see {@code inProgress}). */
    static ShutdownReport inProgress(Duration deadline) {
        return new ShutdownReport(deadline, true, 0, 0, 0, 0, 0, 0, Duration.ZERO, Duration.ZERO, Duration.ZERO,
                Duration.ZERO, Duration.ZERO);
    }

    /** Whether every task finished on its own: nothing was aborted and nothing is left running. */
    public boolean drained() {
        return !inProgress && aborted == 0 && blockingThreadsStillRunning == 0;
    }

    @Override
    public String toString() {
        if (inProgress) {
            return "ShutdownReport[in progress on another thread, deadline " + deadline + "]";
        }
        return "ShutdownReport[deadline " + deadline + ", total " + total + ": " + liveAtStart + " tasks live at start + "
                + spawnedDuringShutdown + " spawned while winding down = " + completed + " completed + " + aborted
                + " aborted (" + stillRunning + " still inside a poll); blocking threads still running: "
                + blockingThreadsStillRunning + "; phases: drain " + drainTime + ", abort " + abortTime + ", stop "
                + stopTime + ", blocking pools " + blockingTime + "]";
    }
}
