package io.asyncruntime.internal.scheduler;

import io.asyncruntime.task.Context;
import io.asyncruntime.task.Priority;
import io.asyncruntime.task.Waker;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One worker of the multi-thread scheduler: its run loop, its queues, and the {@link Context} of
 * the poll it is running.
 *
 * <p>Each tick the worker picks a task in this order: every {@code globalQueueInterval} ticks the
 * inject queue first (fairness for remote spawns); a lower lane whose guaranteed share is due;
 * otherwise the LIFO slot, then per lane from HIGH to BACKGROUND its local ring and the inject
 * queue; then it steals (at most half the workers search at once), lane by lane, half of a
 * victim's ring; then it parks, taking the driver if no other worker holds it. Every
 * {@code eventInterval} ticks it turns the driver without blocking, so timers fire even while
 * all workers are busy.
 *
 * <p>After a poll, a task the poll woke waits in the LIFO slot and runs next on the same budget
 * (message-passing locality), at most {@code maxLifoPolls} times in a row; then it goes to the
 * back of the ring so a ping-pong pair cannot monopolise the worker.
 *
 * <p>Only the worker's own thread touches its fields, except {@link #local} (thieves steal from
 * it), {@link #parker} (anyone unparks it) and {@link #counters} (read by metrics).
 */
final class Worker implements Runnable, Context, TaskPoller {

    private static final Logger log = LoggerFactory.getLogger(Worker.class);

    /** Cooperative budget per task poll, as in Tokio: 128 units "felt good" and cut tail latency. */
    static final int BUDGET_PER_POLL = 128;
    /**
     * How long a searching worker that found nothing keeps looking before it parks, in
     * {@code Thread.onSpinWait()} rounds (some tens of microseconds). Parking and unparking cost a
     * futex call each (microseconds); measured on spawn bursts (benchmarks' spawn_many_local) a
     * worker without this parked ~80 times per 10,000 spawns, and the spawner paid for every
     * unpark. While it spins the worker counts as searching, so spawners skip waking anyone.
     */
    private static final int SPINS_BEFORE_PARK = 1 << 10;
    /** Spin rounds between two looks at the queues while spinning. */
    private static final int SPINS_BETWEEN_LOOKS = 1 << 5;
    /** Most tasks moved from the inject queue into a local ring at once (half the ring). */
    private static final int MAX_INJECT_BATCH = LocalQueue.CAPACITY / 2;

    final Scheduler scheduler;
    final int index;
    final LocalQueue[] local = new LocalQueue[Priority.COUNT];
    final Parker parker;
    final WorkerCounters counters = new WorkerCounters();
    private final SchedulerConfig config;

    private ScheduledTask lifoSlot;
    /** Polls this worker has made; the lane shares are counted against it. */
    private int tick;
    /** Ticks left until the next non-blocking driver turn / inject-queue-first pick. */
    private int ticksToEvent;
    private int ticksToGlobalQueue;
    private boolean searching;
    /** The tick at which each lane was last served; only the lower lanes' entries are used. */
    private final int[] lastServed = new int[Priority.COUNT];
    /** Per lane, polls between guaranteed turns (0 for HIGH), from the configured shares. */
    private final int[] serviceInterval = new int[Priority.COUNT];
    private int randomState;
    private long busySince;
    /**
     * Polls and local schedules counted since the last {@link #publishCounters()}: plain fields
     * on the hot path, published every event interval, before spinning and before parking, so
     * metrics lag a busy worker by at most {@code eventInterval} polls (Tokio batches its worker
     * metrics the same way).
     */
    private long unpublishedPolls;
    private long unpublishedLocalSchedules;

    /**
     * The thread's context class loader when the worker started: restored after any poll that
     * changed it, so one task's loader never leaks into the next (ThreadPoolExecutor users rely
     * on a pool thread's state being its own, not the previous task's).
     */
    private ClassLoader startContextClassLoader;

    // The context of the poll in progress.
    private TaskCell<?> current;
    private int currentLane;
    private int budget;
    private boolean yieldRequested;

    Worker(Scheduler scheduler, int index, SchedulerConfig config, Driver driver) {
        this.scheduler = scheduler;
        this.index = index;
        this.config = config;
        this.parker = new Parker(driver);
        for (int lane = 0; lane < local.length; lane++) {
            local[lane] = new LocalQueue();
        }
        this.randomState = 0x9E3779B9 * (index + 1);
        for (int lane = 0; lane < Priority.COUNT; lane++) {
            serviceInterval[lane] = config.laneServiceInterval(lane);
        }
        this.ticksToEvent = config.eventInterval();
        this.ticksToGlobalQueue = config.globalQueueInterval();
    }

    @Override
    public void run() {
        parker.bind(Thread.currentThread());
        config.onThreadStart().run();
        startContextClassLoader = Thread.currentThread().getContextClassLoader();
        busySince = System.nanoTime();
        try {
            while (!scheduler.isClosed()) {
                tick();
            }
        } finally {
            publishCounters();
            try {
                cancelQueuedOnShutdown();
            } finally {
                config.onThreadStop().run();
            }
        }
    }

    /**
     * One turn of the run loop. A method of its own, not the loop body: {@code run()} never
     * returns, so the JIT could only compile it on-stack; this it compiles normally (measured on
     * JDK 17: throughput kept climbing for ~4 s of a benchmark fork with the body inline).
     */
    private void tick() {
        if (--ticksToEvent == 0) {
            ticksToEvent = config.eventInterval();
            publishCounters();
            scheduler.turnDriverWithoutBlocking();
        }
        ScheduledTask task = nextTask();
        if (task == null) {
            task = steal();
        }
        if (task == null && searching) {
            task = spinForWork();
        }
        if (task != null) {
            runTask(task);
        } else {
            park();
        }
    }

    // ---- choosing the next task --------------------------------------------------------------

    private ScheduledTask nextTask() {
        if (--ticksToGlobalQueue == 0) {
            ticksToGlobalQueue = config.globalQueueInterval();
            ScheduledTask remote = scheduler.popInjectByPriority();
            if (remote != null) {
                counters.increment(WorkerCounters.INJECT_POPS);
                return remote;
            }
        }
        ScheduledTask owed = pollLaneOwedItsShare();
        if (owed != null) {
            return owed;
        }
        if (lifoSlot != null) {
            ScheduledTask task = lifoSlot;
            lifoSlot = null;
            return task;
        }
        for (int lane = 0; lane < Priority.COUNT; lane++) {
            ScheduledTask task = popLane(lane);
            if (task != null) {
                return task;
            }
        }
        return null;
    }

    /**
     * A task from a lower lane whose guaranteed share is due on this poll, lowest lane first, or
     * null. The lane's work is looked for here, in the inject queue, and then in the other
     * workers' rings of that lane: the share holds runtime-wide even when all of a lane's tasks
     * sit on one busy worker. A due lane found empty everywhere starts its count again, so an idle
     * lane costs one check per interval rather than one per poll.
     */
    private ScheduledTask pollLaneOwedItsShare() {
        for (int lane = Priority.COUNT - 1; lane > 0; lane--) {
            if (tick - lastServed[lane] + 1 >= serviceInterval[lane]) {
                ScheduledTask task = popLane(lane);
                if (task == null) {
                    task = stealFromLane(lane);
                }
                if (task != null) {
                    return task;
                }
                lastServed[lane] = tick;
            }
        }
        return null;
    }

    private ScheduledTask popLane(int lane) {
        ScheduledTask task = local[lane].pop();
        if (task != null) {
            return task;
        }
        InjectQueue inject = scheduler.inject(lane);
        if (inject.isEmpty()) {
            return null;
        }
        int fairShare = inject.len() / scheduler.workerCount() + 1;
        int max = Math.min(Math.min(fairShare, local[lane].remainingSlots() + 1), MAX_INJECT_BATCH);
        task = inject.popBatchInto(local[lane], Math.max(1, max));
        if (task != null) {
            counters.increment(WorkerCounters.INJECT_POPS);
        }
        return task;
    }

    /** The idle search: lane by lane from HIGH, steal half a victim's ring, else the inject queue. */
    private ScheduledTask steal() {
        if (!searching) {
            if (!scheduler.idle().tryStartSearching()) {
                return null;
            }
            searching = true;
        }
        for (int lane = 0; lane < Priority.COUNT; lane++) {
            ScheduledTask task = stealFromLane(lane);
            if (task == null) {
                task = popLane(lane);
            }
            if (task != null) {
                return task;
            }
        }
        return null;
    }

    /** Steals half of one lane of some other worker's ring into ours, starting at a random victim. */
    private ScheduledTask stealFromLane(int lane) {
        Worker[] workers = scheduler.workers();
        int n = workers.length;
        int start = nextRandom(n);
        LocalQueue mine = local[lane];
        for (int i = 0; i < n; i++) {
            Worker victim = workers[(start + i) % n];
            if (victim == this) {
                continue;
            }
            int before = mine.len();
            ScheduledTask task = victim.local[lane].stealInto(mine);
            if (task != null) {
                counters.increment(WorkerCounters.STEAL_OPERATIONS);
                counters.add(WorkerCounters.STEALS, mine.len() - before + 1L);
                return task;
            }
        }
        return null;
    }

    /** Keeps searching for a short while before parking (see {@link #SPINS_BEFORE_PARK}). */
    private ScheduledTask spinForWork() {
        publishCounters();
        for (int spin = 1; spin <= SPINS_BEFORE_PARK; spin++) {
            Thread.onSpinWait();
            if ((spin & (SPINS_BETWEEN_LOOKS - 1)) == 0) {
                if (scheduler.isClosed()) {
                    return null;
                }
                ScheduledTask task = nextTask();
                if (task == null) {
                    task = steal();
                }
                if (task != null) {
                    return task;
                }
            }
        }
        return null;
    }

    private int nextRandom(int bound) {
        int x = randomState;
        x ^= x << 13;
        x ^= x >>> 17;
        x ^= x << 5;
        randomState = x;
        return (x & Integer.MAX_VALUE) % bound;
    }

    // ---- running -----------------------------------------------------------------------------

    private void runTask(ScheduledTask task) {
        if (searching) {
            searching = false;
            if (scheduler.idle().stopSearching()) {
                // The last searcher found work: wake another so the search goes on (ramp-up).
                scheduler.notifyParkedLocal(index);
            }
        }
        budget = BUDGET_PER_POLL;
        pollOne(task);
        int lifoPolls = 0;
        for (;;) {
            ScheduledTask next = lifoSlot;
            if (next == null) {
                return;
            }
            lifoSlot = null;
            if (budget <= 0 || lifoPolls >= config.maxLifoPolls()) {
                // Cap reached: the slot task goes to the back of the ring. No notification: this
                // worker takes from the ring next, and it is still stealable.
                pushLocal(next, false);
                return;
            }
            lifoPolls++;
            counters.increment(WorkerCounters.LIFO_HITS);
            pollOne(next);
        }
    }

    private void pollOne(ScheduledTask task) {
        unpublishedPolls++;
        recordServed(task.lane());
        try {
            task.run(this);
        } catch (Throwable bug) {
            // TaskCell.run catches everything a task throws; reaching here is a runtime bug.
            current = null;
            log.error("async-runtime worker {} caught an internal error; the worker goes on", index, bug);
        }
        resetThreadState();
    }

    /**
     * Undoes what a poll left on the thread, as ThreadPoolExecutor and ForkJoinPool do between
     * tasks: the interrupt flag (a task restoring an interrupt, or a FutureTask cancelled with
     * {@code cancel(true)} run inline) would otherwise be seen by the next task and make every
     * park of this worker return at once, a busy loop; and the context class loader. Two loads
     * when nothing changed: {@code Thread.interrupted()} is an intrinsic that writes only when
     * the flag is set, and the loader is compared before it is written.
     */
    private void resetThreadState() {
        Thread.interrupted();
        Thread self = Thread.currentThread();
        if (self.getContextClassLoader() != startContextClassLoader) {
            self.setContextClassLoader(startContextClassLoader);
        }
    }

    private void recordServed(int lane) {
        tick++;
        lastServed[lane] = tick;
    }

    // ---- scheduling from this worker ------------------------------------------------------

    /**
     * Queues a task woken or spawned on this worker. A non-yield wake during a poll goes to the
     * LIFO slot when the task's lane is at least as high as the running task's (so the slot never
     * lets a lower lane jump a higher one); whatever the slot held moves to the ring.
     */
    void schedule(ScheduledTask task, boolean isYield) {
        if (!isYield && config.lifoSlot() && current != null && task.lane() <= currentLane) {
            ScheduledTask previous = lifoSlot;
            lifoSlot = task;
            if (previous == null) {
                return; // it runs right after this poll; nothing for other workers to do
            }
            task = previous;
        }
        pushLocal(task, true);
    }

    private void pushLocal(ScheduledTask task, boolean notify) {
        int lane = task.lane();
        int moved = local[lane].pushBackOrOverflow(task, scheduler.inject(lane));
        if (moved > 0) {
            counters.increment(WorkerCounters.OVERFLOWS);
        }
        unpublishedLocalSchedules++;
        if (notify) {
            scheduler.notifyParkedLocal(index);
        }
    }

    boolean hasLocalWork() {
        if (lifoSlot != null) {
            return true;
        }
        for (LocalQueue queue : local) {
            if (!queue.isEmpty()) {
                return true;
            }
        }
        return false;
    }

    int localDepth(int lane) {
        return local[lane].len();
    }

    // ---- parking -----------------------------------------------------------------------------

    private void publishCounters() {
        if (unpublishedPolls != 0) {
            counters.add(WorkerCounters.POLLS, unpublishedPolls);
            unpublishedPolls = 0;
        }
        if (unpublishedLocalSchedules != 0) {
            counters.add(WorkerCounters.LOCAL_SCHEDULES, unpublishedLocalSchedules);
            unpublishedLocalSchedules = 0;
        }
    }

    private void park() {
        publishCounters();
        Idle idle = scheduler.idle();
        boolean lastSearcher = idle.transitionToParked(index, searching);
        searching = false;
        counters.add(WorkerCounters.BUSY_NANOS, System.nanoTime() - busySince);
        if (lastSearcher) {
            // The Dekker half on the worker side: state updated above (a locked RMW), full fence,
            // then re-check every queue; a spawner does push, full fence, read state.
            scheduler.notifyIfWorkPending();
        }
        if (idle.allParked()) {
            // Everyone is parked now: let the driver's holder re-check, so that it can see the
            // runtime is idle (a paused test clock then jumps to its next deadline).
            scheduler.wakeDriverHolder();
        }
        counters.increment(WorkerCounters.PARKS);
        for (;;) {
            scheduler.parkWorker(this);
            if (scheduler.isClosed()) {
                idle.unparkSelf(index);
                break;
            }
            if (hasLocalWork()) {
                // The driver woke tasks into our ring while we held it.
                if (!idle.unparkSelf(index)) {
                    searching = true; // a notifier claimed us meanwhile and counted us searching
                }
                scheduler.notifyParkedLocal(index);
                break;
            }
            if (!idle.isParked(index)) {
                searching = true; // woken by a notifier, which counted us as searching
                break;
            }
        }
        counters.increment(WorkerCounters.UNPARKS);
        busySince = System.nanoTime();
    }

    /**
     * The worker stops: what it queued is cancelled, and the inject queues are drained once more,
     * after its own last push there (a ring that overflowed just before the flag).
     */
    private void cancelQueuedOnShutdown() {
        if (lifoSlot != null) {
            ScheduledTask task = lifoSlot;
            lifoSlot = null;
            task.cancelQueued(Scheduler.SHUTDOWN_CANCELLATION);
        }
        for (LocalQueue queue : local) {
            for (ScheduledTask task = queue.pop(); task != null; task = queue.pop()) {
                task.cancelQueued(Scheduler.SHUTDOWN_CANCELLATION);
            }
        }
        scheduler.cancelInjected();
    }

    // ---- Context -----------------------------------------------------------------------------

    @Override
    public Context enter(TaskCell<?> cell) {
        current = cell;
        currentLane = cell.lane();
        yieldRequested = false;
        return this;
    }

    @Override
    public void requeue(ScheduledTask task) {
        if (scheduler.isClosed()) {
            task.cancelQueued(Scheduler.SHUTDOWN_CANCELLATION);
            return;
        }
        pushLocal(task, true);
    }

    @Override
    public void taskCompleted() {
        counters.increment(WorkerCounters.COMPLETIONS);
    }

    @Override
    public boolean leave() {
        current = null;
        boolean yielded = yieldRequested;
        yieldRequested = false;
        return yielded;
    }

    @Override
    public Waker waker() {
        TaskCell<?> cell = current;
        if (cell == null) {
            throw new IllegalStateException("Context.waker() used outside the poll it was passed to");
        }
        return cell;
    }

    @Override
    public boolean consumeBudget() {
        if (budget > 0) {
            budget--;
            return true;
        }
        yieldRequested = true;
        counters.increment(WorkerCounters.BUDGET_FORCED_YIELDS);
        return false;
    }

    @Override
    public void requestYield() {
        yieldRequested = true;
    }

    /** The cell this worker is polling, or null between polls. Worker thread only. */
    TaskCell<?> polling() {
        return current;
    }

    /** The lane of the task this worker is polling, or -1 between polls. */
    int currentLane() {
        return current != null ? currentLane : -1;
    }
}
