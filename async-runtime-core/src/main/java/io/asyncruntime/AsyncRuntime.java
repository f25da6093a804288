package io.asyncruntime;

import io.asyncruntime.internal.blocking.BlockingPools;
import io.asyncruntime.internal.io.IoDriver;
import io.asyncruntime.internal.io.IoStats;
import io.asyncruntime.internal.io.SelectorDriver;
import io.asyncruntime.internal.metrics.StallDetector;
import io.asyncruntime.internal.scheduler.BlockOn;
import io.asyncruntime.internal.scheduler.Driver;
import io.asyncruntime.internal.scheduler.LiveTaskDump;
import io.asyncruntime.internal.scheduler.PollSampler;
import io.asyncruntime.internal.scheduler.Scheduler;
import io.asyncruntime.internal.scheduler.SchedulerMetrics;
import io.asyncruntime.internal.scheduler.TaskRegistry;
import io.asyncruntime.internal.scheduler.ThreadParkDriver;
import io.asyncruntime.internal.scheduler.WorkerWatch;
import io.asyncruntime.internal.time.TimeDriver;
import io.asyncruntime.internal.time.TimerMetrics;
import io.asyncruntime.task.CancellationToken;
import io.asyncruntime.task.ContextCarrier;
import io.asyncruntime.task.JoinHandle;
import io.asyncruntime.task.Priority;
import io.asyncruntime.task.Spawner;
import io.asyncruntime.task.Task;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An asynchronous runtime: a work-stealing pool of worker threads that polls {@link Task}s.
 *
 * <pre>{@code
 * try (AsyncRuntime runtime = AsyncRuntime.builder().workerThreads(4).build()) {
 *     JoinHandle<Integer> answer = runtime.spawn(() -> 6 * 7);
 *     int value = runtime.blockOn(answer);
 * }
 * }</pre>
 *
 * <p>Spawning from outside the runtime goes through the inject queue; spawning from a running task
 * goes to its worker (and runs next, in the LIFO slot). Tasks spawned without a priority inherit
 * the lane of the task that spawns them, or NORMAL from outside. A spawned task inherits the
 * {@link io.asyncruntime.task.TaskLocal} values of its spawner and what the builder's
 * {@link io.asyncruntime.task.ContextPropagator}s capture. Thread-safe.
 */
public final class AsyncRuntime implements AutoCloseable, Spawner {

    private static final Logger log = LoggerFactory.getLogger(AsyncRuntime.class);
    private static final ThreadLocal<AsyncRuntime> CURRENT = new ThreadLocal<>();

    static {
        // Deep stage callbacks handed to another thread run bound as the thread that delivered them.
        io.asyncruntime.internal.scheduler.DeliveryBinding.install(new RuntimeBinder());
    }
    /** Tasks a {@link #taskDump()} lists at most. */
    public static final int DEFAULT_TASK_DUMP_LIMIT = 1_000;
    /**
     * How long a graceful shutdown waits for workers to stop once its deadline has passed: enough
     * for a worker that is between polls (it stops within microseconds), short enough that a worker
     * stuck in one poll delays the shutdown by no more than this.
     */
    static final long WORKER_STOP_ALLOWANCE_MILLIS = 100;
    static final Duration WORKER_STOP_ALLOWANCE = Duration.ofMillis(WORKER_STOP_ALLOWANCE_MILLIS);

    private final Scheduler scheduler;
    private final RuntimeBuilder settings;
    private final TimeDriver timeDriver;
    /** The I/O driver under the time driver, or null when built with {@code enableIo(false)}. */
    private final SelectorDriver ioDriver;
    /** Captures task-locals and propagated context at each spawn (nothing, when none is in use). */
    private final ContextCarrier contextCarrier;
    /** The blocking pools and blockInPlace's side of the runtime. */
    private final RuntimeBlocking blocking;
    /** The stall detector, or null when the builder turned it off. */
    private final StallDetector stallDetector;
    /** Cancelled when a graceful shutdown begins; tasks watch it (or children of it) to wind down. */
    private final CancellationToken rootToken = new CancellationToken();
    /** Set by the first shutdown call, which runs it; the others wait for {@link #shutdownReport}. */
    private final AtomicBoolean shutdownStarted = new AtomicBoolean();
    private final CompletableFuture<ShutdownReport> shutdownReport = new CompletableFuture<>();

