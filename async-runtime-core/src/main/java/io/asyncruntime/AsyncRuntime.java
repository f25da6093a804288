package io.asyncruntime;

import io.asyncruntime.internal.blocking.BlockingPools;
import io.asyncruntime.internal.io.IoDriver;
import io.asyncruntime.internal.io.SelectorDriver;
import io.asyncruntime.internal.scheduler.BlockOn;
import io.asyncruntime.internal.scheduler.DeliveryBinding;
import io.asyncruntime.internal.scheduler.Driver;
import io.asyncruntime.internal.scheduler.Scheduler;
import io.asyncruntime.internal.scheduler.ThreadParkDriver;
import io.asyncruntime.internal.time.TimeDriver;
import io.asyncruntime.task.CancellationToken;
import io.asyncruntime.task.ContextCarrier;
import io.asyncruntime.task.JoinHandle;
import io.asyncruntime.task.Priority;
import io.asyncruntime.task.Spawner;
import io.asyncruntime.task.Task;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletionException;
import java.util.concurrent.RejectedExecutionException;

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

    static {
        // Deep stage callbacks handed to another thread run bound as the thread that delivered them.
        DeliveryBinding.install(RuntimeThreadBinding.DELIVERY_BINDER);
    }
    /** Tasks a {@link #taskDump()} lists at most. */
    public static final int DEFAULT_TASK_DUMP_LIMIT = 1_000;

    private final Scheduler scheduler;
    private final RuntimeBuilder settings;
    private final TimeDriver timeDriver;
    /** The I/O driver under the time driver, or null when built with {@code enableIo(false)}. */
    private final SelectorDriver ioDriver;
    /** Captures task-locals and propagated context at each spawn (nothing, when none is in use). */
    private final ContextCarrier contextCarrier;
    /** The blocking pools and blockInPlace's side of the runtime. */
    private final RuntimeBlocking blocking;
    /** Metrics, task dumps, poll sampling and the stall detector. */
    private final RuntimeDiagnostics diagnostics;
    /** Cancelled when a graceful shutdown begins; tasks watch it (or children of it) to wind down. */
    private final CancellationToken rootToken = new CancellationToken();
    /** Runs the graceful shutdown once; later callers wait for its report. */
    private final ShutdownOnce shutdown;

    AsyncRuntime(RuntimeBuilder builder) {
        this.settings = builder;
        this.contextCarrier = ContextCarrier.of(builder.contextPropagators());
        // The driver stack: time over I/O over thread park (the selector parks the thread itself).
        this.ioDriver = builder.ioEnabled() ? new SelectorDriver() : null;
        Driver parkDriver = ioDriver != null ? ioDriver : new ThreadParkDriver();
        this.timeDriver = new TimeDriver(parkDriver, builder.clock(), builder.eventIntervalTicks());
        this.scheduler = new Scheduler(
                builder.schedulerConfig(() -> RuntimeThreadBinding.bindForLife(this), RuntimeThreadBinding::unbindForLife),
                timeDriver);
        this.blocking = new RuntimeBlocking(scheduler, timeDriver, new BlockingPools(builder.threadNamePrefix(),
                builder.defaultBlockingPool(), null, () -> RuntimeThreadBinding.bindForLife(this),
                RuntimeThreadBinding::unbindForLife, timeDriver), RuntimeThreadBinding::unbindForLife, contextCarrier);
        this.shutdown = new ShutdownOnce(this, scheduler, blocking, settings);
        scheduler.onHandOver(blocking::afterBlockInPlace);
        scheduler.start();
        this.diagnostics = new RuntimeDiagnostics(scheduler, timeDriver, ioDriver, blocking, builder.stallThreshold(),
                builder.threadNamePrefix());
    }

    /** This runtime's time driver, for its threads' binding. */
    TimeDriver timeDriver() {
        return timeDriver;
    }

    /** This runtime's I/O driver, for its threads' binding; null when built with {@code enableIo(false)}. */
    IoDriver ioDriver() {
        return ioDriver;
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
        AsyncRuntime runtime = RuntimeThreadBinding.current();
        if (runtime == null) {
            throw new IllegalStateException("AsyncRuntime.current() was called on thread \""
                    + Thread.currentThread().getName() + "\", which is not running an async-runtime task");
        }
        return runtime;
    }

    /** The runtime of the calling thread, if it has one (see {@link #current()}). */
    public static Optional<AsyncRuntime> tryCurrent() {
        return Optional.ofNullable(RuntimeThreadBinding.current());
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
        RuntimeThreadBinding.Previous previous = RuntimeThreadBinding.bindAround(this);
        try {
            return BlockOn.run(timeDriver.inhibitingAutoAdvanceWhilePolled(task), scheduler);
        } finally {
            RuntimeThreadBinding.restore(previous);
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

    // ---- diagnostics -------------------------------------------------------------------------

    /** A snapshot of the runtime's counters. */
    public RuntimeMetrics metrics() {
        return diagnostics.metrics();
    }

    /**
     * How many workers are stalled now: inside a poll the stall detector reported as longer than
     * the {@linkplain #stallThreshold() stall threshold}, which has not returned yet (seen up to a
     * quarter threshold late). 0 when detection is off.
     */
    public int ongoingStalls() {
        return diagnostics.ongoingStalls();
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
        return diagnostics.samplePolls(oneIn, listener);
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
        return diagnostics.recentStalls();
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
        return diagnostics.taskDump(maxTasks);
    }

    // ---- shutdown ----------------------------------------------------------------------------

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
        return shutdown.shutdownGracefully(deadline);
    }

    /**
     * {@link #shutdownGracefully} with the builder's {@link RuntimeBuilder#shutdownTimeout}, so
     * a runtime works in try-with-resources. Idempotent: once a shutdown has begun (by any
     * caller) it returns at once; called from one of its own tasks, it starts the shutdown and
     * returns at once.
     */
    @Override
    public void close() {
        if (shutdown.started()) {
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
        return shutdown.started();
    }

    /** Stops the stall detector, if it runs; for the shutdown, before the workers stop. */
    void stopStallDetector() {
        diagnostics.stopStallDetector();
    }

    /** The blocking half of a shutdown: see {@link RuntimeBlocking#shutdown}. */
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
}
