package io.asyncruntime.internal.scheduler;

import io.asyncruntime.task.Priority;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One worker of the multi-thread scheduler: its run loop and its queues. The context of the poll
 * it runs is a {@link PollContext}.
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
 * <p>Only the thread running the worker touches its fields, except {@link #local} (thieves steal
 * from it), {@link #parker} (anyone unparks it), {@link #counters} (read by metrics), and what the
 * stall detector and thieves of a stalled worker use: the poll stamp, the stall mark and the LIFO
 * slot (see "Long polls" below).
 *
 * <h2>Long polls</h2>
 * A task that blocks inside its poll keeps its worker from everything else. Three things keep the
 * rest of the runtime moving:
 * <ul>
 *   <li><b>The poll stamp.</b> Each poll publishes a new {@link #pollStamp} (its tick) with one
 *       opaque store, and parking publishes {@code PARKED}; the stall detector, on its own thread,
 *       reads the stamps and calls a stamp that stays put for the stall threshold a stall. Opaque is
 *       the weakest mode that still makes the store visible to the detector eventually, and on x86
 *       it is a plain move: no fence on the poll path.</li>
 *   <li><b>The LIFO slot is stealable while its worker is stalled.</b> The slot is written and
 *       taken with atomic exchanges ({@link #LIFO_SLOT}), so a thief may take it with the same
 *       exchange and a task is never taken twice; thieves only look at workers the detector marked
 *       ({@link #stalledStamp} equal to the current poll stamp), so a healthy worker's slot keeps
 *       its locality (Tokio stole from every LIFO slot in 1.51 and reverted it for the regression,
 *       tokio#8065). A marked worker's own wakes go to its ring, which thieves take anyway.</li>
 *   <li><b>The driver is never held by a poll.</b> A worker holds the driver only inside
 *       {@code Scheduler.parkWorker} or {@code turnDriverWithoutBlocking}, and polls no task there
 *       (the tasks a turn wakes are queued, see {@link #turningDriver}), so a stalled worker, and
 *       one in {@code blockInPlace}, cannot be holding it: there is nothing to hand over or
 *       release. What can happen is that nobody attends it: a worker that parks while another
 *       holds the driver parks on its own parker, and the holder then leaves the driver to run
 *       what the turn woke. Leaving it wakes a peer only when it holds more than one task (the
 *       I/O driver's rule, {@link #notifyIfOthersCouldHelp}: a futex wake per socket event cost
 *       the echo benchmark dearly), so if that one task blocks, the driver is unattended. Three
 *       things bring a sleeper to it: any spawn or wake the blocking task makes before it
 *       blocks (a push to the ring notifies a peer); after each non-blocking turn, a worker that
 *       finds the driver free wakes a sleeper ({@code Scheduler.wakeASleeperIfTheDriverIsUnattended},
 *       one volatile read per event interval), which finds nothing to run and parks in the free
 *       driver; and the stall detector, which asks for the same wake once a poll has lasted one
 *       sampling period (a quarter of the stall threshold), then again each period. So timers
 *       and I/O keep firing while one worker is stuck: StallDetectionTest measures a 10 ms timer
 *       during a 2 s stall. With the detector turned off, a task that blocks right after a driver
 *       turn without spawning or waking anything can hold timers up until it returns, as in
 *       Tokio (tokio#4730).</li>
 * </ul>
 * {@code blockInPlace} goes further: {@link #handOver} gives the worker (queues, LIFO slot, run
 * loop, and with it its turn at the driver) to a new thread and the poll finishes on the old one.
 */
final class Worker implements Runnable {

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
    /** The poll stamp of a parked worker (and of one that has not polled yet). */
    static final long PARKED = io.asyncruntime.internal.metrics.StallTarget.PARKED;
    /** The stall mark of a worker the stall detector has not marked. */
    private static final long NOT_STALLED = -2;

    private static final VarHandle LIFO_SLOT;
    private static final VarHandle POLL_STAMP;

    static {
        try {
            MethodHandles.Lookup lookup = MethodHandles.lookup();
            LIFO_SLOT = lookup.findVarHandle(Worker.class, "lifoSlot", ScheduledTask.class);
            POLL_STAMP = lookup.findVarHandle(Worker.class, "pollStamp", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    final Scheduler scheduler;
    final int index;
    final LocalQueue[] local = new LocalQueue[Priority.COUNT];
    final Parker parker;
    final WorkerCounters counters = new WorkerCounters();
    private final SchedulerConfig config;

    /** Through {@link #LIFO_SLOT} only: exchanges, so a thief of a stalled worker can take it too. */
    @SuppressWarnings("unused")
    private ScheduledTask lifoSlot;
    /** Through {@link #POLL_STAMP}: written (opaque) by this worker's thread, read by the stall detector. */
    @SuppressWarnings("unused")
    private long pollStamp = PARKED;
    /** The stamp of the poll the stall detector found stalled; a stall ends when the stamp moves on. */
    private volatile long stalledStamp = NOT_STALLED;
    /** The thread running this worker now; a new one after {@link #handOver}. */
    volatile WorkerThread thread;
    /** The context of this worker's polls; a new one after {@link #handOver}. */
    private PollContext context = new PollContext(this);
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
     * Whether this worker is turning the driver (parked in it, or in a busy turn): the tasks the
     * driver wakes go to this worker's ring without waking a peer each, and once the turn is over
     * the worker wakes one peer if it holds more than one task (Tokio defers notifications while
     * its core is out in the driver, then applies {@code should_notify_others} the same way). One
     * ready socket then costs no futex wake and no steal: on the TCP echo benchmark a wake per
     * event woke the idle peer, which stole the task while the driver, back in select, saw the
     * still-unread data again.
     */
    private boolean turningDriver;

    /**
     * The thread's context class loader when the worker started: restored after any poll that
     * changed it, so one task's loader never leaks into the next (ThreadPoolExecutor users rely
     * on a pool thread's state being its own, not the previous task's).
     */
    private ClassLoader startContextClassLoader;

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
        boolean handedOver = false;
        try {
            while (!scheduler.isClosed()) {
                if (!tick()) {
                    handedOver = true; // blockInPlace gave this worker to another thread: hands off
                    return;
                }
            }
        } finally {
            if (!handedOver) {
                publishCounters();
                try {
                    cancelQueuedOnShutdown();
                } finally {
                    config.onThreadStop().run();
                }
            }
        }
    }

    /**
     * One turn of the run loop. A method of its own, not the loop body: {@code run()} never
     * returns, so the JIT could only compile it on-stack; this it compiles normally (measured on
     * JDK 17: throughput kept climbing for ~4 s of a benchmark fork with the body inline).
     * Returns false when a poll handed the worker over to another thread ({@link #handOver}).
     */
    private boolean tick() {
        if (--ticksToEvent == 0) {
            ticksToEvent = config.eventInterval();
            publishCounters();
            turningDriver = true;
            try {
                scheduler.turnDriverWithoutBlocking();
            } finally {
                turningDriver = false;
            }
            if (!notifyIfOthersCouldHelp()) {
                scheduler.wakeASleeperIfTheDriverIsUnattended(index);
            }
        }
        ScheduledTask task = nextTask();
        if (task == null) {
            task = steal();
        }
        if (task == null && searching) {
            task = spinForWork();
        }
        if (task != null) {
            return runTask(task);
        }
        park();
        return true;
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
            ScheduledTask higher = stealLaneAboveLocalWork();
            if (higher != null) {
                return higher;
            }
        }
        ScheduledTask owed = pollLaneOwedItsShare();
        if (owed != null) {
            return owed;
        }
        ScheduledTask fromSlot = takeLifoSlot();
        if (fromSlot != null) {
            return fromSlot;
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

    /**
     * Lanes are served runtime-wide, not only per worker: a worker whose best local work is in a
     * lower lane than work queued on another worker's ring takes half of that ring, once per
     * global-queue interval (a bounded cost: one look at each other worker's rings of the higher
     * lanes). Without it a worker whose ring happens to hold only NORMAL tasks runs them at full
     * speed while another worker's ring of HIGH tasks gets one core: measured as a NORMAL share of
     * 0.6 with 8 HIGH and 8 NORMAL yielding tasks on 2 workers (PriorityLanesTest), instead of the
     * configured 0.25. Returns null when no higher lane has work elsewhere.
     */
    private ScheduledTask stealLaneAboveLocalWork() {
        ScheduledTask inSlot = (ScheduledTask) LIFO_SLOT.getOpaque(this);
        int best = inSlot != null ? inSlot.lane() : Priority.COUNT;
        for (int lane = 0; lane < best; lane++) {
            if (!local[lane].isEmpty()) {
                best = lane;
                break;
            }
        }
        if (best == Priority.COUNT) {
            return null; // no local work at all: the idle search (with its throttle) takes over
        }
        for (int lane = 0; lane < best; lane++) {
            ScheduledTask task = stealFromLane(lane);
            if (task != null) {
                return task;
            }
        }
        return null;
    }

    /** The idle search: lane by lane from HIGH, steal half a victim's ring, else the inject queue. */
    private ScheduledTask steal() {
        if (!searching) {
            if (!scheduler.idle().tryStartSearching()) {
                return null;
            }
            searching = true;
        }
        if (scheduler.hasStalledWorkers()) {
            ScheduledTask task = stealFromStalledLifoSlot();
            if (task != null) {
                return task;
            }
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

    /**
     * Takes the task in the LIFO slot of a worker the stall detector marked, if one has any: it
     * was woken to run right after a poll that has not ended for the stall threshold. First, since
     * it is the most overdue task there is.
     */
    private ScheduledTask stealFromStalledLifoSlot() {
        for (Worker victim : scheduler.workers()) {
            if (victim != this && victim.isStalled()) {
                ScheduledTask task = (ScheduledTask) LIFO_SLOT.getAndSet(victim, null);
                if (task != null) {
                    counters.increment(WorkerCounters.STEAL_OPERATIONS);
                    counters.add(WorkerCounters.STEALS, 1);
                    return task;
                }
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

    /** Runs {@code task} and what it put in the LIFO slot; false if a poll handed the worker over. */
    private boolean runTask(ScheduledTask task) {
        if (searching) {
            searching = false;
            if (scheduler.idle().stopSearching()) {
                // The last searcher found work: wake another so the search goes on (ramp-up).
                scheduler.notifyParkedLocal(index);
            }
        }
        PollContext cx = context;
        cx.budget = BUDGET_PER_POLL;
        if (!pollOne(task, cx)) {
            return false;
        }
        int lifoPolls = 0;
        for (;;) {
            ScheduledTask next = takeLifoSlot();
            if (next == null) {
                return true;
            }
            if (cx.budget <= 0 || lifoPolls >= config.maxLifoPolls()) {
                // Cap reached: the slot task goes to the back of the ring. No notification: this
                // worker takes from the ring next, and it is still stealable.
                pushLocal(next, false);
                return true;
            }
            lifoPolls++;
            counters.increment(WorkerCounters.LIFO_HITS);
            if (!pollOne(next, cx)) {
                return false;
            }
        }
    }

    /**
     * Polls {@code task} once with {@code cx}, publishing a new poll stamp first. Returns false if
     * the poll handed this worker over to another thread ({@link #handOver}): from then on this
     * thread must not touch the worker, so nothing after the poll runs here.
     */
    private boolean pollOne(ScheduledTask task, PollContext cx) {
        unpublishedPolls++;
        recordServed(task.lane());
        // Unsigned: the int tick wraps, and a stamp of -1 would read as PARKED (a poll the detector
        // could never report).
        POLL_STAMP.setOpaque(this, Integer.toUnsignedLong(tick));
        try {
            task.run(cx);
        } catch (Throwable bug) {
            // TaskCell.run catches everything a task throws; reaching here is a runtime bug.
            cx.cell = null;
            log.error("async-runtime worker {} caught an internal error; the worker goes on", index, bug);
        }
        if (cx.isHandedOver()) {
            return false;
        }
        resetThreadState();
        return true;
    }

    /** The LIFO slot's task, taken; null if empty (or a thief of a stalled worker took it). */
    private ScheduledTask takeLifoSlot() {
        if (LIFO_SLOT.getOpaque(this) == null) {
            return null;                     // the common case: no exchange
        }
        return (ScheduledTask) LIFO_SLOT.getAndSet(this, null);
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
        PollContext cx = context;
        if (!isYield && config.lifoSlot() && cx.cell != null && task.lane() <= cx.lane && !isStalledByItself()) {
            ScheduledTask previous = (ScheduledTask) LIFO_SLOT.getAndSet(this, task);
            if (previous == null) {
                return; // it runs right after this poll; nothing for other workers to do
            }
            task = previous;
        }
        pushLocal(task, !turningDriver);
    }

    /**
     * After a driver turn: wake a peer if this worker holds more than the one task it runs next;
     * whether it tried.
     */
    private boolean notifyIfOthersCouldHelp() {
        if (!searching && localTaskCount() > 1) {
            scheduler.notifyParkedLocal(index);
            return true;
        }
        return false;
    }

    private int localTaskCount() {
        int count = hasTaskInLifoSlot() ? 1 : 0;
        for (LocalQueue queue : local) {
            count += queue.len();
        }
        return count;
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
        if (hasTaskInLifoSlot()) {
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
        POLL_STAMP.setOpaque(this, PARKED);
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
            turningDriver = true;
            try {
                scheduler.parkWorker(this);
            } finally {
                turningDriver = false;
            }
            if (scheduler.isClosed()) {
                idle.unparkSelf(index);
                break;
            }
            if (hasLocalWork()) {
                // The driver woke tasks into our ring while we held it.
                if (!idle.unparkSelf(index)) {
                    searching = true; // a notifier claimed us meanwhile and counted us searching
                }
                notifyIfOthersCouldHelp();
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
        ScheduledTask inSlot = (ScheduledTask) LIFO_SLOT.getAndSet(this, null);
        if (inSlot != null) {
            CompletionCascade.cancelAfterShutdown(inSlot);
        }
        for (LocalQueue queue : local) {
            for (ScheduledTask task = queue.pop(); task != null; task = queue.pop()) {
                CompletionCascade.cancelAfterShutdown(task);
            }
        }
        scheduler.cancelInjected();
    }

    /**
     * Takes the task in the LIFO slot from another thread: for a shutdown whose join of this
     * worker timed out (its thread is stuck in one poll), so that the task is cancelled now rather
     * than when that poll returns. An exchange, as a thief of a stalled worker takes the slot
     * (see the class comment), so the worker's own take of it cannot also get the task.
     */
    ScheduledTask takeLifoSlotForShutdown() {
        return (ScheduledTask) LIFO_SLOT.getAndSet(this, null);
    }

    /** A task of this worker's poll that returned pending while woken or yielding: back of the ring. */
    void requeue(ScheduledTask task) {
        if (scheduler.isClosed()) {
            CompletionCascade.cancelAfterShutdown(task);
            return;
        }
        pushLocal(task, true);
    }

    /** The cell this worker is polling, or null between polls. Worker thread only. */
    TaskCell<?> polling() {
        return context.cell;
    }

    /** The lane of the task this worker is polling, or -1 between polls. */
    int currentLane() {
        PollContext cx = context;
        return cx.cell != null ? cx.lane : -1;
    }

    // ---- long polls: the stall detector's view, blockInPlace ----------------------------------

    /** The poll stamp (see the class comment); any thread. */
    long pollStamp() {
        return (long) POLL_STAMP.getOpaque(this);
    }

    /**
     * The name of the task this worker is polling, or null between polls. Read from the stall
     * detector's thread: racy by design (a reference read is atomic, and a name is immutable), for
     * a log line about a poll that has not changed for the stall threshold.
     */
    String pollingTaskName() {
        TaskCell<?> cell = context.cell;
        return cell != null ? cell.name() : null;
    }

    /** The stall detector found the poll with {@code stamp} stalled. */
    void markStalled(long stamp) {
        stalledStamp = stamp;
    }

    /** Ends the mark of {@link #markStalled} (the marked poll ended), so a tick that comes round again is not marked. */
    void clearStallMark() {
        stalledStamp = NOT_STALLED;
    }

    /** Whether the LIFO slot holds a task; any thread. */
    boolean hasTaskInLifoSlot() {
        return LIFO_SLOT.getOpaque(this) != null;
    }

    /** Whether the detector marked this worker's current poll stalled; any thread. */
    boolean isStalled() {
        long stamp = pollStamp();
        return stamp != PARKED && stamp == stalledStamp;
    }

    /** {@link #isStalled()} from the worker's own thread: its own stamp needs no opaque read. */
    private boolean isStalledByItself() {
        return stalledStamp == tick;
    }

    /**
     * {@code blockInPlace}, on this worker's thread {@code self}, inside a poll: gives the worker
     * (queues, LIFO slot, run loop, its turn at the driver, its context) to a new thread and leaves
     * the poll in progress to finish on {@code self}, which is no longer a worker: its spawns and
     * wakes go through the inject queue, and when the poll returns its run loop unwinds
     * ({@link #pollOne}) and the thread becomes a blocking-pool thread. The hand-off is published
     * by {@link Thread#start()}: everything this thread wrote to the worker happens-before the
     * replacement reads it, and nothing is written after.
     *
     * @throws IllegalStateException if no thread could be started (the worker stays with {@code self})
     */
    void handOver(WorkerThread self) {
        PollContext poll = context;
        poll.handOver();
        context = new PollContext(this);
        publishCounters();
        counters.add(WorkerCounters.BUSY_NANOS, System.nanoTime() - busySince);
        WorkerThread replacement = WorkerThread.replacement(this, self.getName(), startContextClassLoader);
        self.leaveWorker(poll, startContextClassLoader);
        thread = replacement;
        parker.bind(replacement);
        try {
            replacement.start();
        } catch (RuntimeException | Error failure) { // typically "unable to create native thread"
            parker.bind(self);
            thread = self;
            self.rejoinWorker(this);
            context = poll;
            poll.takeBack();
            busySince = System.nanoTime();
            throw new IllegalStateException("blockInPlace could not start a thread to take over worker "
                    + self.getName() + ": " + failure, failure);
        }
    }
}