    AsyncRuntime(RuntimeBuilder builder) {
        this.settings = builder;
        this.contextCarrier = ContextCarrier.of(builder.contextPropagators());
        // The driver stack: time over I/O over thread park (the selector parks the thread itself).
        this.ioDriver = builder.ioEnabled() ? new SelectorDriver() : null;
        Driver parkDriver = ioDriver != null ? ioDriver : new ThreadParkDriver();
        this.timeDriver = new TimeDriver(parkDriver, builder.clock(), builder.eventIntervalTicks());
        this.scheduler = new Scheduler(
                builder.schedulerConfig(this::bindThread, AsyncRuntime::unbindThread),
                timeDriver);
        this.blocking = new RuntimeBlocking(scheduler, timeDriver, new BlockingPools(builder.threadNamePrefix(),
                builder.defaultBlockingPool(), null, this::bindThread, AsyncRuntime::unbindThread, timeDriver),
                AsyncRuntime::unbindThread, contextCarrier);
        scheduler.onHandOver(blocking::afterBlockInPlace);
        scheduler.start();
        if (builder.stallThreshold().isZero()) {
            this.stallDetector = null;
        } else {
            this.stallDetector = new StallDetector(new WorkerWatch(scheduler), builder.stallThreshold(),
                    builder.threadNamePrefix() + "-stall-detector");
            scheduler.clockKeptByHeartbeat(stallDetector.periodNanos());
            stallDetector.start();
        }
    }

    /**
     * Binds the calling thread to this runtime for the thread's lifetime: {@link #current()} and
     * the timers ({@code Time.sleep} …) then work on it. The one bind of runtime identity for
     * threads the runtime owns: its workers and its blocking-pool threads (each runs this first
     * and {@link #unbindThread()} last). {@link #blockOn} binds around one call instead, restoring
     * what was there before.
     */
    private void bindThread() {
        CURRENT.set(this);
        TimeDriver.bind(timeDriver);
        IoDriver.bind(ioDriver);
    }

    /** Undoes {@link #bindThread()}; the last thing a runtime thread does. */
    private static void unbindThread() {
        CURRENT.remove();
        TimeDriver.unbind();
        IoDriver.bind(null);
    }

    /** A builder with the defaults: one worker per available processor. */
    public static RuntimeBuilder builder() {
        return new RuntimeBuilder();
    }

    /**
     * The runtime of the calling thread: a worker's runtime, or the runtime whose
     * {@link #blockOn} the thread is in.
     *
     * @throws IllegalStateException if the thread belongs to no runtime
     */
    public static AsyncRuntime current() {
        AsyncRuntime runtime = CURRENT.get();
        if (runtime == null) {
            throw new IllegalStateException("AsyncRuntime.current() was called on thread \""
                    + Thread.currentThread().getName() + "\", which is not running an async-runtime task");
        }
        return runtime;
    }

    /** The runtime of the calling thread, if it has one (see {@link #current()}). */
    public static Optional<AsyncRuntime> tryCurrent() {
        return Optional.ofNullable(CURRENT.get());
    }

    // ---- spawning ----------------------------------------------------------------------------

    /** Spawns {@code task}; it starts at once on a worker. The lane is inherited or NORMAL. */
    @Override
    public <T> JoinHandle<T> spawn(Task<T> task) {
        return scheduler.spawn(contextCarrier.carry(task), null, null);
    }

    /** Spawns {@code task} into the given lane. */
    public <T> JoinHandle<T> spawn(Task<T> task, Priority priority) {
        return scheduler.spawn(contextCarrier.carry(task), requirePriority(priority), null);
    }

    /** Spawns {@code task} into the given lane, named for logs, metrics and task dumps. */
    @Override
    public <T> JoinHandle<T> spawn(Task<T> task, Priority priority, String name) {
        return scheduler.spawn(contextCarrier.carry(task), requirePriority(priority), name);
    }

    /** Spawns a callable as a task that runs it in one poll. */
    public <T> JoinHandle<T> spawn(Callable<T> callable) {
        return spawnCallable(callable, null);
    }

    /** Spawns a callable into the given lane. */
    public <T> JoinHandle<T> spawn(Callable<T> callable, Priority priority) {
        return spawnCallable(callable, requirePriority(priority));
    }

