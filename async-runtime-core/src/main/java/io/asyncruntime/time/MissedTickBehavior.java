package io.asyncruntime.time;

/**
 * What an {@link Interval} does when it falls behind: when a tick is taken more than
 * 5 ms after it was due (the task was busy, or the
 * runtime overloaded). Semantics follow Tokio's {@code MissedTickBehavior}.
 */
public enum MissedTickBehavior {

    /**
     * Catch up: the missed ticks complete back to back, then the schedule continues on the
     * original grid ({@code start + k * period}). The default.
     */
    BURST,

    /**
     * Restart the schedule from now: the next tick is one period after the late tick was taken,
     * so ticks are never closer together than the period.
     */
    DELAY,

    /**
     * Drop the missed ticks: the next tick is the next point of the original grid after now, so
     * ticks stay aligned to the start and never burst.
     */
    SKIP
}
