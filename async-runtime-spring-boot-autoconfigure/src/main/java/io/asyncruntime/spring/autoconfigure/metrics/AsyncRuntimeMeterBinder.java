package io.asyncruntime.spring.autoconfigure.metrics;

import java.util.Locale;
import java.util.function.ToDoubleFunction;

import io.asyncruntime.AsyncRuntime;
import io.asyncruntime.BlockingMetrics;
import io.asyncruntime.RuntimeMetrics;
import io.asyncruntime.RuntimeMetrics.WorkerMetrics;
import io.asyncruntime.task.Priority;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.binder.BaseUnits;
import io.micrometer.core.instrument.binder.MeterBinder;

/**
 * {@link MeterBinder} for the {@link AsyncRuntime#metrics() metrics} of one {@link AsyncRuntime}:
 * gauges for what goes up and down, function counters for what only grows. Every meter carries a
 * {@value #RUNTIME_TAG} tag naming the runtime; per-worker meters add a {@value #WORKER_TAG} tag
 * (the worker index, as in its thread name), per-lane meters a {@value #LANE_TAG} tag
 * ({@code high}, {@code normal}, {@code background}), blocking-pool meters a {@value #POOL_TAG}
 * tag. The I/O driver's meters ({@code asyncruntime.io.*}) exist only for a runtime that runs one.
 *
 * <p>All meters of a scrape read one shared snapshot ({@link ScrapeSnapshot}). A snapshot sums
 * counters that the workers write without synchronization, so reading it costs the scrape, never
 * the runtime's hot path.
 *
 * <p>Each part of {@link RuntimeMetrics} is bound by one small method below; a subsystem that adds
 * its nested record to the snapshot gets one more such method.
 */
public final class AsyncRuntimeMeterBinder implements MeterBinder {

    /** Tag naming the runtime: its bean name in a Spring context. */
    public static final String RUNTIME_TAG = "runtime";

    /** Tag naming the worker of a per-worker meter: its index. */
    public static final String WORKER_TAG = "worker";

    /** Tag naming the priority lane of a per-lane meter. */
    public static final String LANE_TAG = "lane";

    /** Tag naming the blocking pool of a blocking-pool meter ({@code default}: the runtime's own). */
    public static final String POOL_TAG = "pool";

    private static final String PREFIX = "asyncruntime.";

    private final ScrapeSnapshot snapshot;

    private final Tags tags;

    private final int workers;

    /**
     * Creates a binder for a runtime.
     * @param runtime the runtime to measure; not null
     * @param runtimeName the value of the {@value #RUNTIME_TAG} tag; not null
     */
    public AsyncRuntimeMeterBinder(AsyncRuntime runtime, String runtimeName) {
        this(runtime, runtimeName, Tags.empty());
    }

    /**
     * Creates a binder for a runtime that adds tags to every meter.
     * @param runtime the runtime to measure; not null
     * @param runtimeName the value of the {@value #RUNTIME_TAG} tag; not null
     * @param extraTags more tags for every meter; not null
     */
    public AsyncRuntimeMeterBinder(AsyncRuntime runtime, String runtimeName, Iterable<Tag> extraTags) {
        this(new ScrapeSnapshot(runtime::metrics), runtime.workerThreads(), runtimeName, extraTags);
    }

    AsyncRuntimeMeterBinder(ScrapeSnapshot snapshot, int workers, String runtimeName, Iterable<Tag> extraTags) {
        this.snapshot = snapshot;
        this.workers = workers;
        this.tags = Tags.of(extraTags).and(RUNTIME_TAG, runtimeName);
    }

    @Override
    public void bindTo(MeterRegistry registry) {
        bindTasks(registry);
        bindScheduler(registry);
        for (int worker = 0; worker < this.workers; worker++) {
            bindWorker(registry, worker);
        }
        bindTimers(registry);
        bindBlockingOnWorkers(registry);
        for (BlockingMetrics.Pool pool : this.snapshot.fresh().blocking().pools()) {
            bindBlockingPool(registry, pool.name());
        }
        if (this.snapshot.fresh().io().enabled()) {
            bindIo(registry);
        }
    }