    /** Spawns a runnable as a task that runs it in one poll; the handle's value is {@code null}. */
    public JoinHandle<Void> spawn(Runnable runnable) {
        return spawnRunnable(runnable, null);
    }

    /** Spawns a runnable into the given lane. */
    public JoinHandle<Void> spawn(Runnable runnable, Priority priority) {
        return spawnRunnable(runnable, requirePriority(priority));
    }

    /** A callable needs a task around it only when it carries context; else the cell runs it bare. */
    private <T> JoinHandle<T> spawnCallable(Callable<T> callable, Priority priority) {
        if (callable != null && contextCarrier.hasContextToCarry()) {
            return scheduler.spawn(contextCarrier.carry(Task.call(callable)), priority, null);
        }
        return scheduler.spawn(callable, priority, null);
    }

    private JoinHandle<Void> spawnRunnable(Runnable runnable, Priority priority) {
        if (runnable != null && contextCarrier.hasContextToCarry()) {
            return scheduler.spawn(contextCarrier.carry(Task.run(runnable)), priority, null);
        }
        return scheduler.spawn(runnable, priority, null);
    }

    // ---- blocking work -----------------------------------------------------------------------

    /**
     * Runs blocking {@code work} (JDBC, file I/O, a {@code synchronized} client, {@code Thread.sleep})
     * on the runtime's blocking pool, never on a worker, and returns its handle: await it in a
     * task, chain on it, or {@code get()} it. The pool starts threads on demand up to
     * {@link RuntimeBuilder#maxBlockingThreads}; they exit after {@link RuntimeBuilder#blockingKeepAlive}
     * idle.
     *
     * <p>Backpressure: when every thread is busy and the queue holds
     * {@link RuntimeBuilder#blockingQueueCapacity} tasks, this neither throws nor blocks the caller
     * (which may be a worker): the work waits for room, and the handle completes later, so a task
     * that awaits it is held back. Work that waits is never overtaken by later work. To bound
     * memory, await the handles, or use {@link #trySpawnBlocking}, which rejects instead.
     *
     * <p>{@link JoinHandle#abort()} of work still queued takes it out of the queue: it never
     * starts and the handle completes as cancelled at once. Running work is not interrupted; it
     * finishes, and its outcome is dropped with the handle if nobody waits for it.
     *
     * <p>The work runs in the context of the thread that spawned it, as a spawned task does: its
     * {@link io.asyncruntime.task.TaskLocal} values and what the builder's
     * {@link RuntimeBuilder#contextPropagator context propagators} capture (the MDC, the current
     * trace), installed around the work on the blocking thread and removed after it.
     *
     * <p>The work's thread is bound to this runtime: {@link #current()}, {@link #spawn} (through
     * the inject queue, as from any thread outside the workers) and {@link #blockOn} work there.
     * On a paused test clock, blocking work in flight keeps virtual time from auto-advancing.
     * Work that awaits other work of the same pool with every thread busy deadlocks, as in any
     * bounded pool.
     *
     * @throws NullPointerException if {@code work} is null
     * @throws IllegalStateException if the runtime is closed
     */
    public <T> JoinHandle<T> spawnBlocking(Callable<T> work) {
        return blocking.spawn(contextCarrier.carryBlocking(work));
    }

    /**
     * Runs blocking {@code work} as {@link #spawnBlocking} does, if the runtime's blocking pool
     * has room: an idle thread, room to start one, or room in its queue.
     *
     * @throws RejectedExecutionException if every thread is busy at the cap and the queue is full;
     *     the message names both limits
     * @throws NullPointerException if {@code work} is null
     * @throws IllegalStateException if the runtime is closed
     */
    public <T> JoinHandle<T> trySpawnBlocking(Callable<T> work) {
        return blocking.trySpawn(contextCarrier.carryBlocking(work));
    }

    /**
     * The blocking pool named {@code name}, created with {@code limits} on first use: a bulkhead
     * with its own threads, cap and queue, so that one kind of blocking work cannot hold up
     * another. Asking again with the same name and limits returns the same pool.
     *
     * @throws IllegalArgumentException if {@code name} is blank or {@code "default"} (the
     *     runtime's own pool), or a pool of that name exists with other limits
     * @throws NullPointerException if {@code limits} is null
     * @throws IllegalStateException if the runtime is closed
     */
    public BlockingPool blockingPool(String name, BlockingLimits limits) {
        return blocking.named(name, limits);
    }

