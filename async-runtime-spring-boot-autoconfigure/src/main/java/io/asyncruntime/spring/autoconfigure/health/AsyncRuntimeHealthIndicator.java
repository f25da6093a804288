package io.asyncruntime.spring.autoconfigure.health;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.BooleanSupplier;

import io.asyncruntime.AsyncRuntime;
import io.asyncruntime.BlockingMetrics;
import io.asyncruntime.RuntimeMetrics;
import io.asyncruntime.RuntimeMetrics.WorkerMetrics;

import org.springframework.boot.health.contributor.AbstractHealthIndicator;
import org.springframework.boot.health.contributor.Health;

/**
 * {@link org.springframework.boot.health.contributor.HealthIndicator} for an {@link AsyncRuntime}.
 *
 * <ul>
 * <li>{@code UP} while the runtime runs and makes progress;</li>
 * <li>{@code DOWN} when a worker died (an error escaped its run loop: the runtime runs a worker
 * short, which only a restart cures); when it stopped making progress: tasks wait in its queues and no worker has
 * polled or completed anything for at least a second between two checks (every worker stuck in a
 * poll); while a stall is ongoing (a worker inside one poll for longer than the stall threshold,
 * as the stall detector reported: blocking code on a worker); or when it was shut down while the
 * application still runs;</li>
 * <li>{@code OUT_OF_SERVICE} while the application context shuts it down.</li>
 * </ul>
 *
 * <p>Details: the number of workers, the tasks alive, the tasks waiting in the inject queue and in
 * the workers' own queues, for each blocking pool its busy threads, its thread cap and the tasks
 * queued for it, the tasks in the live-task registry and the stalls detected so far.
 *
 * <p>It belongs in the readiness group, not in liveness: a stall usually comes from a blocking call
 * inside a task (a slow database, a lock), which a restart does not cure and which ends by itself;
 * taking the instance out of the load balancer while it lasts does help. During shutdown it reports
 * {@code OUT_OF_SERVICE}, which a liveness probe must never see.
 */
public final class AsyncRuntimeHealthIndicator extends AbstractHealthIndicator {

    private final AsyncRuntime runtime;

    private final BooleanSupplier shuttingDown;

    private final ProgressWatch progress;

    /**
     * Creates an indicator for a runtime that no application lifecycle shuts down.
     * @param runtime the runtime to report on; not null
     */
    public AsyncRuntimeHealthIndicator(AsyncRuntime runtime) {
        this(runtime, () -> false);
    }

    /**
     * Creates an indicator.
     * @param runtime the runtime to report on; not null
     * @param shuttingDown whether the application is shutting the runtime down; not null
     */
    public AsyncRuntimeHealthIndicator(AsyncRuntime runtime, BooleanSupplier shuttingDown) {
        this(runtime, shuttingDown, new ProgressWatch());
    }

    AsyncRuntimeHealthIndicator(AsyncRuntime runtime, BooleanSupplier shuttingDown, ProgressWatch progress) {
        super("Async runtime health check failed");
        this.runtime = runtime;
        this.shuttingDown = shuttingDown;
        this.progress = progress;
    }

    @Override
    protected void doHealthCheck(Health.Builder builder) {
        if (this.shuttingDown.getAsBoolean()) {
            builder.outOfService().withDetail("state", this.runtime.isClosed() ? "shut down" : "shutting down");
            return;
        }
        if (this.runtime.isClosed()) {
            builder.down().withDetail("state", "shut down while the application runs");
            return;
        }
        RuntimeMetrics metrics = this.runtime.metrics();
        int stalledWorkers = this.runtime.ongoingStalls();
        int deadWorkers = this.runtime.deadWorkers();
        if (deadWorkers > 0) {
            builder.down()
                .withDetail("state", deadWorkers + " of " + metrics.workers()
                        + " workers died (an error escaped the worker's run loop; see the log): restart the application");
        }
        else if (this.progress.isStalled(metrics, System.nanoTime())) {
            builder.down().withDetail("state", "stalled: tasks are waiting and no worker made progress");
        }
        else if (stalledWorkers > 0) {
            builder.down()
                .withDetail("state", "stalled: " + stalledWorkers + " of " + metrics.workers()
                        + " workers inside one poll for longer than the stall threshold ("
                        + this.runtime.stallThreshold().toMillis() + " ms)");
        }
        else {
            builder.up().withDetail("state", "running");
        }
        long localQueueDepth = 0;
        for (WorkerMetrics worker : metrics.perWorker()) {
            localQueueDepth += worker.localQueueDepthHigh() + worker.localQueueDepthNormal()
                    + worker.localQueueDepthBackground();
        }
        Map<String, Map<String, Integer>> blockingPools = new LinkedHashMap<>();
        for (BlockingMetrics.Pool pool : metrics.blocking().pools()) {
            blockingPools.put(pool.name(), Map.of("busyThreads", pool.threads() - pool.idleThreads(), "maxThreads",
                    pool.maxThreads(), "queued", pool.queueDepth() + pool.waitingForRoom()));
        }
        builder.withDetail("workers", metrics.workers())
            .withDetail("aliveTasks", metrics.aliveTasks())
            .withDetail("injectQueueDepth", metrics.injectQueueDepth())
            .withDetail("localQueueDepth", localQueueDepth)
            .withDetail("blockingPools", blockingPools)
            .withDetail("liveTasks", metrics.tasks().liveTasks())
            .withDetail("stalls", metrics.blocking().stalls())
            .withDetail("stalledWorkers", stalledWorkers)
            .withDetail("deadWorkers", deadWorkers)
            .withDetail("workerLoopErrors", this.runtime.workerLoopErrors());
    }

}
