package io.asyncruntime.spring.autoconfigure.endpoint;

import io.asyncruntime.AsyncRuntime;
import io.asyncruntime.RuntimeMetrics;

import org.springframework.boot.actuate.endpoint.OperationResponseBody;
import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.actuate.endpoint.annotation.ReadOperation;

/**
 * {@link Endpoint @Endpoint} that shows the state and the metrics snapshot of an
 * {@link AsyncRuntime}, at {@code /actuator/asyncruntime} once exposed.
 */
@Endpoint(id = "asyncruntime")
public final class AsyncRuntimeEndpoint {

    private final AsyncRuntime runtime;

    /**
     * Creates an endpoint for the given runtime.
     * @param runtime the runtime to describe
     */
    public AsyncRuntimeEndpoint(AsyncRuntime runtime) {
        this.runtime = runtime;
    }

    /**
     * Describes the runtime.
     * @return whether it runs, and its metrics snapshot
     */
    @ReadOperation
    public RuntimeDescriptor runtime() {
        return new RuntimeDescriptor(!this.runtime.isClosed(), MetricsDescriptor.of(this.runtime.metrics()));
    }

    /**
     * The endpoint's response.
     * @param running whether the runtime accepts and runs tasks
     * @param metrics the runtime's metrics snapshot
     */
    public record RuntimeDescriptor(boolean running, MetricsDescriptor metrics) implements OperationResponseBody {
    }

    /**
     * A metrics snapshot, as the endpoint shows it. A copy rather than {@link RuntimeMetrics}
     * itself, so the endpoint's JSON stays the same when the runtime's snapshot grows.
     * @param workers number of worker threads
     * @param aliveTasks spawned tasks that have not finished
     * @param spawnedTasks tasks spawned since the runtime started
     * @param completedTasks tasks finished since the runtime started
     * @param injectQueueDepth tasks waiting in the inject queue
     * @param polls task polls
     * @param steals steal operations between workers
     * @param parks times a worker parked for lack of work
     * @param budgetForcedYields times a task yielded because its cooperative budget ran out
     * @param activeTimers timers armed that have neither fired nor been cancelled
     * @param timersFired timers that fired since the runtime started
     * @param timersCancelled armed timers cancelled before they fired
     */
    public record MetricsDescriptor(int workers, long aliveTasks, long spawnedTasks, long completedTasks,
            long injectQueueDepth, long polls, long steals, long parks, long budgetForcedYields, long activeTimers,
            long timersFired, long timersCancelled) {

        static MetricsDescriptor of(RuntimeMetrics metrics) {
            return new MetricsDescriptor(metrics.workers(), metrics.aliveTasks(), metrics.spawnedTasks(),
                    metrics.completedTasks(), metrics.injectQueueDepth(), metrics.totalPolls(), metrics.totalSteals(),
                    metrics.totalParks(), metrics.budgetForcedYields(), metrics.activeTimers(), metrics.timersFired(),
                    metrics.timersCancelled());
        }

    }

}