    /**
     * Runs blocking {@code work} on the calling worker thread without stalling the runtime: first
     * the worker's duties (its queued tasks, its LIFO slot, its run loop and with it its turn at
     * the timer and I/O driver) pass to a new thread, then {@code work} runs here, and its value is
     * returned to the task that called this, whose poll goes on on this thread. When that poll
     * returns, this thread leaves the worker for good and joins the runtime's blocking pool (or
     * ends, if the pool is full). Other tasks keep running meanwhile, even on a one-worker runtime.
     *
     * <p>Use it for blocking code in the middle of a task that cannot be split around it; prefer
     * {@link #spawnBlocking}, which moves no worker and is cheaper. While this runs, the calling
     * thread is not a worker: its spawns go through the inject queue, and {@link #blockOn} is
     * allowed on it. It still runs the calling task, though: a task it spawns without a priority
     * inherits that task's lane, its spawns are accepted while a graceful shutdown drains (as any
     * running task's are), and {@link #close()} or {@link #shutdownGracefully} called here return
     * at once, as from any of the runtime's own tasks. The rest of the calling task's poll runs on
     * this thread too, and any other
     * task composed into the same poll (the branches of a {@code join}) waits for {@code work},
     * as in Tokio. On a paused test clock the runtime does not auto-advance until that poll ends.
     *
     * @return what {@code work} returned
     * @throws IllegalStateException if the calling thread is not an async-runtime worker polling a
     *     task (a blocking-pool thread, an application thread): the message says which; there,
     *     call the blocking code directly. A second call within the poll that already handed its
     *     worker over just runs {@code work}.
     * @throws CompletionException wrapping a checked exception {@code work} threw; unchecked ones
     *     are rethrown as they are
     * @throws NullPointerException if {@code work} is null
     */
    public static <T> T blockInPlace(Callable<T> work) {
        return RuntimeBlocking.blockInPlace(work);
    }

    /** This runtime's blocking side (for {@link RuntimeBlocking#blockInPlace}). */
    RuntimeBlocking blocking() {
        return blocking;
    }

    /**
     * Runs {@code task} to completion on the calling thread and returns its value; tasks it spawns
     * run on the workers. A failure is rethrown: unchecked ones as themselves, checked ones in a
     * {@link java.util.concurrent.CompletionException}; cancellation as
     * {@link io.asyncruntime.task.TaskCancelledException}, also when the runtime is closed while
     * the call waits (the task is cancelled, and the message says the runtime closed).
     *
     * @throws IllegalStateException on a worker thread of any runtime: blocking a worker stalls
     *     every task queued behind it and can deadlock the runtime; compose with
     *     {@code flatMap} or {@code spawn} instead
     */
    public <T> T blockOn(Task<T> task) {
        if (task == null) {
            throw new NullPointerException("task must not be null");
        }
        if (Scheduler.isAnyWorkerThread()) {
            throw new IllegalStateException("blockOn was called on async-runtime worker thread \""
                    + Thread.currentThread().getName() + "\": blocking a worker can deadlock the runtime; "
                    + "compose the task with flatMap or spawn it and await its JoinHandle instead");
        }
        if (scheduler.isClosed()) {
            throw new IllegalStateException("this async-runtime is closed: blockOn cannot run a task on it");
        }
        AsyncRuntime previous = CURRENT.get();
        CURRENT.set(this);
        TimeDriver previousTime = TimeDriver.bind(timeDriver);
        IoDriver previousIo = IoDriver.bind(ioDriver);
        try {
            return BlockOn.run(timeDriver.inhibitingAutoAdvanceWhilePolled(task), scheduler);
        } finally {
            IoDriver.bind(previousIo);
            TimeDriver.bind(previousTime);
            if (previous == null) {
                CURRENT.remove();
            } else {
                CURRENT.set(previous);
            }
        }
    }

    // ---- state -------------------------------------------------------------------------------

    /** Number of worker threads. */
    public int workerThreads() {
        return scheduler.workerCount();
    }

