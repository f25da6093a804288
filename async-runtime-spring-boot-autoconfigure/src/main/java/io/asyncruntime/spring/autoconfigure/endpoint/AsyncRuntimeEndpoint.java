package io.asyncruntime.spring.autoconfigure.endpoint;

import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

import io.asyncruntime.AsyncRuntime;
import io.asyncruntime.BlockingMetrics;
import io.asyncruntime.RuntimeMetrics;
import io.asyncruntime.ShutdownReport;
import io.asyncruntime.TaskDump;
import io.asyncruntime.WorkerStall;
import org.jspecify.annotations.Nullable;

import org.springframework.boot.actuate.endpoint.InvalidEndpointRequestException;
import org.springframework.boot.actuate.endpoint.OperationResponseBody;
import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.actuate.endpoint.annotation.ReadOperation;
import org.springframework.boot.actuate.endpoint.annotation.Selector;

/**
 * {@link Endpoint @Endpoint} that shows every {@link AsyncRuntime} of the context, by bean name,
 * once exposed:
 * <ul>
 * <li>{@code /actuator/asyncruntime}: each runtime's state, metrics snapshot, blocking pools, I/O
 * driver, live-task registry counts, stalls (count and the latest ones) and, once the context
 * closed it, its shutdown report;</li>
 * <li>{@code /actuator/asyncruntime/tasks}: each runtime's task dump (every live task's name,
 * lane, state, age, polls and time since its last poll), at most {@code limit} tasks per runtime
 * ({@value #DEFAULT_TASK_LIMIT} unless the request says {@code ?limit=n}).</li>
 * </ul>
 */
@Endpoint(id = "asyncruntime")
public final class AsyncRuntimeEndpoint {

    /** The sub-path of the task dump: {@code /actuator/asyncruntime/tasks}. */
    public static final String TASKS = "tasks";

    /** Tasks listed per runtime when the request gives no {@code limit}. */
    public static final int DEFAULT_TASK_LIMIT = AsyncRuntime.DEFAULT_TASK_DUMP_LIMIT;

    /** Most tasks listed per runtime, whatever the request asks: bounds the response's size. */
    public static final int MAX_TASK_LIMIT = 100_000;

    private final Supplier<Map<String, AsyncRuntime>> runtimes;

    private final Supplier<Map<String, ShutdownReport>> shutdownReports;

    /**
     * Creates an endpoint for the given runtimes, without shutdown reports.
     * @param runtimes the runtimes to describe, by name, looked up at each request; not null
     */
    public AsyncRuntimeEndpoint(Supplier<Map<String, AsyncRuntime>> runtimes) {
        this(runtimes, Map::of);
    }

    /**
     * Creates an endpoint for the given runtimes.
     * @param runtimes the runtimes to describe, by name, looked up at each request; not null
     * @param shutdownReports the reports of the runtimes that were shut down, by name, looked up at
     * each request; not null
     */
    public AsyncRuntimeEndpoint(Supplier<Map<String, AsyncRuntime>> runtimes,
            Supplier<Map<String, ShutdownReport>> shutdownReports) {
        this.runtimes = runtimes;
        this.shutdownReports = shutdownReports;
    }

    /**
     * Describes every runtime.
     * @return each runtime's state and metrics snapshot, by name; never null
     */
    @ReadOperation
    public RuntimesDescriptor runtimes() {
        Map<String, RuntimeDescriptor> descriptors = new LinkedHashMap<>();
        Map<String, ShutdownReport> reports = this.shutdownReports.get();
        this.runtimes.get()
            .forEach((name, runtime) -> descriptors.put(name, RuntimeDescriptor.of(runtime, reports.get(name))));
        return new RuntimesDescriptor(descriptors);
    }

