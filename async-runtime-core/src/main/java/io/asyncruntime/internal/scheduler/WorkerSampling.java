package io.asyncruntime.internal.scheduler;

/**
 * One worker's side of {@link PollSampler}: countdowns to the next sampled poll and the next
 * sampled schedule. Worker thread only (plain fields): a handed-over worker takes its sampling
 * with it, and the thread that handed it over no longer schedules or polls through it.
 */
final class WorkerSampling extends HeadPadding {

    /** What {@link #beforePoll} returns for a poll it does not sample. */
    static final long NOT_SAMPLED = Long.MIN_VALUE;

    private final PollSampler sampler;
    private final int worker;
    private int pollsUntilSample = PollSampler.RECHECK;
    private int schedulesUntilSample = PollSampler.RECHECK;

    WorkerSampling(PollSampler sampler, int worker) {
        this.sampler = sampler;
        this.worker = worker;
    }

    /** Before this worker queues {@code task}: one schedule in the base interval is followed. */
    void onSchedule(ScheduledTask task) {
        if (--schedulesUntilSample <= 0) {
            scheduleCountdownEnded(task);
        }
    }

    /** Out of line, as {@link #pollCountdownEnded}: the countdown is what every schedule pays. */
    private void scheduleCountdownEnded(ScheduledTask task) {
        int next = sampler.nextCountdown();
        schedulesUntilSample = Math.abs(next);
        if (next < 0) {
            sampler.followSchedule(task);
        }
    }

    /**
     * Before a poll of {@code task}: ends its followed wait if it is the followed task, and
     * returns the clock if this poll is sampled, else {@link #NOT_SAMPLED}.
     */
    long beforePoll(ScheduledTask task) {
        sampler.onPollStart(task);
        if (--pollsUntilSample > 0) {
            return NOT_SAMPLED;
        }
        return pollCountdownEnded();
    }

    /**
     * The next countdown, and the clock if this poll is sampled. Out of line: the worker's poll
     * path inlines only the countdown (JIT inlining budgets, issue 14).
     */
    private long pollCountdownEnded() {
        int next = sampler.nextCountdown();
        pollsUntilSample = Math.abs(next);
        return next < 0 ? System.nanoTime() : NOT_SAMPLED;
    }

    /** After a poll that {@link #beforePoll} sampled at {@code startedAt}. */
    void afterPoll(long startedAt) {
        sampler.recordPoll(worker, System.nanoTime() - startedAt);
    }
}