    /**
     * How long {@link #close()} waits for the workers to stop: the builder's
     * {@link RuntimeBuilder#shutdownTimeout}. Never null.
     */
    public Duration shutdownTimeout() {
        return settings.shutdownTimeout();
    }

    /**
     * How long a worker may stay inside one task poll before the stall detector reports it: the
     * builder's {@link RuntimeBuilder#stallThreshold}; {@link Duration#ZERO} when detection is
     * off. Never null.
     */
    public Duration stallThreshold() {
        return settings.stallThreshold();
    }

    /**
     * The stack size requested for the worker threads, in bytes: the builder's
     * {@link RuntimeBuilder#workerStackSize}; 0 when the workers have the JVM's default.
     */
    public long workerStackSize() {
        return settings.workerStackSize();
    }

    /** Whether {@link #close()} has been called. */
    public boolean isClosed() {
        return scheduler.isClosed();
    }

    /** A snapshot of the runtime's counters. */
    public RuntimeMetrics metrics() {
        SchedulerMetrics m = scheduler.metrics();
        List<RuntimeMetrics.WorkerMetrics> perWorker = new ArrayList<>(m.workers());
        long polls = 0;
        long steals = 0;
        long parks = 0;
        long forcedYields = 0;
        for (int i = 0; i < m.workers(); i++) {
            RuntimeMetrics.WorkerMetrics w = new RuntimeMetrics.WorkerMetrics(i, m.polls(i), m.steals(i),
                    m.stealOperations(i), m.parks(i), m.overflows(i), m.lifoHits(i), m.localSchedules(i),
                    m.injectPops(i), m.budgetForcedYields(i), m.busyNanos(i),
                    m.localQueueDepth(i, Priority.HIGH), m.localQueueDepth(i, Priority.NORMAL),
                    m.localQueueDepth(i, Priority.BACKGROUND));
            perWorker.add(w);
            polls += w.polls();
            steals += w.steals();
            parks += w.parks();
            forcedYields += w.budgetForcedYields();
        }
        long completed = m.completedTasks();
        long spawned = m.spawnedTasks();
        TimerMetrics timers = timeDriver.metrics();
        return new RuntimeMetrics(m.workers(), Math.max(0, spawned - completed), spawned, completed,
                m.remoteSpawns(), m.injectQueueDepth(), polls, steals, parks, forcedYields, timers.activeTimers(),
                timers.fired(), timers.cancelled(), timers.timerWakeups(), List.copyOf(perWorker),
                blocking.metrics(stallDetector == null ? 0 : stallDetector.stalls()),
                ioMetrics(), taskRegistryMetrics());
    }

    private RuntimeMetrics.TaskRegistryMetrics taskRegistryMetrics() {
        TaskRegistry registry = scheduler.registry();
        long[] counts = registry.counts();
        return new RuntimeMetrics.TaskRegistryMetrics(registry.liveTasksHint(), counts[0], counts[1],
                registry.isRefusingRemote());
    }

    private RuntimeMetrics.IoMetrics ioMetrics() {
        IoStats io = ioDriver != null ? ioDriver.stats() : IoStats.NONE;
        return new RuntimeMetrics.IoMetrics(ioDriver != null, io.openRegistrations(), io.registrations(),
                io.readyEvents(), io.turns(), io.blockingSelects(), io.selectorWakeups(), io.rearms(), io.disarms());
    }

    /**
     * How many workers are stalled now: inside a poll the stall detector reported as longer than
     * the {@linkplain #stallThreshold() stall threshold}, which has not returned yet (seen up to a
     * quarter threshold late). 0 when detection is off.
     */
    public int ongoingStalls() {
        return stallDetector == null ? 0 : stallDetector.ongoingStalls();
    }

    /** Largest {@code oneIn} of {@link #samplePolls}. */
    public static final int MAX_POLL_SAMPLING_INTERVAL = 1_000_000;