    private void bindTasks(MeterRegistry registry) {
        gauge(registry, "tasks.alive", "Spawned tasks that have not finished", BaseUnits.TASKS, this.tags,
                RuntimeMetrics::aliveTasks);
        counter(registry, "tasks.spawned", "Tasks spawned", BaseUnits.TASKS, this.tags, RuntimeMetrics::spawnedTasks);
        counter(registry, "tasks.completed", "Tasks finished, with a value, a failure or cancelled", BaseUnits.TASKS,
                this.tags, RuntimeMetrics::completedTasks);
        counter(registry, "tasks.remote.spawned", "Tasks spawned from threads that are not workers", BaseUnits.TASKS,
                this.tags, RuntimeMetrics::remoteSpawns);
        gauge(registry, "tasks.live", "Tasks in the live-task registry: idle, queued or running", BaseUnits.TASKS,
                this.tags, (m) -> m.tasks().liveTasks());
    }

    private void bindScheduler(MeterRegistry registry) {
        gauge(registry, "workers", "Worker threads", BaseUnits.THREADS, this.tags, RuntimeMetrics::workers);
        gauge(registry, "queue.inject.depth", "Tasks waiting in the inject queue, all lanes", BaseUnits.TASKS,
                this.tags, RuntimeMetrics::injectQueueDepth);
    }

    private void bindWorker(MeterRegistry registry, int index) {
        Tags worker = this.tags.and(WORKER_TAG, Integer.toString(index));
        counter(registry, "polls", "Task polls", null, worker, (m) -> w(m, index).polls());
        counter(registry, "steals", "Tasks stolen from other workers", BaseUnits.TASKS, worker,
                (m) -> w(m, index).steals());
        counter(registry, "steal.operations", "Successful steal operations, each moving up to half a queue", null,
                worker, (m) -> w(m, index).stealOperations());
        counter(registry, "parks", "Times the worker parked for lack of work", null, worker,
                (m) -> w(m, index).parks());
        counter(registry, "queue.local.overflows", "Times a full local queue moved half its tasks to the inject queue",
                null, worker, (m) -> w(m, index).overflows());
        counter(registry, "lifo.hits", "Polls of a task taken from the LIFO slot", null, worker,
                (m) -> w(m, index).lifoHits());
        counter(registry, "queue.local.schedules", "Tasks the worker queued on its own queue", BaseUnits.TASKS, worker,
                (m) -> w(m, index).localSchedules());
        counter(registry, "queue.inject.pops", "Times the worker took tasks from the inject queue", null, worker,
                (m) -> w(m, index).injectPops());
        counter(registry, "budget.forced.yields", "Polls ended because the task's cooperative budget ran out", null,
                worker, (m) -> w(m, index).budgetForcedYields());
        counter(registry, "worker.busy", "Time the worker spent outside park", "seconds", worker,
                (m) -> w(m, index).busyNanos() / 1e9);
        for (Priority lane : Priority.values()) {
            Tags laneTags = worker.and(LANE_TAG, lane.name().toLowerCase(Locale.ROOT));
            gauge(registry, "queue.local.depth", "Tasks waiting in the worker's own queue", BaseUnits.TASKS, laneTags,
                    (m) -> localQueueDepth(w(m, index), lane));
        }
    }

    private void bindTimers(MeterRegistry registry) {
        gauge(registry, "timers.active", "Timers armed that have neither fired nor been cancelled", null, this.tags,
                RuntimeMetrics::activeTimers);
        counter(registry, "timers.fired", "Timers that fired", null, this.tags, RuntimeMetrics::timersFired);
        counter(registry, "timers.cancelled", "Armed timers cancelled before they fired", null, this.tags,
                RuntimeMetrics::timersCancelled);
        counter(registry, "timers.wakeups", "Driver turns after a park in which a timer fired", null, this.tags,
                RuntimeMetrics::timerWakeups);
    }

    private void bindBlockingOnWorkers(MeterRegistry registry) {
        counter(registry, "stalls", "Task polls the stall detector found longer than the stall threshold", null,
                this.tags, (m) -> m.blocking().stalls());
        counter(registry, "block.in.place", "blockInPlace calls that handed a worker over to a new thread", null,
                this.tags, (m) -> m.blocking().blockInPlaceCalls());
    }