    /**
     * The task dump of every runtime, at {@code /actuator/asyncruntime/tasks}.
     * @param section the sub-path; only {@value #TASKS} is known
     * @param limit how many tasks to list per runtime, 0 to {@value #MAX_TASK_LIMIT}; null for
     * {@value #DEFAULT_TASK_LIMIT}
     * @return every runtime's task dump, by name; null (404) for another sub-path
     * @throws InvalidEndpointRequestException (400) if {@code limit} is out of range
     */
    @ReadOperation
    public @Nullable TaskDumpsDescriptor tasks(@Selector String section, @Nullable Integer limit) {
        if (!TASKS.equals(section)) {
            return null;
        }
        int max = (limit != null) ? limit : DEFAULT_TASK_LIMIT;
        if (max < 0 || max > MAX_TASK_LIMIT) {
            String message = "limit must be between 0 and " + MAX_TASK_LIMIT + ", got " + max;
            throw new InvalidEndpointRequestException(message, message);
        }
        Map<String, TaskDumpDescriptor> dumps = new LinkedHashMap<>();
        this.runtimes.get().forEach((name, runtime) -> dumps.put(name, TaskDumpDescriptor.of(runtime.taskDump(max))));
        return new TaskDumpsDescriptor(dumps);
    }

    /**
     * The response of {@code /actuator/asyncruntime/tasks}: every runtime's task dump, by bean name.
     * @param runtimes the dumps
     */
    public record TaskDumpsDescriptor(Map<String, TaskDumpDescriptor> runtimes) implements OperationResponseBody {
    }

    /**
     * One runtime's task dump.
     * @param liveTasks tasks live when the dump began, listed or not
     * @param truncated whether tasks were left out because of the limit
     * @param tasks the listed tasks
     */
    public record TaskDumpDescriptor(long liveTasks, boolean truncated, List<TaskDescriptor> tasks) {

        static TaskDumpDescriptor of(TaskDump dump) {
            return new TaskDumpDescriptor(dump.liveTasks(), dump.truncated(),
                    dump.tasks().stream().map(TaskDescriptor::of).toList());
        }

    }

    /**
     * One live task.
     * @param name its name, given at spawn or generated
     * @param lane its priority lane ({@code HIGH}, {@code NORMAL}, {@code BACKGROUND})
     * @param state {@code IDLE} (waiting to be woken), {@code QUEUED} or {@code RUNNING}
     * @param age time since it was spawned
     * @param polls polls started so far
     * @param sinceLastPoll time since its last poll started; null if never polled
     * @param cancelRequested whether it was aborted and will be cancelled at its next poll boundary
     */
    public record TaskDescriptor(String name, String lane, String state, Duration age, long polls,
            @Nullable Duration sinceLastPoll, boolean cancelRequested) {

        static TaskDescriptor of(TaskDump.TaskInfo task) {
            return new TaskDescriptor(task.name(), task.priority().name(), task.state().name(), task.age(),
                    task.polls(), task.sinceLastPoll(), task.cancelRequested());
        }

    }

    /**
     * The endpoint's response: every runtime, by bean name.
     * @param runtimes the runtimes' descriptions
     */
    public record RuntimesDescriptor(Map<String, RuntimeDescriptor> runtimes) implements OperationResponseBody {
    }

    /**
     * One runtime.
     * @param running whether the runtime accepts and runs tasks
     * @param metrics the runtime's metrics snapshot
     * @param blockingPools its blocking pools, the runtime's own ({@code default}) first
     * @param io its I/O driver's counters
     * @param tasks its live-task registry's counts
     * @param stalls what its stall detector found
     * @param shutdown the report of its shutdown when the context closed; null until then
     */
    public record RuntimeDescriptor(boolean running, MetricsDescriptor metrics,
            List<BlockingPoolDescriptor> blockingPools, IoDescriptor io, TaskRegistryDescriptor tasks,
            StallsDescriptor stalls, @Nullable ShutdownDescriptor shutdown) {

        static RuntimeDescriptor of(AsyncRuntime runtime, @Nullable ShutdownReport report) {
            RuntimeMetrics metrics = runtime.metrics();
            return new RuntimeDescriptor(!runtime.isClosed(), MetricsDescriptor.of(metrics),
                    metrics.blocking().pools().stream().map(BlockingPoolDescriptor::of).toList(),
                    IoDescriptor.of(metrics.io()), TaskRegistryDescriptor.of(metrics.tasks()),
                    StallsDescriptor.of(runtime, metrics.blocking()),
                    (report != null) ? ShutdownDescriptor.of(report) : null);
        }

    }