    /**
     * Hands a sample of this runtime's polls to {@code listener} until the returned registration
     * is closed: the duration of about one poll in {@code oneIn} on each worker, and the schedule
     * latency (time queued before the poll began) of about one task in {@code oneIn} spawned,
     * woken or yielding, one followed at a time. For distributions (Micrometer timers,
     * HdrHistogram) at a cost the hot path carries: with no listener, a poll pays a decrement and
     * one read of a rarely written field; with one, one poll in {@code oneIn} also reads the clock
     * twice (see the benchmarks module's PollSamplingOverheadBenchmark). Several listeners may
     * sample at once, each at its own interval. Takes effect on each worker within a few thousand
     * polls.
     *
     * @param oneIn sample about one in this many polls and schedules, 1 (every one) to {@value #MAX_POLL_SAMPLING_INTERVAL}
     * @param listener called on the workers: fast, thread-safe, non-blocking; not null
     * @return closes to stop the samples to {@code listener}; never null
     * @throws IllegalArgumentException if {@code oneIn} is out of range
     * @throws NullPointerException if {@code listener} is null
     */
    public PollSampleListener.Registration samplePolls(int oneIn, PollSampleListener listener) {
        if (oneIn < 1 || oneIn > MAX_POLL_SAMPLING_INTERVAL) {
            throw new IllegalArgumentException("oneIn must be between 1 and " + MAX_POLL_SAMPLING_INTERVAL
                    + ", got " + oneIn);
        }
        if (listener == null) {
            throw new NullPointerException("listener must not be null");
        }
        Object subscription = scheduler.samplePolls(oneIn, new PollSampler.Listener() {
            @Override
            public void pollTime(int worker, long nanos) {
                listener.pollTime(worker, nanos);
            }

            @Override
            public void scheduleLatency(long nanos) {
                listener.scheduleLatency(nanos);
            }

            @Override
            public String toString() {
                return listener.toString();
            }
        });
        return () -> scheduler.stopSamplingPolls(subscription);
    }

    /**
     * How many workers have lost their thread while the runtime runs: an error escaped a worker's
     * run loop and its own recovery (a worker survives, counted in {@link #workerLoopErrors()},
     * any error outside a task's poll that it can still log). The tasks such a worker had queued
     * are taken by the others, but the runtime runs one worker short until it is restarted: a
     * health check should report it. 0 once the runtime is closed.
     */
    public int deadWorkers() {
        return scheduler.deadWorkers();
    }

    /**
     * Errors the workers' run loops caught outside any task poll since start, and went on after
     * (what a task's poll throws completes that task instead): an {@link Error} thrown by a
     * {@link io.asyncruntime.task.Waker} that the timer or I/O driver fired, an
     * {@link OutOfMemoryError} while a worker looked for work. Each is logged (at most one line a
     * second); a count that grows means something is wrong with the process, not with one task.
     */
    public long workerLoopErrors() {
        return scheduler.workerLoopErrors();
    }

    /**
     * The latest stalls the stall detector reported, at most 16, oldest first; empty when
     * detection is off ({@link RuntimeBuilder#stallThreshold} zero) or nothing stalled. The count
     * of all stalls is {@link BlockingMetrics#stalls()}. Never null.
     */
    public List<WorkerStall> recentStalls() {
        if (stallDetector == null) {
            return List.of();
        }
        List<StallDetector.RecentStall> recent = stallDetector.recentStalls();
        List<WorkerStall> stalls = new ArrayList<>(recent.size());
        for (StallDetector.RecentStall s : recent) {
            stalls.add(new WorkerStall(s.worker(), s.task(), Duration.ofNanos(s.inPollNanos()),
                    Instant.ofEpochMilli(s.detectedAtMillis())));
        }
        return List.copyOf(stalls);
    }

    /**
     * The runtime's root cancellation token: cancelled when a graceful shutdown begins, so tasks
     * that watch it, or a {@link CancellationToken#child() child} of it, wind down within the
     * shutdown's deadline. Cancelling it by hand tells those tasks to stop without shutting the
     * runtime down. Never null.
     */
    public CancellationToken cancellationToken() {
        return rootToken;
    }

