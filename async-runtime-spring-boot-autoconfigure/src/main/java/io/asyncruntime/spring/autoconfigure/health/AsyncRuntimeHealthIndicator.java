package io.asyncruntime.spring.autoconfigure.health;

import io.asyncruntime.AsyncRuntime;
import io.asyncruntime.RuntimeMetrics;

import org.springframework.boot.health.contributor.AbstractHealthIndicator;
import org.springframework.boot.health.contributor.Health;

/**
 * {@link org.springframework.boot.health.contributor.HealthIndicator} for an
 * {@link AsyncRuntime}: {@code UP} with the number of workers and alive tasks while the runtime
 * runs, {@code DOWN} once it was shut down.
 */
public final class AsyncRuntimeHealthIndicator extends AbstractHealthIndicator {

    private final AsyncRuntime runtime;

    /**
     * Creates an indicator for the given runtime.
     * @param runtime the runtime to report on
     */
    public AsyncRuntimeHealthIndicator(AsyncRuntime runtime) {
        super("Async runtime health check failed");
        this.runtime = runtime;
    }

    @Override
    protected void doHealthCheck(Health.Builder builder) {
        if (this.runtime.isClosed()) {
            builder.down().withDetail("state", "shut down");
            return;
        }
        RuntimeMetrics metrics = this.runtime.metrics();
        builder.up()
            .withDetail("workers", metrics.workers())
            .withDetail("aliveTasks", metrics.aliveTasks())
            .withDetail("injectQueueDepth", metrics.injectQueueDepth());
    }

}
