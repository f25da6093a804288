package io.asyncruntime;

import io.asyncruntime.internal.scheduler.BlockOn;
import io.asyncruntime.internal.scheduler.Scheduler;
import io.asyncruntime.internal.scheduler.SchedulerMetrics;
import io.asyncruntime.internal.scheduler.ThreadParkDriver;
import io.asyncruntime.internal.time.TimeDriver;
import io.asyncruntime.internal.time.TimerMetrics;
import io.asyncruntime.task.JoinHandle;
import io.asyncruntime.task.Priority;
import io.asyncruntime.task.Task;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;

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
 * the lane of the task that spawns them, or NORMAL from outside. Thread-safe.
 */
public final class AsyncRuntime implements AutoCloseable {

    private static final ThreadLocal<AsyncRuntime> CURRENT = new ThreadLocal<>();

    private final Scheduler scheduler;
    private final RuntimeBuilder settings;
    private final TimeDriver timeDriver;

    AsyncRuntime(RuntimeBuilder builder) {
        this.settings = builder;
        this.timeDriver = new TimeDriver(new ThreadParkDriver(), builder.clock(), builder.eventIntervalTicks());
        this.scheduler = new Scheduler(
                builder.schedulerConfig(this::bindThread, AsyncRuntime::unbindThread),
                timeDriver);
        scheduler.start();
    }

    private void bindThread() {
        CURRENT.set(this);
        TimeDriver.bind(timeDriver);
    }

    private static void unbindThread() {
        CURRENT.remove();
        TimeDriver.unbind();
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
    public <T> JoinHandle<T> spawn(Task<T> task) {
        return scheduler.spawn(task, null, null);
    }

    /** Spawns {@code task} into the given lane. */
    public <T> JoinHandle<T> spawn(Task<T> task, Priority priority) {
        return scheduler.spawn(task, requirePriority(priority), null);
    }

    /** Spawns {@code task} into the given lane, named for logs, metrics and task dumps. */
    public <T> JoinHandle<T> spawn(Task<T> task, Priority priority, String name) {
        return scheduler.spawn(task, requirePriority(priority), name);
    }

    /** Spawns a callable as a task that runs it in one poll. */
    public <T> JoinHandle<T> spawn(Callable<T> callable) {
        return scheduler.spawn(callable, null, null);
    }

    /** Spawns a callable into the given lane. */
    public <T> JoinHandle<T> spawn(Callable<T> callable, Priority priority) {
        return scheduler.spawn(callable, requirePriority(priority), null);
    }

    /** Spawns a runnable as a task that runs it in one poll; the handle's value is {@code null}. */
    public JoinHandle<Void> spawn(Runnable runnable) {
        return scheduler.spawn(runnable, null, null);
    }

    /** Spawns a runnable into the given lane. */
    public JoinHandle<Void> spawn(Runnable runnable, Priority priority) {
        return scheduler.spawn(runnable, requirePriority(priority), null);
    }

    /**
     * Runs {@code task} to completion on the calling thread and returns its value; tasks it spawns
     * run on the workers. A failure is rethrown: unchecked ones as themselves, checked ones in a
     * {@link java.util.concurrent.CompletionException}; cancellation as
     * {@link io.asyncruntime.task.TaskCancelledException}.
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
        try {
            return BlockOn.run(timeDriver.inhibitingAutoAdvanceWhilePolled(task));
        } finally {
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
                timers.fired(), timers.cancelled(), timers.timerWakeups(), List.copyOf(perWorker));
    }

    /**
     * Shuts the runtime down: no new spawns (they throw {@link IllegalStateException}), queued
     * tasks complete as cancelled, workers stop within the builder's shutdown timeout. Idempotent.
     * Called from one of its own tasks, it stops the other workers and returns at once.
     */
    @Override
    public void close() {
        if (!scheduler.isClosed()) {
            scheduler.shutdown(settings.shutdownTimeout());
        }
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
