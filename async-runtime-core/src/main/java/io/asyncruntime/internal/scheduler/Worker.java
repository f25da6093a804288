package io.asyncruntime.internal.scheduler;

import java.util.concurrent.locks.LockSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One worker of the multi-thread scheduler: its run loop. Its queues (LIFO slot and per-lane
 * rings) are {@link WorkerQueues}, which it extends; the context of the poll it runs is a
 * {@link PollContext}.
 *
 * <p>Each tick the worker picks a task in this order: every {@code globalQueueInterval} ticks the
 * inject queue first (fairness for remote spawns); a lower lane whose guaranteed share is due;
 * otherwise the LIFO slot, then per lane from HIGH to BACKGROUND its local ring and the inject
 * queue; then it steals (at most half the workers search at once), lane by lane, half of a
 * victim's ring; then it parks, taking the driver if no other worker holds it. The pick is {@link WorkerPick}. Every
 * {@code eventInterval} ticks it turns the driver without blocking, so timers fire even while
 * all workers are busy. Parking and the driver turns are {@link WorkerPark}.
 *
 * <p>After a poll, a task the poll woke waits in the LIFO slot and runs next on the same budget
 * (message-passing locality), at most {@code maxLifoPolls} times in a row; then it goes to the
 * back of the ring so a ping-pong pair cannot monopolise the worker.
 *
 * <p>Only the thread running the worker touches its fields, except {@link #local} (thieves steal
 * from it), the LIFO slot (thieves of a stalled worker take it, through atomic exchanges),
 * {@link #parker} (anyone unparks it), {@link #counters} (read by metrics) and {@link #handOver}
 * (the poll stamp the stall detector reads and the stall mark it writes; see
 * {@link WorkerHandOver}, "Long polls", which also hands the worker over for
 * {@code blockInPlace}). Lane accounting and lane-wise stealing are {@link LaneShares}. The
 * split keeps the hot path as it was: the queues are inherited fields, the other two are reached
 * through final fields, and nothing allocates per poll.
 */
final class Worker extends WorkerQueues implements Runnable {

    private static final Logger log = LoggerFactory.getLogger(Worker.class);

    /** Cooperative budget per task poll, as in Tokio: 128 units "felt good" and cut tail latency. */
    static final int BUDGET_PER_POLL = 128;

    final Parker parker;
    /** The poll stamp, the stall mark and the hand-over (see {@link WorkerHandOver}). */
    final WorkerHandOver handOver = new WorkerHandOver(this);
    /** What this worker's park sweep left owed in a stuck worker's shard ({@link StuckShardWatch}); worker thread only. */
    final StuckShardWatch stuckShardWatch;
    /** Sampling of poll times and schedule latencies ({@link PollSampler}); worker thread only. */
    final WorkerSampling sampling;
    final SchedulerConfig config;
    final LaneShares shares;

    /** The thread running this worker now; a new one after a hand-over ({@link WorkerHandOver#toNewThread}). */
    volatile WorkerThread thread;
    /** When {@link #survive} last logged, in {@code System.nanoTime()}; worker thread only. */
    private long lastLoopErrorLog;
    /** The context of this worker's polls; a new one after a hand-over. */
    private PollContext context = new PollContext(this);
    /** Polls this worker has made: the poll stamps, and the lane shares are counted against it. */
    int tick;
    /** Ticks left until the next non-blocking driver turn / inject-queue-first pick ({@link WorkerPick}). */
    private int ticksToEvent;
    int ticksToGlobalQueue;
    /** Whether this worker counts as searching in {@link Idle}; worker thread only (also {@link WorkerPark}). */
    boolean searching;
    /** When this worker last left its park, for {@link WorkerCounters#BUSY_NANOS}; worker thread only. */
    long busySince;
    /**
     * Polls (and, in {@link WorkerQueues}, local schedules) counted since the last
     * {@link #publishCounters()}: plain fields on the hot path, published every event interval,
     * before spinning and before parking, so metrics lag a busy worker by at most
     * {@code eventInterval} polls (Tokio batches its worker metrics the same way).
     */
    private long unpublishedPolls;
    /**
     * Whether this worker is turning the driver (parked in it, or in a busy turn): the tasks the
     * driver wakes go to this worker's ring without waking a peer each, and once the turn is over
     * the worker wakes one peer if it holds more than one task (Tokio defers notifications while
     * its core is out in the driver, then applies {@code should_notify_others} the same way). One
     * ready socket then costs no futex wake and no steal: on the TCP echo benchmark a wake per
     * event woke the idle peer, which stole the task while the driver, back in select, saw the
     * still-unread data again.
     */
    boolean turningDriver;

    /**
     * The thread's context class loader when the worker started: restored after any poll that
     * changed it, so one task's loader never leaks into the next (ThreadPoolExecutor users rely
     * on a pool thread's state being its own, not the previous task's).
     */
    private ClassLoader startContextClassLoader;

    Worker(Scheduler scheduler, int index, SchedulerConfig config, Driver driver) {
        super(scheduler, index);
        this.config = config;
        this.parker = new Parker(driver);
        this.stuckShardWatch = new StuckShardWatch(scheduler, config.workers());
        this.sampling = new WorkerSampling(scheduler.sampler(), index);
        this.shares = new LaneShares(this, config);
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
                try {
                    if (!tick()) {
                        handedOver = true; // blockInPlace gave this worker to another thread: hands off
                        return;
                    }
                } catch (Throwable error) {
                    if (thread != Thread.currentThread()) {
                        // The error came after this thread handed the worker over: the worker is
                        // the replacement thread's now, and this thread must not run its loop.
                        handedOver = true;
                        throw error;
                    }
                    survive(error);
                }
            }
        } finally {
            if (!handedOver) {
                publishCounters();
                try {
                    if (scheduler.isClosed()) {
                        cancelQueuedOnShutdown();
                    } else {
                        // This thread dies with the runtime still running (survive itself failed):
                        // its queued tasks stay where the other workers steal them.
                        log.error("async-runtime worker {} stopped while the runtime runs", index);
                    }
                } finally {
                    config.onThreadStop().run();
                }
            }
        }
    }

    /**
     * An error escaped a turn of the run loop outside any poll ({@code pollOne} catches what a
     * task throws): an {@link Error} from a user's {@link io.asyncruntime.task.Waker} fired by the
     * timer or I/O driver, an {@link OutOfMemoryError} while stealing or parking. The worker goes
     * on, as Netty's event loops do, instead of dying with its queues (which stranded their tasks
     * and left every wake aimed at this worker unanswered). Counted, logged at most once a second
     * with the count since the last line, and followed by a 1 ms pause so that an error that
     * repeats on every turn neither floods the log nor spins the CPU.
     */
    private void survive(Throwable error) {
        turningDriver = false;
        long errors = scheduler.countWorkerLoopError();
        long now = System.nanoTime();
        if (errors == 1 || now - lastLoopErrorLog >= 1_000_000_000L) {
            lastLoopErrorLog = now;
            log.error("async-runtime worker {} caught an error outside any task poll ({} so far in this runtime); "
                    + "the worker goes on", index, errors, error);
        }
        LockSupport.parkNanos(1_000_000L);
    }

    /**
     * One turn of the run loop. A method of its own, not the loop body: {@code run()} never
     * returns, so the JIT could only compile it on-stack; this it compiles normally (measured on
     * JDK 17: throughput kept climbing for ~4 s of a benchmark fork with the body inline).
     * Returns false when a poll handed the worker over to another thread ({@link WorkerHandOver#toNewThread}).
     */
    private boolean tick() {
        if (--ticksToEvent == 0) {
            ticksToEvent = config.eventInterval();
            WorkerPark.eventTurn(this);
        }
        ScheduledTask task = WorkerPick.nextTask(this);
        if (task == null) {
            task = WorkerPick.steal(this);
        }
        if (task == null && searching) {
            task = WorkerPick.spinForWork(this);
        }
        if (task != null) {
            return runTask(task);
        }
        WorkerPark.park(this);
        return true;
    }


    // ---- running (choosing the next task is WorkerPick's) ------------------------------------

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
     * the poll handed this worker over to another thread ({@link WorkerHandOver#toNewThread}): from then on this
     * thread must not touch the worker, so nothing after the poll runs here.
     */
    private boolean pollOne(ScheduledTask task, PollContext cx) {
        unpublishedPolls++;
        tick++;
        shares.recordServed(task.lane(), tick);
        handOver.publishPollStamp(tick);
        long sampledAt = sampling.beforePoll(task);
        try {
            task.run(cx);
        } catch (Throwable bug) {
            // TaskCell.run catches everything a task throws; reaching here is a runtime bug.
            cx.abandonPoll();
            log.error("async-runtime worker {} caught an internal error; the worker goes on", index, bug);
        }
        if (cx.isHandedOver()) {
            return false; // a sample of this poll is dropped: it ends off the worker, blocking
        }
        if (sampledAt != WorkerSampling.NOT_SAMPLED) {
            sampling.afterPoll(sampledAt);
        }
        resetThreadState();
        return true;
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

    // ---- scheduling from this worker ------------------------------------------------------

    /**
     * Queues a task woken or spawned on this worker. A non-yield wake during a poll goes to the
     * LIFO slot when the task's lane is at least as high as the running task's (so the slot never
     * lets a lower lane jump a higher one), unless the poll is handing a resource over with
     * {@link PollContext#runWakingToRing} (a channel's grant of room to waiting senders: the ring,
     * where a parked worker is notified and may take it), or with
     * {@link PollContext#runWakingToIdleWorker} while some worker is parked or searching (a
     * channel's receiver woken by a send: that worker takes it from the ring; with every worker
     * busy the slot runs it next here); whatever the slot held moves to the ring.
     */
    void schedule(ScheduledTask task, boolean isYield) {
        PollContext cx = context;
        if (!isYield && config.lifoSlot() && cx.isPolling() && task.lane() <= cx.lane && !cx.wakesToRing
                && !(cx.wakesToIdleWorker && scheduler.idle().anyParkedOrSearching())
                && !handOver.isStalledAt(tick)) {
            ScheduledTask previous = swapLifoSlot(task);
            if (previous == null) {
                return; // it runs right after this poll; nothing for other workers to do
            }
            task = previous;
        }
        pushLocal(task, !turningDriver);
    }

    // ---- the counters ----------------------------------------------------------------------------

    /** Publishes the plain per-poll counts (see {@link #unpublishedPolls}). Worker thread only. */
    void publishCounters() {
        if (unpublishedPolls != 0) {
            counters.add(WorkerCounters.POLLS, unpublishedPolls);
            unpublishedPolls = 0;
        }
        if (unpublishedLocalSchedules != 0) {
            counters.add(WorkerCounters.LOCAL_SCHEDULES, unpublishedLocalSchedules);
            unpublishedLocalSchedules = 0;
        }
    }

    /** A task of this worker's poll that returned pending while woken or yielding: back of the ring. */
    void requeue(ScheduledTask task) {
        if (scheduler.isClosed()) {
            CompletionCascade.cancelAfterShutdown(task);
            return;
        }
        sampling.onSchedule(task);
        pushLocal(task, true);
    }

    /** The worker parks: see {@link PollContext#forgetLastLeft}. Worker thread only. */
    void forgetLastLeft() {
        context.forgetLastLeft();
    }

    /**
     * The stop-time cancel loop ({@link #cancelQueuedOnShutdown}) cancels {@code task}: shown as
     * this worker's last cell left while its cancellation is counted and published. Worker thread only.
     */
    @Override
    void cancelOnShutdown(ScheduledTask task) {
        context.showCancelling(task);
        CompletionCascade.cancelAfterShutdown(task);
    }

    /** The cell this worker is polling, or null between polls. Worker thread only. */
    TaskCell<?> polling() {
        return context.polled();
    }

    /**
     * The cell this worker is polling, or null between polls; any thread, racily (a best effort,
     * see {@link PollContext#polledRacy}), for the stall detector's log line.
     */
    TaskCell<?> pollingRacy() {
        return context.polledRacy();
    }

    /**
     * Any thread, for a task dump (see {@link LazyLink}, "Dumps"): its LIFO slot's task, the
     * tasks in its rings, then the cell its poll context shows (in its poll now, or of its last
     * poll, counted and maybe not COMPLETE yet, or being cancelled as it stops; {@link PollContext},
     * "The last cell left stays visible": the sink tells them apart by the cell's own state, so the
     * poll flag is not read), read racily (a best effort), until the sink returns false (it has
     * all it wants); returns false then. In the order the owner moves its cells (a spawn displaces
     * the slot's task into a ring; the slot and the rings are taken into a poll; a first pending
     * return links the cell into the shard, which the dump reads last), so a cell the owner moves
     * during the read is found where it went (read the other way round, a poll starting between
     * the two reads hid its cell).
     */
    boolean forEachPolledOrQueued(java.util.function.Predicate<? super ScheduledTask> sink) {
        ScheduledTask inSlot = peekLifoSlot();
        if (inSlot != null && !sink.test(inSlot)) {
            return false;
        }
        for (LocalQueue ring : local) {
            if (!ring.forEachRacy(sink)) {
                return false;
            }
        }
        TaskCell<?> shown = context.shown();
        return shown == null || sink.test(shown);
    }

    /** The lane of the task this worker is polling, or -1 between polls. */
    int currentLane() {
        PollContext cx = context;
        return cx.isPolling() ? cx.lane : -1;
    }

    // ---- the hand-over (see WorkerHandOver) -----------------------------------------------------

    /** The worker's context class loader (restored after every poll, and given to a replacement thread). */
    ClassLoader startContextClassLoader() {
        return startContextClassLoader;
    }

    /**
     * For a hand-over, on this worker's thread inside a poll: the poll in progress leaves with the
     * thread (marked handed over) and the worker gets a new context; the counters and the busy
     * time so far are published, since this thread writes nothing to the worker after it.
     */
    PollContext detachPoll() {
        PollContext poll = context;
        // What the poll deferred to its end runs now, while this thread still has the worker: the
        // blocking code may wait for what it would wake (review27, F1). A throw leaves nothing
        // changed: blockInPlace fails, and the task with it.
        poll.endPoll();
        poll.handOver();
        context = new PollContext(this);
        publishCounters();
        counters.add(WorkerCounters.BUSY_NANOS, System.nanoTime() - busySince);
        return poll;
    }

    /** Undoes {@link #detachPoll()}: no replacement thread could be started, this thread keeps the worker. */
    void reattachPoll(PollContext poll) {
        context = poll;
        poll.takeBack();
        busySince = System.nanoTime();
    }
}