    /**
     * The live-task registry of a runtime.
     * @param liveTasks tasks registered and not finished (idle, queued or running)
     * @param registered tasks registered since the runtime started
     * @param deregistered tasks that finished and left the registry
     * @param refusingSpawns whether spawns from outside the runtime are refused (shutting down)
     */
    public record TaskRegistryDescriptor(long liveTasks, long registered, long deregistered, boolean refusingSpawns) {

        static TaskRegistryDescriptor of(RuntimeMetrics.TaskRegistryMetrics tasks) {
            return new TaskRegistryDescriptor(tasks.liveTasks(), tasks.registered(), tasks.deregistered(),
                    tasks.refusingSpawns());
        }

    }

    /**
     * The stall detector of a runtime.
     * @param enabled whether the runtime detects stalls (its threshold is above zero)
     * @param threshold how long one poll may last before it counts as a stall
     * @param count stalls detected since the runtime started
     * @param recent the latest stalls, oldest first (at most 16)
     */
    public record StallsDescriptor(boolean enabled, Duration threshold, long count, List<StallDescriptor> recent) {

        static StallsDescriptor of(AsyncRuntime runtime, BlockingMetrics blocking) {
            Duration threshold = runtime.stallThreshold();
            return new StallsDescriptor(!threshold.isZero(), threshold, blocking.stalls(),
                    runtime.recentStalls().stream().map(StallDescriptor::of).toList());
        }

    }

    /**
     * One stall.
     * @param worker the stalled worker thread
     * @param task the task whose poll stalled; null if the worker was between polls
     * @param inPoll how long the poll had lasted when the stall was detected
     * @param detectedAt when it was detected
     */
    public record StallDescriptor(String worker, @Nullable String task, Duration inPoll, Instant detectedAt) {

        static StallDescriptor of(WorkerStall stall) {
            return new StallDescriptor(stall.worker(), stall.task(), stall.inPoll(), stall.detectedAt());
        }

    }

    /**
     * The report of a runtime's graceful shutdown (see {@link ShutdownReport}).
     * @param deadline how long its tasks were given to finish
     * @param drained whether every task finished on its own
     * @param liveAtStart tasks live when the shutdown began
     * @param spawnedDuringShutdown tasks spawned while they wound down
     * @param completed tasks that finished before the deadline
     * @param aborted tasks still live at the deadline, cancelled by the shutdown
     * @param stillRunning aborted tasks still stuck inside a poll
     * @param blockingThreadsStillRunning blocking threads still running work at the end
     * @param total how long the whole shutdown took
     */
    public record ShutdownDescriptor(Duration deadline, boolean drained, long liveAtStart, long spawnedDuringShutdown,
            long completed, long aborted, long stillRunning, int blockingThreadsStillRunning, Duration total) {

        static ShutdownDescriptor of(ShutdownReport report) {
            return new ShutdownDescriptor(report.deadline(), report.drained(), report.liveAtStart(),
                    report.spawnedDuringShutdown(), report.completed(), report.aborted(), report.stillRunning(),
                    report.blockingThreadsStillRunning(), report.total());
        }

    }

