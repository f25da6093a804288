package io.asyncruntime.internal.io;

/**
 * A snapshot of the I/O driver's counters (the runtime turns it into {@code RuntimeMetrics.IoMetrics}).
 *
 * @param openRegistrations channels registered now (open sockets and listeners)
 * @param registrations channels registered since the driver started
 * @param readyEvents keys the selector reported ready
 * @param turns driver turns: selects, blocking or not
 * @param blockingSelects turns that blocked in {@code select} (with or without a timeout)
 * @param selectorWakeups {@code Selector.wakeup()} calls: a blocked driver woken by another thread
 * @param rearms interest changes that put an op back in a key after a would-block (and first registrations)
 * @param disarms interest changes that took an op out after it fired
 */
public record IoStats(long openRegistrations, long registrations, long readyEvents, long turns,
                      long blockingSelects, long selectorWakeups, long rearms, long disarms) {

    /** All zero: the runtime runs without I/O. */
    public static final IoStats NONE = new IoStats(0, 0, 0, 0, 0, 0, 0, 0);
}