    /**
     * Shuts the runtime down gracefully, losing nothing:
     * <ol>
     *   <li>spawns from outside the runtime's workers fail with an {@link IllegalStateException}
     *       saying it is shutting down (its own tasks may still spawn while they wind down);</li>
     *   <li>the {@linkplain #cancellationToken() root token} is cancelled;</li>
     *   <li>tasks get until {@code deadline} to finish;</li>
     *   <li>what remains is aborted through the live-task registry, idle tasks included (an idle
     *       task is cancelled at once, a queued or running one at its next poll boundary), and
     *       every spawn now fails;</li>
     *   <li>the workers stop, then the timers, the I/O driver and every registered channel close;
     *       the blocking pools cancel their queued work and give running work what is left of the
     *       deadline.</li>
     * </ol>
     * Every handle completes, with a value, a failure or a cancellation, by the time the call
     * returns, except those of the tasks the report counts as still live; a task stuck inside one
     * poll that ignores cancellation completes when that poll returns, and its worker is left
     * behind without delaying the shutdown: the call returns by the deadline plus at most
     * 100 ms for the workers to stop. A task whose {@link Task#cancel()} blocks (it must not)
     * holds the abort for at most another 100 ms: the aborts run on a thread of their own, and the
     * tasks not reached yet are aborted when that call returns. A step that fails (a foreign waker
     * on the root token that throws) is logged and the shutdown goes on; an interrupted caller
     * gets the whole shutdown too, and its interrupt flag back. The report is logged at INFO.
     *
     * <p>Safe to call more than once and from several threads: the first call shuts down, the
     * others wait for it and return its report (later calls return it at once). Called from one of
     * this runtime's own tasks (also from inside {@link #blockInPlace}), it cannot wait (that task
     * is one of those being drained): the
     * shutdown runs on a new thread, and the call returns at once with a report whose
     * {@link ShutdownReport#inProgress()} is true.
     *
     * @param deadline how long tasks get to finish; zero aborts them at once
     * @throws IllegalArgumentException if {@code deadline} is null or negative
     */
    public ShutdownReport shutdownGracefully(Duration deadline) {
        if (deadline == null || deadline.isNegative()) {
            throw new IllegalArgumentException("shutdownGracefully deadline must be zero or a positive duration, got "
                    + deadline);
        }
        // A task inside blockInPlace counts too: its thread handed the worker over, but it is
        // still in that task's poll, and waiting here would wait for itself (review9).
        // So does blocking work of this runtime's pools, which a task usually awaits: waiting here
        // would wait for that task, which waits for this work (review9b).
        boolean onOwnTask = scheduler.isOwnTaskThread() || blocking.servesCurrentThread();
        if (!shutdownStarted.compareAndSet(false, true)) {
            return onOwnTask ? shutdownReport.getNow(ShutdownReport.inProgress(deadline)) : shutdownReport.join();
        }
        if (onOwnTask) {
            Thread shutdown = new Thread(() -> runShutdown(deadline), settings.threadNamePrefix() + "shutdown");
            shutdown.setDaemon(true);
            shutdown.start();
            return ShutdownReport.inProgress(deadline);
        }
        return runShutdown(deadline);
    }

    private ShutdownReport runShutdown(Duration deadline) {
        try {
            ShutdownReport report = new GracefulShutdown(this, scheduler, settings.threadNamePrefix()).run(deadline, timeoutNanos(deadline));
            log.info("async-runtime shut down: {}", report);
            shutdownReport.complete(report);
            return report;
        } catch (Throwable failure) {
            shutdownReport.completeExceptionally(failure);
            throw failure;
        }
    }

    private static long timeoutNanos(Duration deadline) {
        try {
            return deadline.toNanos();
        } catch (ArithmeticException tooLong) {
            return Long.MAX_VALUE / 4; // centuries: as good as forever, and safe to add to nanoTime
        }
    }

    /**
     * {@link #shutdownGracefully} with the builder's {@link RuntimeBuilder#shutdownTimeout}, so
     * a runtime works in try-with-resources. Idempotent: once a shutdown has begun (by any
     * caller) it returns at once; called from one of its own tasks, it starts the shutdown and
     * returns at once.
     */
    @Override
    public void close() {
        if (shutdownStarted.get()) {
            // A shutdown is under way or done: close() starts one, it never waits for another
            // caller's. (A Spring context destroys the runtime bean after its lifecycle gave up
            // waiting for the phase; that destroy call must not wait out the shutdown timeout.)
            // Use shutdownGracefully to wait for, and read, the report of a shutdown in progress.
            return;
        }
        shutdownGracefully(settings.shutdownTimeout());
    }

    /** Whether a shutdown has begun (spawns from outside are refused from then on). */
    public boolean isShuttingDown() {
        return shutdownStarted.get();
    }

    /** The root token, for the shutdown. */
    CancellationToken rootToken() {
        return rootToken;
    }