    /**
     * The I/O driver of a runtime. A copy of {@link RuntimeMetrics.IoMetrics}, so the endpoint's
     * JSON keeps its shape when the runtime's record grows.
     * @param enabled whether the runtime runs an I/O driver; if not, every counter is 0
     * @param openRegistrations channels registered now (open sockets and listeners)
     * @param registrations channels registered since the runtime started
     * @param readyEvents readiness events the selector reported
     * @param driverTurns turns of the driver, blocking or not
     * @param blockingTurns turns that blocked in the selector
     * @param wakeups times another thread woke the blocked selector
     * @param rearms operations put back into a channel's interest set after a would-block
     * @param disarms operations taken out of a channel's interest set after they fired
     */
    public record IoDescriptor(boolean enabled, long openRegistrations, long registrations, long readyEvents,
            long driverTurns, long blockingTurns, long wakeups, long rearms, long disarms) {

        static IoDescriptor of(RuntimeMetrics.IoMetrics io) {
            return new IoDescriptor(io.enabled(), io.openRegistrations(), io.registrations(), io.readyEvents(),
                    io.driverTurns(), io.blockingSelects(), io.selectorWakeups(), io.rearms(), io.disarms());
        }

    }

    /**
     * One blocking pool.
     * @param name the pool's name ({@code default}: the runtime's own)
     * @param virtualThreads whether it runs its work on virtual threads
     * @param maxThreads its thread cap
     * @param threads threads alive, running work or idle
     * @param idleThreads threads waiting for work
     * @param queueCapacity its queue bound
     * @param queueDepth tasks queued for a thread
     * @param waitingForRoom tasks spawned past the queue bound, waiting for room
     * @param rejections {@code trySpawnBlocking} calls rejected because the pool was full
     * @param completed tasks finished, or cancelled before they started
     */
    public record BlockingPoolDescriptor(String name, boolean virtualThreads, int maxThreads, int threads,
            int idleThreads, int queueCapacity, int queueDepth, int waitingForRoom, long rejections, long completed) {

        static BlockingPoolDescriptor of(BlockingMetrics.Pool pool) {
            return new BlockingPoolDescriptor(pool.name(), pool.virtualThreads(), pool.maxThreads(), pool.threads(),
                    pool.idleThreads(), pool.queueCapacity(), pool.queueDepth(), pool.waitingForRoom(),
                    pool.rejections(), pool.completed());
        }

    }

    /**
     * A metrics snapshot, as the endpoint shows it. A copy rather than {@link RuntimeMetrics}
     * itself, so that the endpoint's JSON stays the same when the runtime's snapshot grows.
     * @param workers number of worker threads
     * @param aliveTasks spawned tasks that have not finished
     * @param spawnedTasks tasks spawned since the runtime started
     * @param completedTasks tasks finished since the runtime started
     * @param remoteSpawns tasks spawned from threads that are not workers
     * @param injectQueueDepth tasks waiting in the inject queue
     * @param polls task polls
     * @param steals tasks stolen between workers
     * @param parks times a worker parked for lack of work
     * @param budgetForcedYields times a task yielded because its cooperative budget ran out
     * @param activeTimers timers armed that have neither fired nor been cancelled
     * @param timersFired timers that fired since the runtime started
     * @param timersCancelled armed timers cancelled before they fired
     * @param timerWakeups driver turns after a park in which a timer fired
     */
    public record MetricsDescriptor(int workers, long aliveTasks, long spawnedTasks, long completedTasks,
            long remoteSpawns, long injectQueueDepth, long polls, long steals, long parks, long budgetForcedYields,
            long activeTimers, long timersFired, long timersCancelled, long timerWakeups) {

        static MetricsDescriptor of(RuntimeMetrics metrics) {
            return new MetricsDescriptor(metrics.workers(), metrics.aliveTasks(), metrics.spawnedTasks(),
                    metrics.completedTasks(), metrics.remoteSpawns(), metrics.injectQueueDepth(), metrics.totalPolls(),
                    metrics.totalSteals(), metrics.totalParks(), metrics.budgetForcedYields(), metrics.activeTimers(),
                    metrics.timersFired(), metrics.timersCancelled(), metrics.timerWakeups());
        }

    }

}