    /*
     * Bound only when the runtime runs an I/O driver (RuntimeBuilder.enableIo, on by default): a
     * runtime built without one would show counters that can never move.
     */
    private void bindIo(MeterRegistry registry) {
        gauge(registry, "io.registrations.open", "Channels registered with the I/O driver now (sockets, listeners)",
                null, this.tags, (m) -> m.io().openRegistrations());
        counter(registry, "io.registrations", "Channels registered with the I/O driver", null, this.tags,
                (m) -> m.io().registrations());
        counter(registry, "io.ready.events", "Readiness events the selector reported", null, this.tags,
                (m) -> m.io().readyEvents());
        counter(registry, "io.driver.turns", "Turns of the I/O driver, blocking or not", null, this.tags,
                (m) -> m.io().driverTurns());
        counter(registry, "io.driver.blocking.turns", "Turns of the I/O driver that blocked in the selector", null,
                this.tags, (m) -> m.io().blockingSelects());
        counter(registry, "io.wakeups", "Times another thread woke the blocked selector", null, this.tags,
                (m) -> m.io().selectorWakeups());
        counter(registry, "io.rearms", "Operations put back into a channel's interest set after a would-block", null,
                this.tags, (m) -> m.io().rearms());
        counter(registry, "io.disarms", "Operations taken out of a channel's interest set after they fired", null,
                this.tags, (m) -> m.io().disarms());
    }

    /*
     * Pools are bound as they exist when the registry is bound: the runtime's own and the ones
     * configured under async.runtime.blocking.pools. A pool the application creates later has no
     * meters (its figures are in the endpoint and in RuntimeMetrics).
     */
    private void bindBlockingPool(MeterRegistry registry, String name) {
        Tags pool = this.tags.and(POOL_TAG, name);
        gauge(registry, "blocking.threads", "Threads of the blocking pool, running work or idle", BaseUnits.THREADS,
                pool, (m) -> p(m, name).threads());
        gauge(registry, "blocking.threads.idle", "Threads of the blocking pool waiting for work", BaseUnits.THREADS,
                pool, (m) -> p(m, name).idleThreads());
        gauge(registry, "blocking.threads.max", "Thread cap of the blocking pool", BaseUnits.THREADS, pool,
                (m) -> p(m, name).maxThreads());
        gauge(registry, "blocking.queue.depth", "Tasks queued for a thread of the blocking pool", BaseUnits.TASKS,
                pool, (m) -> p(m, name).queueDepth());
        gauge(registry, "blocking.queue.capacity", "Queue bound of the blocking pool", BaseUnits.TASKS, pool,
                (m) -> p(m, name).queueCapacity());
        gauge(registry, "blocking.queue.waiting", "Tasks spawned past the queue bound, waiting for room",
                BaseUnits.TASKS, pool, (m) -> p(m, name).waitingForRoom());
        counter(registry, "blocking.rejections", "trySpawnBlocking calls rejected because the pool was full",
                BaseUnits.TASKS, pool, (m) -> p(m, name).rejections());
        counter(registry, "blocking.completed", "Blocking tasks finished, or cancelled before they started",
                BaseUnits.TASKS, pool, (m) -> p(m, name).completed());
    }

    /** The pool called {@code name}; pools are never removed, so it is in every later snapshot. */
    private static BlockingMetrics.Pool p(RuntimeMetrics metrics, String name) {
        for (BlockingMetrics.Pool pool : metrics.blocking().pools()) {
            if (pool.name().equals(name)) {
                return pool;
            }
        }
        throw new IllegalStateException("No blocking pool '" + name + "' in " + metrics.blocking());
    }

    private static WorkerMetrics w(RuntimeMetrics metrics, int index) {
        return metrics.perWorker().get(index);
    }

    private static long localQueueDepth(WorkerMetrics worker, Priority lane) {
        return switch (lane) {
            case HIGH -> worker.localQueueDepthHigh();
            case NORMAL -> worker.localQueueDepthNormal();
            case BACKGROUND -> worker.localQueueDepthBackground();
        };
    }

    /*
     * Gauges hold the shared snapshot strongly, so it lives as long as the meters do; function
     * counters hold their state object weakly and reach the same snapshot.
     */
    private void gauge(MeterRegistry registry, String name, String description, String unit, Tags tags,
            ToDoubleFunction<RuntimeMetrics> value) {
        int slot = this.snapshot.newSlot();
        Gauge.builder(PREFIX + name, this.snapshot, (snapshot) -> value.applyAsDouble(snapshot.read(slot)))
            .description(description)
            .baseUnit(unit)
            .tags(tags)
            .strongReference(true)
            .register(registry);
    }

    private void counter(MeterRegistry registry, String name, String description, String unit, Tags tags,
            ToDoubleFunction<RuntimeMetrics> value) {
        int slot = this.snapshot.newSlot();
        FunctionCounter.builder(PREFIX + name, this.snapshot, (snapshot) -> value.applyAsDouble(snapshot.read(slot)))
            .description(description)
            .baseUnit(unit)
            .tags(tags)
            .register(registry);
    }

}