    /** Stops the stall detector, if it runs; for the shutdown, before the workers stop. */
    void stopStallDetector() {
        if (stallDetector != null) {
            stallDetector.stop();
        }
    }

    /**
     * The live tasks, at most {@value #DEFAULT_TASK_DUMP_LIMIT} of them listed: see
     * {@link #taskDump(int)}. Never null.
     */
    public TaskDump taskDump() {
        return taskDump(DEFAULT_TASK_DUMP_LIMIT);
    }

    /**
     * Every live task's name, lane, state (idle, queued, running), age, poll count and time since
     * its last poll, listing at most {@code maxTasks} of them (the dump still counts them all).
     * Cheap on a runtime with a million tasks: it copies at most {@code maxTasks} references,
     * holding each registry shard's lock only while it copies that shard's share, so spawns and
     * completions go on meanwhile; counting is one read per shard. Never null.
     *
     * @throws IllegalArgumentException if {@code maxTasks} is negative
     */
    public TaskDump taskDump(int maxTasks) {
        if (maxTasks < 0) {
            throw new IllegalArgumentException("taskDump maxTasks must be 0 or more, got " + maxTasks);
        }
        TaskRegistry registry = scheduler.registry();
        long live = registry.liveTasksHint();
        List<TaskDump.TaskInfo> tasks = new ArrayList<>((int) Math.min(maxTasks, Math.max(live, 16)));
        LiveTaskDump.forEachLive(registry, maxTasks, (name, lane, state, ageNanos, polls, sinceLastPollNanos, cancelRequested) ->
                tasks.add(new TaskDump.TaskInfo(name, Priority.ofLane(lane), TaskDump.State.valueOf(state.name()),
                        Duration.ofNanos(ageNanos), polls,
                        sinceLastPollNanos < 0 ? null : Duration.ofNanos(sinceLastPollNanos), cancelRequested)));
        return new TaskDump(Math.max(live, tasks.size()), List.copyOf(tasks), live > tasks.size());
    }

    /**
     * The blocking half of a shutdown, for {@link #close()} and a graceful shutdown to call once
     * the workers have stopped: every blocking pool stops taking work ({@link #spawnBlocking},
     * {@link #trySpawnBlocking} and the named pools' methods throw {@link IllegalStateException}),
     * its queued work completes as cancelled at once (it never started), and running work is given
     * until {@code deadlineNanos} ({@link System#nanoTime()} based) to finish. Running work is
     * never interrupted: what still runs at the deadline is left on its daemon thread, and its
     * handle completes when it returns. Called from a blocking thread, it does not wait for that
     * thread. Idempotent.
     *
     * @return how many blocking threads were still running work at the deadline (0: all stopped)
     */
    int shutdownBlockingPools(long deadlineNanos) {
        return blocking.shutdown(deadlineNanos);
    }

    @Override
    public String toString() {
        return "AsyncRuntime[workers=" + workerThreads() + (isClosed() ? ", closed]" : "]");
    }

    private static Priority requirePriority(Priority priority) {
        if (priority == null) {
            throw new NullPointerException("priority must not be null");
        }
        return priority;
    }

    /**
     * The runtime binding of a thread (this runtime, its time and I/O drivers), captured and
     * re-applied for {@link io.asyncruntime.internal.scheduler.DeliveryBinding}, restoring what
     * was bound before exactly as {@link #blockOn} does.
     */
    private static final class RuntimeBinder implements io.asyncruntime.internal.scheduler.DeliveryBinding.Binder {
        @Override
        public Object capture() {
            return CURRENT.get();
        }

        @Override
        public Object bind(Object captured) {
            AsyncRuntime runtime = (AsyncRuntime) captured;
            Object[] previous = {CURRENT.get(), TimeDriver.bind(runtime.timeDriver), IoDriver.bind(runtime.ioDriver)};
            CURRENT.set(runtime);
            return previous;
        }

        @Override
        public void restore(Object previousBinding) {
            Object[] previous = (Object[]) previousBinding;
            IoDriver.bind((IoDriver) previous[2]);
            TimeDriver.bind((TimeDriver) previous[1]);
            if (previous[0] == null) {
                CURRENT.remove();
            } else {
                CURRENT.set((AsyncRuntime) previous[0]);
            }
        }
    }
}
