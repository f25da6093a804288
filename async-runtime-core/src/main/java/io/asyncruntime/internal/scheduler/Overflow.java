package io.asyncruntime.internal.scheduler;

/**
 * Where a worker's full {@link LocalQueue} sends tasks it has no room for (in the runtime: the
 * {@link InjectQueue}; in tests: a recorder).
 *
 * <p>Called only by the local queue's owner. Both methods take ownership of the tasks handed over.
 */
interface Overflow {

    /** Takes one task; its {@link ScheduledTask#queueNext} is {@code null}. */
    void push(ScheduledTask task);

    /**
     * Takes {@code count} tasks already linked through {@link ScheduledTask#queueNext}, oldest first,
     * from {@code first} to {@code last}; {@code last.queueNext == null}. The tasks keep this order.
     */
    void pushBatch(ScheduledTask first, ScheduledTask last, int count);
}
