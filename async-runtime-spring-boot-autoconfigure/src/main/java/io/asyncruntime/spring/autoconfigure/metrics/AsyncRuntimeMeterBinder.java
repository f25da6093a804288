package io.asyncruntime.spring.autoconfigure.metrics;

import java.util.function.ToDoubleFunction;

import io.asyncruntime.AsyncRuntime;
import io.asyncruntime.RuntimeMetrics;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.binder.BaseUnits;
import io.micrometer.core.instrument.binder.MeterBinder;

/**
 * {@link MeterBinder} for the {@link AsyncRuntime#metrics() metrics} of an {@link AsyncRuntime}:
 * gauges for what goes up and down (workers, alive tasks, inject queue depth) and function
 * counters for what only grows (spawned and completed tasks, polls, steals, parks, forced
 * yields).
 *
 * <p>Every meter reads a fresh {@link RuntimeMetrics} snapshot when it is collected. A snapshot
 * sums per-worker counters that the workers write without synchronization, so reading it costs
 * the scrape, never the runtime's hot path.
 */
public final class AsyncRuntimeMeterBinder implements MeterBinder {

    private static final String PREFIX = "asyncruntime.";

    private final AsyncRuntime runtime;

    private final Iterable<Tag> tags;

    /**
     * Creates a binder for the given runtime.
     * @param runtime the runtime to measure
     */
    public AsyncRuntimeMeterBinder(AsyncRuntime runtime) {
        this(runtime, Tags.empty());
    }

    /**
     * Creates a binder for the given runtime that adds tags to every meter.
     * @param runtime the runtime to measure
     * @param tags tags added to every meter, for example to tell several runtimes apart
     */
    public AsyncRuntimeMeterBinder(AsyncRuntime runtime, Iterable<Tag> tags) {
        this.runtime = runtime;
        this.tags = tags;
    }

    @Override
    public void bindTo(MeterRegistry registry) {
        gauge(registry, "workers", "Number of worker threads", BaseUnits.THREADS, RuntimeMetrics::workers);
        gauge(registry, "tasks.alive", "Number of spawned tasks that have not finished yet", BaseUnits.TASKS,
                RuntimeMetrics::aliveTasks);
        gauge(registry, "queue.inject.depth", "Number of tasks waiting in the inject queue", BaseUnits.TASKS,
                RuntimeMetrics::injectQueueDepth);
        counter(registry, "tasks.spawned", "Number of tasks spawned", BaseUnits.TASKS, RuntimeMetrics::spawnedTasks);
        counter(registry, "tasks.completed", "Number of tasks that finished", BaseUnits.TASKS,
                RuntimeMetrics::completedTasks);
        counter(registry, "polls", "Number of task polls", null, RuntimeMetrics::totalPolls);
        counter(registry, "steals", "Number of steal operations between workers", null, RuntimeMetrics::totalSteals);
        counter(registry, "parks", "Number of times a worker parked for lack of work", null,
                RuntimeMetrics::totalParks);
        counter(registry, "budget.forced.yields",
                "Number of times a task was made to yield because its cooperative budget ran out", null,
                RuntimeMetrics::budgetForcedYields);
        gauge(registry, "timers.active", "Number of timers armed that have neither fired nor been cancelled", null,
                RuntimeMetrics::activeTimers);
        counter(registry, "timers.fired", "Number of timers that fired", null, RuntimeMetrics::timersFired);
        counter(registry, "timers.cancelled", "Number of armed timers cancelled before they fired", null,
                RuntimeMetrics::timersCancelled);
        counter(registry, "timers.wakeups", "Number of driver wake-ups in which a timer fired", null,
                RuntimeMetrics::timerWakeups);
    }

    private void gauge(MeterRegistry registry, String name, String description, String unit,
            ToDoubleFunction<RuntimeMetrics> value) {
        Gauge.builder(PREFIX + name, this.runtime, (runtime) -> value.applyAsDouble(runtime.metrics()))
            .description(description)
            .baseUnit(unit)
            .tags(this.tags)
            .strongReference(true)
            .register(registry);
    }

    private void counter(MeterRegistry registry, String name, String description, String unit,
            ToDoubleFunction<RuntimeMetrics> value) {
        FunctionCounter.builder(PREFIX + name, this.runtime, (runtime) -> value.applyAsDouble(runtime.metrics()))
            .description(description)
            .baseUnit(unit)
            .tags(this.tags)
            .register(registry);
    }

}
