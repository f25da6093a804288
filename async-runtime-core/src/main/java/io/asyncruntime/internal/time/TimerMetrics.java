package io.asyncruntime.internal.time;

/**
 * A snapshot of the time driver's counters.
 *
 * @param activeTimers timers the driver holds that have neither fired nor been cancelled, as of
 *     its last turn (timers armed since then are counted at its next turn)
 * @param fired timers that fired since the driver started
 * @param cancelled armed timers that were cancelled before they fired, since the driver started
 * @param timerWakeups driver turns after a park in which at least one timer fired (wake-ups the
 *     timers caused, as opposed to work or I/O)
 */
public record TimerMetrics(long activeTimers, long fired, long cancelled, long timerWakeups) {
}
