package io.asyncruntime.spring.autoconfigure.endpoint;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

import io.asyncruntime.AsyncRuntime;
import io.asyncruntime.BlockingMetrics;
import io.asyncruntime.RuntimeMetrics;

import org.springframework.boot.actuate.endpoint.OperationResponseBody;
import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.actuate.endpoint.annotation.ReadOperation;

/**
 * {@link Endpoint @Endpoint} that shows the state and the metrics snapshot of every
 * {@link AsyncRuntime} of the context, by bean name, at {@code /actuator/asyncruntime} once
 * exposed.
 */
@Endpoint(id = "asyncruntime")
public final class AsyncRuntimeEndpoint {

    private final Supplier<Map<String, AsyncRuntime>> runtimes;

    /**
     * Creates an endpoint for the given runtimes.
     * @param runtimes the runtimes to describe, by name, looked up at each request; not null
     */
    public AsyncRuntimeEndpoint(Supplier<Map<String, AsyncRuntime>> runtimes) {
        this.runtimes = runtimes;
    }

    /**
     * Describes every runtime.
     * @return each runtime's state and metrics snapshot, by name; never null
     */
    @ReadOperation
    public RuntimesDescriptor runtimes() {
        Map<String, RuntimeDescriptor> descriptors = new LinkedHashMap<>();
        this.runtimes.get().forEach((name, runtime) -> descriptors.put(name, RuntimeDescriptor.of(runtime)));
        return new RuntimesDescriptor(descriptors);
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
     */
    public record RuntimeDescriptor(boolean running, MetricsDescriptor metrics,
            List<BlockingPoolDescriptor> blockingPools, IoDescriptor io) {

        static RuntimeDescriptor of(AsyncRuntime runtime) {
            RuntimeMetrics metrics = runtime.metrics();
            return new RuntimeDescriptor(!runtime.isClosed(), MetricsDescriptor.of(metrics),
                    metrics.blocking().pools().stream().map(BlockingPoolDescriptor::of).toList(),
                    IoDescriptor.of(metrics.io()));
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
