package io.asyncruntime;

import java.util.List;

/**
 * A snapshot of a runtime's counters. Cheap to take (each counter is written by its owning worker
 * without contention and read with an opaque load) and consistent per counter, not across them.
 * Counters only grow; depths and {@code aliveTasks} are instantaneous.
 *
 * @param workers number of worker threads
 * @param aliveTasks spawned tasks not yet finished
 * @param spawnedTasks tasks spawned since start
 * @param completedTasks tasks finished since start (value, failure or cancellation)
 * @param remoteSpawns tasks spawned from threads that are not workers (they go through the inject queue)
 * @param injectQueueDepth tasks waiting in the inject queues, all lanes
 * @param totalPolls task polls, all workers
 * @param totalSteals tasks moved by stealing, all workers
 * @param totalParks times a worker parked, all workers
 * @param budgetForcedYields polls that ended because the cooperative budget was spent
 * @param activeTimers timers armed and neither fired nor cancelled, as of the time driver's last turn
 * @param timersFired timers that fired
 * @param timersCancelled armed timers cancelled before they fired
 * @param timerWakeups driver turns after a park in which a timer fired
 * @param perWorker the same counters per worker, indexed by worker
 * @param blocking the blocking pools' counters (the runtime's own pool first)
 * @param io the I/O driver's counters
 * @param tasks the live-task registry's counts (what {@link AsyncRuntime#taskDump} walks)
 */
public record RuntimeMetrics(int workers, long aliveTasks, long spawnedTasks, long completedTasks,
                             long remoteSpawns, long injectQueueDepth, long totalPolls, long totalSteals,
                             long totalParks, long budgetForcedYields, long activeTimers, long timersFired,
                             long timersCancelled, long timerWakeups, List<WorkerMetrics> perWorker,
                             BlockingMetrics blocking,
                             IoMetrics io,
                             TaskRegistryMetrics tasks) {

    /**
     * One worker's counters.
     *
     * @param index the worker's index (its thread is named {@code prefix-index})
     * @param polls task polls
     * @param steals tasks stolen from other workers
     * @param stealOperations successful steal operations (each moves up to half a ring)
     * @param parks times the worker parked
     * @param overflows times a full local ring moved half its tasks to the inject queue
     * @param lifoHits polls of a task taken from the LIFO slot
     * @param localSchedules tasks queued on this worker's ring by this worker
     * @param injectPops times the worker took tasks from the inject queue
     * @param budgetForcedYields polls ended by the cooperative budget
     * @param busyNanos time spent outside park, in nanoseconds
     * @param localQueueDepthHigh tasks in the HIGH ring now
     * @param localQueueDepthNormal tasks in the NORMAL ring now
     * @param localQueueDepthBackground tasks in the BACKGROUND ring now
     */
    public record WorkerMetrics(int index, long polls, long steals, long stealOperations, long parks, long overflows,
                                long lifoHits, long localSchedules, long injectPops, long budgetForcedYields,
                                long busyNanos, long localQueueDepthHigh, long localQueueDepthNormal,
                                long localQueueDepthBackground) {
    }

    /**
     * The I/O driver's counters. Per round trip of a request/response protocol, {@code rearms}
     * and {@code selectorWakeups} should stay well under one: interest is kept armed while a
     * reader comes back for more, and a busy runtime selects without blocking.
     *
     * @param enabled whether the runtime runs an I/O driver ({@code RuntimeBuilder.enableIo}); if
     *     not, every counter is 0
     * @param openRegistrations channels registered now (open sockets and listeners)
     * @param registrations channels registered since start
     * @param readyEvents readiness events the selector reported
     * @param driverTurns turns of the I/O driver (selects, blocking or not)
     * @param blockingSelects turns that blocked in the selector, waiting for I/O or the next timer
     * @param selectorWakeups times another thread woke a blocked selector ({@code Selector.wakeup()})
     * @param rearms times the driver put an operation back into a channel's interest set after it
     *     returned would-block (including a channel's first registration with the selector)
     * @param disarms times the driver took an operation out of a channel's interest set after it fired
     */
    public record IoMetrics(boolean enabled, long openRegistrations, long registrations, long readyEvents,
                            long driverTurns, long blockingSelects, long selectorWakeups, long rearms,
                            long disarms) {
    }

    /**
     * The live-task registry's counts. {@code registered - deregistered} is the number of live
     * tasks at some instant during the read; {@code liveTasks} is a cheaper racy sum that may be
     * off by the tasks spawned or finished while it was read.
     *
     * @param liveTasks tasks registered and not finished now (idle, queued or running)
     * @param registered tasks the registry took in since start
     * @param deregistered tasks that finished and left the registry since start
     * @param refusingSpawns whether spawns from outside the runtime are refused (a shutdown began)
     */
    public record TaskRegistryMetrics(long liveTasks, long registered, long deregistered, boolean refusingSpawns) {
    }
}
