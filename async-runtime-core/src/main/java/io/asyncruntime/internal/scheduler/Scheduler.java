package io.asyncruntime.internal.scheduler;

import io.asyncruntime.task.JoinHandle;
import io.asyncruntime.task.Priority;
import io.asyncruntime.task.Task;
import java.lang.invoke.VarHandle;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * The multi-thread work-stealing scheduler: N workers with per-lane local rings, one inject queue
 * per lane for tasks spawned from outside, the idle set, and the driver the parked worker drives.
 *
 * <p>No lost wake-ups (the Dekker pattern of ARCHITECTURE.md): whoever makes work available
 * pushes it, issues a full fence, then reads the idle state ({@link #notifyParked}); the last
 * searching worker to park updates the idle state, issues a full fence, then re-checks every queue
 * ({@code WorkerPark.notifyIfWorkPending}). Either the spawner sees the parking worker and wakes it, or the
 * worker sees the work. Acquire/release alone would allow both to miss.
 *
 * <p>Shutdown ({@link #shutdown}) sets the flag the spawn and wake paths read here; its steps
 * (waking {@code blockOn} calls, joining the workers, cancelling what is still queued, shutting
 * the driver down) are {@link SchedulerShutdown}'s, whose class comment says which handles it
 * completes. Tasks idle on anything else (another handle, a stage) are the live-task registry's
 * to abort.
 */
public final class Scheduler extends HeadPadding implements CellScheduler {

    /** Why a task the runtime will not run again (queued, or woken after shutdown) was cancelled. */
    static final String SHUTDOWN_CANCELLATION = "cancelled: the runtime shut down before it finished";

    private final Worker[] workers;
    private final InjectQueue[] inject = new InjectQueue[Priority.COUNT];
    private final Idle idle;
    /** The driver and who holds it: parks, non-blocking turns, the driver's end at shutdown. */
    private final SharedDriver sharedDriver;
    /** Every live spawned task, for graceful shutdown and task dumps. */
    private final TaskRegistry registry;
    private volatile boolean shutdown;
    /** Stops the workers, wakes the {@code blockOn} calls, shuts the driver down (see {@link #shutdown}). */
    private final SchedulerShutdown shutdownSide;
    /**
     * Completions that happen off the workers (inline aborts). Spawns off the workers are counted
     * by their inject queues' spawn words ({@link #remoteSpawns()}).
     */
    private final LongAdder remoteCompletions = new LongAdder();
    /** Workers the stall detector marked and whose stall has not ended; thieves look at their LIFO slots. */
    private final AtomicInteger stalledWorkers = new AtomicInteger();
    /** Errors a worker's run loop caught outside any poll (see {@code Worker.survive}). */
    private final AtomicLong workerLoopErrors = new AtomicLong();
    /** Poll-time and schedule-latency sampling; initialised here, before the workers that use it. */
    private final PollSampler sampler = new PollSampler();
    /** Run by a thread that handed its worker over, once it is out of the run loop (see {@link #afterHandOver}). */
    private volatile Runnable afterHandOver = () -> { };
    /** The stack size requested for worker threads and their blockInPlace replacements; 0 for the JVM's default. */
    private final long workerStackSize;
    /** Spawns from threads that run no worker, and the heartbeat-kept clock they trust. */
    private final OutsideSpawns outside;

    public Scheduler(SchedulerConfig config, Driver driver) {
        this.workerStackSize = config.workerStackSize();
        this.idle = new Idle(config.workers());
        for (int lane = 0; lane < inject.length; lane++) {
            inject[lane] = new InjectQueue();
        }
        this.workers = new Worker[config.workers()];
        for (int i = 0; i < workers.length; i++) {
            workers[i] = new Worker(this, i, config, driver);
            workers[i].thread = new WorkerThread(workers[i], config.threadNamePrefix() + i, config.workerStackSize());
        }
        this.registry = new TaskRegistry(this, config.workers());
        registry.refreshClock();
        this.outside = new OutsideSpawns(this, registry, idle, sampler, inject);
        this.sharedDriver = new SharedDriver(this, driver, registry);
        this.shutdownSide = new SchedulerShutdown(this, workers, driver);
    }

    /**
     * Tells the scheduler that something calls {@code registry().refreshClock()} every
     * {@code periodNanos} from a thread of its own (the stall detector's heartbeat, see
     * {@code StallTarget.heartbeat}). If that period is at most two stamp units (~33.6 ms, the
     * default stall threshold's 25 ms is), a task's stamps lag the real clock by the period
     * plus a unit plus the detector thread's own scheduling delay, whoever spawns it, and spawns
     * from outside stop reading the real clock.
     * Until the first {@link OutsideSpawns#heartbeat}, and whenever the beats pause ({@link OutsideSpawns#heartbeatPausing}),
     * spawns from outside read the clock as without one. Call before the scheduler is handed to
     * other threads.
     */
    public void clockKeptByHeartbeat(long periodNanos) {
        outside.clockKeptByHeartbeat(periodNanos);
    }

    /** Spawns from outside and the heartbeat-kept clock (the stall detector's heartbeat calls it). */
    OutsideSpawns outside() {
        return outside;
    }

    /** The stack size requested for worker threads, in bytes; 0 for the JVM's default. */
    long workerStackSize() {
        return workerStackSize;
    }

    /** Starts the worker threads. */
    public void start() {
        for (Worker worker : workers) {
            worker.thread.start();
        }
    }

    // ---- spawning and scheduling ----------------------------------------------------------

    /**
     * Spawns a task and returns its handle (the cell itself). Without an explicit priority a task
     * spawned from a running task inherits its lane; from outside it is NORMAL.
     */
    public <T> JoinHandle<T> spawn(Task<T> task, Priority priority, String name) {
        if (task == null) {
            throw new NullPointerException("task must not be null");
        }
        return spawnBody(task, TaskCell.TASK, priority, name);
    }

    /** Spawns a runnable without an adapter object: the cell runs it in one poll. */
    public JoinHandle<Void> spawn(Runnable runnable, Priority priority, String name) {
        if (runnable == null) {
            throw new NullPointerException("runnable must not be null");
        }
        return spawnBody(runnable, TaskCell.RUNNABLE, priority, name);
    }

    /** Spawns a callable without an adapter object: the cell calls it in one poll. */
    public <T> JoinHandle<T> spawn(Callable<T> callable, Priority priority, String name) {
        if (callable == null) {
            throw new NullPointerException("callable must not be null");
        }
        return spawnBody(callable, TaskCell.CALLABLE, priority, name);
    }

    private <T> JoinHandle<T> spawnBody(Object body, int kind, Priority priority, String name) {
        if (shutdown) {
            throw new IllegalStateException("this async-runtime is closed: it accepts no new tasks");
        }
        Worker worker = currentWorker();
        if (worker == null) {
            return outside.spawn(body, kind, priority, name);
        }
        Priority lane = priority;
        if (lane == null) {
            lane = inheritedLane(worker, null);
        }
        TaskShard shard = registry.shardFor(worker);
        TaskCell<T> cell = TaskCell.create(shard, body, kind, lane, name);
        // Counted, or refused (throws: nothing is queued); linked only if a poll returns pending (LazyLink).
        shard.admit(cell);
        worker.counters.increment(WorkerCounters.SPAWNS);
        worker.sampling.onSchedule(cell);
        worker.schedule(cell, false);
        return cell;
    }

    /**
     * The lane a spawn without a priority inherits: the lane of the task the calling thread is
     * polling, on its {@code worker} or inside {@code blockInPlace} (the poll it
     * {@code handedOver}); NORMAL from anywhere else.
     */
    static Priority inheritedLane(Worker worker, PollContext handedOver) {
        int lane = worker != null ? worker.currentLane() : handedOver != null ? handedOver.lane : -1;
        return lane >= 0 ? Priority.ofLane(lane) : Priority.NORMAL;
    }

    /** Queues a cell whose state just became NOTIFIED (a wake, a yield, or a spawn). */
    @Override
    public void schedule(ScheduledTask task, boolean isYield) {
        if (shutdown) {
            // Through the trampoline: a cancel can wake another task, cancelled here in turn.
            CompletionCascade.cancelAfterShutdown(task);
            return;
        }
        Worker worker = currentWorker();
        if (worker != null) {
            worker.sampling.onSchedule(task);
            worker.schedule(task, isYield);
        } else {
            scheduleRemote(task);
        }
    }

    private void scheduleRemote(ScheduledTask task) {
        sampler.onRemoteSchedule(task);
        inject[task.lane()].push(task);
        notifyParked(); // its full fence orders the push before the read of shutdown below
        if (shutdown) {
            shutdownSide.cancelInjected(); // raced with close(): make sure nothing stays queued forever
        }
    }

    /**
     * Whether worker {@code index} has published that it parks (racy: it may be waking; the
     * registry's sweeps use it only to pick which shards to look at, under their locks).
     */
    boolean isWorkerParked(int index) {
        return workers[index].handOver.pollStamp() == WorkerHandOver.PARKED;
    }

    /** The current thread's worker if it is one of this scheduler's, else null. */
    Worker currentWorker() {
        if (Thread.currentThread() instanceof WorkerThread thread) {
            Worker worker = thread.worker;
            if (worker != null && worker.scheduler == this) {
                return worker;
            }
        }
        return null;
    }

    /**
     * Whether the calling thread is running one of this scheduler's tasks, or could be: it runs
     * one of its workers, or it is inside {@code blockInPlace} in the poll of one of its tasks.
     * A shutdown called from such a thread cannot wait for the tasks to finish (it is one of
     * them, or runs them).
     */
    public boolean isOwnTaskThread() {
        if (currentWorker() != null) {
            return true;
        }
        // Until the run loop unwinds, not only while the poll runs: the completion of the task
        // that called blockInPlace is delivered on this thread after the poll (review9b).
        return Thread.currentThread() instanceof WorkerThread thread && thread.handedOverPollUntilUnwound() != null
                && thread.handedOverPollUntilUnwound().scheduler() == this;
    }

    /**
     * Whether the calling thread runs a worker of any scheduler (a thread that handed its worker
     * over with {@code blockInPlace} no longer does).
     */
    public static boolean isAnyWorkerThread() {
        return Thread.currentThread() instanceof WorkerThread thread && thread.worker != null;
    }

    // ---- waking and parking -----------------------------------------------------------------

    /**
     * After pushing work where only parked workers could miss it (the inject queue): full fence,
     * then wake one parked worker if nobody is searching. The fence is the spawner's half of the
     * Dekker pattern; without it the spawner may read a stale "someone is searching" while that
     * worker, having just checked the queues, parks.
     */
    void notifyParked() {
        VarHandle.fullFence();
        // -1: the last searcher, already in the sleeper set, may pick itself (then its park returns).
        notifyParkedLocal(-1);
    }

    /**
     * After a worker pushed work on its own ring: wake one parked worker if nobody is searching,
     * without a fence of its own. Correctness does not need one here (the pushing worker is awake
     * and will run what it queued); only parallelism does. The pusher calls this only for a push
     * that made work appear, and fences first ({@code WorkerQueues.pushLocal}); the worker's
     * check after each event interval calls it unfenced, where a stale read is corrected an
     * interval later. So no fence and no call on a push into a ring that already held work.
     * {@code callerIndex} is the pushing worker (never picked, see {@link Idle#workerToNotify}).
     */
    void notifyParkedLocal(int callerIndex) {
        int index = idle.workerToNotify(callerIndex);
        if (index >= 0) {
            workers[index].parker.unpark();
        }
    }

    // ---- shutdown (the steps are SchedulerShutdown's) -------------------------------------------

    /**
     * Stops the workers: no new spawns, every queued task completes as cancelled, tasks waiting
     * on a timer and {@code blockOn} calls in progress are cancelled too, threads are joined up
     * to {@code timeout} (a worker stuck inside one poll is left behind and reported). Called
     * from a worker, it stops the others and returns without joining itself. See
     * {@link SchedulerShutdown}.
     */
    public void shutdown(Duration timeout) {
        shutdown = true;
        shutdownSide.stop(timeout);
    }

    /**
     * After {@link #shutdown}: waits until every completion the registry counted is published
     * (its handle done), up to {@code deadlineNanos}; returns the registry's counts at that point.
     * See {@link SchedulerShutdown#awaitCompletionsPublished}.
     */
    public long[] awaitCompletionsPublished(long deadlineNanos) {
        return shutdownSide.awaitCompletionsPublished(deadlineNanos);
    }

    /** The driver the workers share (parks, turns, and its shutdown). */
    SharedDriver sharedDriver() {
        return sharedDriver;
    }

    /** The shutdown's side of this scheduler: the {@code blockOn} calls to wake, the stop, the driver's end. */
    SchedulerShutdown shutdownSide() {
        return shutdownSide;
    }

    /** Whether {@link #shutdown} has been called. */
    public boolean isClosed() {
        return shutdown;
    }

    // ---- accessors for workers and metrics -----------------------------------------------------

    @Override
    public void taskCompleted() {
        Worker worker = currentWorker();
        if (worker != null) {
            worker.counters.increment(WorkerCounters.COMPLETIONS);
        } else {
            remoteCompletions.increment();
        }
    }

    InjectQueue inject(int lane) {
        return inject[lane];
    }

    /** The inject queues, one per lane (the registry counts the spawns from outside in them). */
    InjectQueue[] injectQueues() {
        return inject;
    }

    Idle idle() {
        return idle;
    }

    Worker[] workers() {
        return workers;
    }

    /** The live-task registry. */
    public TaskRegistry registry() {
        return registry;
    }

    /** Number of workers. */
    PollSampler sampler() {
        return sampler;
    }

    /**
     * Hands about one poll and one schedule in {@code oneIn} to {@code listener} (see
     * {@link PollSampler}) until {@link #stopSamplingPolls} with what this returns. Takes effect
     * on each worker within a few thousand polls.
     */
    public Object samplePolls(int oneIn, PollSampler.Listener listener) {
        return sampler.add(oneIn, listener);
    }

    /** Stops the sampling {@link #samplePolls} started; a second call does nothing. */
    public void stopSamplingPolls(Object subscription) {
        sampler.remove(subscription);
    }

    /** Counts an error a worker's run loop survived; returns the count so far. */
    long countWorkerLoopError() {
        return workerLoopErrors.incrementAndGet();
    }

    /** Errors the workers' run loops caught outside any task poll, since start. */
    public long workerLoopErrors() {
        return workerLoopErrors.get();
    }

    /**
     * Workers whose thread has ended while the runtime runs: an error escaped the run loop's own
     * recovery, or a worker's thread-start hook threw. Their queued tasks wait for the other
     * workers to steal them, but nothing polls their LIFO slot's task until a stall-style steal
     * takes it, and the worker is one fewer: a reason to restart the application. 0 once closed.
     */
    public int deadWorkers() {
        if (isClosed()) {
            return 0;
        }
        int dead = 0;
        for (Worker worker : workers) {
            if (worker.thread.getState() == Thread.State.TERMINATED) {
                dead++;
            }
        }
        return isClosed() ? 0 : dead; // a worker that ended because close() began is not dead
    }

    public int workerCount() {
        return workers.length;
    }

    /** A live view of the counters behind {@code RuntimeMetrics}. */
    public SchedulerMetrics metrics() {
        return new SchedulerMetrics(this);
    }

    /**
     * Tasks spawned from threads that run none of the workers: each is counted by the spawn word
     * of the inject queue it was pushed into (the CAS that queues it). A counter of its own cost
     * that spawn path one more atomic read-modify-write, ~10 ns of its ~70 on this box (JFR,
     * spawn_many_remote, reg10g).
     */
    long remoteSpawns() {
        return registry.remoteInserted();
    }

    long remoteCompletions() {
        return remoteCompletions.sum();
    }

    // ---- long polls (see WorkerHandOver's class comment, WorkerWatch and BlockInPlace) --------

    /** Whether any worker is marked stalled now: thieves then look at LIFO slots too. */
    boolean hasStalledWorkers() {
        return stalledWorkers.get() > 0;
    }

    /** How many workers are marked stalled now; the stall detector's marks count here (see {@link WorkerWatch}). */
    AtomicInteger stalledWorkers() {
        return stalledWorkers;
    }

    /**
     * Sets what a thread that handed its worker over ({@code blockInPlace}) does once its poll
     * returned: the runtime offers it to its blocking pool. Set before the workers start.
     */
    public void onHandOver(Runnable afterHandOver) {
        this.afterHandOver = afterHandOver;
    }

    void afterHandOver() {
        afterHandOver.run();
    }

}
