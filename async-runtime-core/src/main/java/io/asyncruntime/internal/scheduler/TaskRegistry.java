package io.asyncruntime.internal.scheduler;

import io.asyncruntime.task.Priority;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * The live-task registry: every task spawned on the scheduler is counted in it from spawn to
 * completion, and every task that went idle (a poll of it returned pending) is linked into one of
 * its {@link TaskShard}s until, after it completed, a sweep unlinks it (Tokio's
 * {@code OwnedTasks} links every task at spawn and unlinks it at completion; see "Shards" for why
 * this one does neither). A task spawned on a worker is linked lazily, at its first pending
 * return ({@link LazyLink}): one that completes in its first poll is counted but never linked,
 * and until its first pending return a task is queued or in a poll, where a dump reads it. A
 * graceful shutdown aborts what is left through the registry ({@link AbortWalk}), idle tasks
 * included (the cells not linked yet are cancelled at their first poll or its pending return,
 * see LazyLink, "Abort"), and a task dump lists it ({@link LiveTaskDump}).
 *
 * <p><b>Shards.</b> One per worker (a worker's spawns are linked into its own shard, so
 * spawning workers never contend) plus at least one per lane for spawns from other threads (see
 * {@link #outsideShard}). Such a spawn takes no lock and writes nothing of the registry: the
 * inject queue it is pushed into counts it and refuses it (one CAS), and the worker that takes it
 * out of the queue hands it to lazy linking: it is linked into its lane's outside shard at its
 * first pending return, as a worker's spawn into its worker's (see {@link QueuedSpawns} and
 * InjectQueue's class comment, "Spawns from outside"). While queued the
 * cell is live in the counts (the queue's spawn count is part of the spawns) and a dump or an
 * abort reaches it by linking what is queued first ({@link #linkQueuedSpawns}). A cell
 * stays linked in its shard after it completes until a sweep of that shard unlinks it, so that
 * completing a stolen task writes nothing of its spawner's shard (see {@link TaskShard} for why,
 * and {@link ShardSweep} for who sweeps when and the bounds on what a shard retains). Readers
 * leave finished cells out.
 *
 * <p><b>Counting</b> (spawns and completions, and the sums a shutdown reads): {@link RegistryCounts}.
 *
 * <p><b>Cost per task.</b> One link and two int stamps in the cell (32 to 48 bytes, as with two
 * links: the cell is 44 bytes, aligned to 48), a volatile read of the refusal and a release store
 * of the worker's own shard's count at a worker's spawn, no lock (for a spawn from outside nothing
 * on the spawner, and nothing at the worker's take but a re-mark: like a worker's spawn it is
 * linked at its first pending return, see {@link LazyLink}), one counter store at completion; for
 * a task that goes idle, a lock hold of its shard at its first pending return (the link), one read of the shard's {@code dirty} hint at completion and
 * a share of the sweeps (at most two cell visits per link, amortized); and the poll count riding
 * on the CAS that starts each poll. Clock reads are the expensive part of stamping (a {@code nanoTime}
 * is ~25 ns on this box's kvm-clock, as much as a whole local spawn), so cells are stamped
 * from a <em>coarse clock</em>: a value refreshed by the workers at every driver turn (every
 * {@code eventInterval} polls on a busy worker, and whenever a worker comes back from parking),
 * and by the stall detector's heartbeat, once per sampling period (25 ms at the default
 * threshold), from a thread that neither parks nor sticks with the workers. Without a beating
 * heartbeat (stall detection off, a period over two stamp units, or a stall report that may block
 * between two beats: see {@code StallTarget.heartbeatPausing}) a spawn from outside
 * refreshes it whenever a worker is parked (a parked worker refreshes nothing, and the others may
 * be stuck in long polls). Ages and idle times in a dump are exact to within the time between
 * two refreshes (the polls of one event interval on busy workers, a heartbeat period plus the
 * detector thread's own delay otherwise), which is what a diagnostic needs (Go's goroutine dump stamps waiting goroutines
 * just as coarsely, at GC).
 * A refresh stores the clock only when its stamp unit changes (see {@link #refreshClock}): it
 * shares its cache line with the fields every spawn and completion reads.
 *
 * <p><b>Refusing spawns.</b> {@link #refuseRemote()} (a graceful shutdown starts) makes spawns
 * from outside the runtime's own tasks fail (a task on a worker or inside {@code blockInPlace}
 * still spawns); {@link #refuseAll()} (the shutdown aborts what remains) makes
 * every spawn fail. A worker's spawn reads the flag without a lock (see {@link TaskShard},
 * "Rejection": one racing the abort may be counted and then cancelled at its first poll); the
 * link at a first pending return reads it under its shard's lock (REFUSING_ALL: the cell is
 * cancelled instead);
 * a spawn from outside sees the refusal as a bit of its inject queue's spawn word, set by an
 * atomic OR that its own counting CAS is ordered with (see InjectQueue, "Spawns from outside").
 */
public final class TaskRegistry extends RegistryCounts {

    /** Spawn stamps count units of 2^24 ns (~16.8 ms): an int covers 2.28 years of uptime. */
    static final int SPAWN_STAMP_SHIFT = 24;
    /**
     * Poll stamps count units of 2^24 ns (~16.8 ms) in 28 bits (see TaskCell.POLL_STAMP_MASK):
     * they wrap after 2^52 ns (~52 days), the horizon {@code TaskDump.TaskInfo.sinceLastPoll}
     * documents. Three of the int's bits count a yielding task's polls (TaskCell.UNCOUNTED_POLLS)
     * and one marks it yield-queued; units of 2^20 ns in those 28 bits wrapped after ~3.3 days
     * (review17). A dump's "since last poll" is coarse to ~17 ms, fine for finding stalls; the
     * stall detector does not use it (it reads each worker's own poll tick).
     */
    static final int POLL_STAMP_SHIFT = 24;
    /**
     * The coarse clock's bits below this are read by no one (the cells' stamps keep only the bits
     * from {@link #SPAWN_STAMP_SHIFT} and {@link #POLL_STAMP_SHIFT} up; a dump reads the real
     * clock), so a refresh stores it only when the bits from here up change.
     */
    private static final int CLOCK_UNIT_SHIFT = Math.min(SPAWN_STAMP_SHIFT, POLL_STAMP_SHIFT);
    /** How long an abort waits at most for a spawn from outside whose push is in flight. */
    private static final long ABORT_IN_FLIGHT_WAIT_NANOS = 1_000_000_000;
    /** How long a dump waits at most for a spawn from outside whose push is in flight. */
    private static final long DUMP_IN_FLIGHT_WAIT_NANOS = 10_000_000;
    /** How long a drain waits before it looks again if no shard's emptying woke it. */
    private static final long DRAIN_RECHECK_NANOS = 10_000_000;

    static final int ACCEPTING = 0;
    static final int REFUSING_REMOTE = 1;
    static final int REFUSING_ALL = 2;

    private static final VarHandle COARSE_NANOS;
    private static final VarHandle REFUSAL;

    static {
        try {
            MethodHandles.Lookup lookup = MethodHandles.lookup();
            COARSE_NANOS = lookup.findVarHandle(TaskRegistry.class, "coarseNanos", long.class);
            REFUSAL = lookup.findVarHandle(TaskRegistry.class, "refusal", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final long epochNanos = System.nanoTime();
    /** Nanoseconds since {@link #epochNanos}, as of the last refresh; through {@link #COARSE_NANOS}. */
    @SuppressWarnings("unused")
    private long coarseNanos;
    /** {@link #ACCEPTING}, {@link #REFUSING_REMOTE} or {@link #REFUSING_ALL}; only grows. */
    @SuppressWarnings("unused")
    private volatile int refusal;
    /** Null for a registry without workers (tests); else the scheduler whose workers count completions. */
    private final Scheduler scheduler;

    TaskRegistry(Scheduler scheduler, int workers) {
        this(scheduler, workers, ShardSweep.SWEEP_SLACK);
    }

    /** With a spawn-path sweep slack of {@code sweepSlack} (see {@link ShardSweep}); tests use small ones. */
    TaskRegistry(Scheduler scheduler, int workers, int sweepSlack) {
        this(scheduler, workers, sweepSlack, scheduler == null ? new InjectQueue[0] : scheduler.injectQueues());
    }

    /** For tests: a registry without a scheduler whose spawns from outside are counted by {@code injectQueues}. */
    TaskRegistry(int workers, int sweepSlack, InjectQueue... injectQueues) {
        this(null, workers, sweepSlack, injectQueues);
    }

    private TaskRegistry(Scheduler scheduler, int workers, int sweepSlack, InjectQueue[] injectQueues) {
        // The next power of two >= workers, and one per lane at least (see outsideShard).
        super(workers, Integer.highestOneBit(Math.max(Math.max(2, workers), Priority.COUNT) * 2 - 1), injectQueues);
        this.scheduler = scheduler;
        for (int i = 0; i < workers; i++) {
            workerShards[i] = new TaskShard(this, scheduler, sweepSlack);
        }
        for (int i = 0; i < remoteShards.length; i++) {
            remoteShards[i] = new TaskShard(this, scheduler, sweepSlack);
        }
    }

    // ---- the spawn path -----------------------------------------------------------------------

    /** The shard a task spawned on {@code worker} goes to: the worker's own. */
    TaskShard shardFor(Worker worker) {
        return workerShards[worker.index];
    }

    /**
     * The shard a task spawned from outside the workers into {@code lane} is linked into: at its
     * first pending return, by whichever worker polls it (see {@link QueuedSpawns}), or, while it
     * is still queued, by a dump, abort or drain walking the lane's inject queue under its consumer
     * flag: the lane's own, so that such a walk links a run of one shard with one lock hold. The
     * spawner only stores the reference (its cell's scheduler): it reads nothing of the shard.
     */
    TaskShard outsideShard(int lane) {
        return remoteShards[lane & (remoteShards.length - 1)];
    }

    /** Nanoseconds since the runtime started, as of the last refresh (opaque: any recent value will do). */
    long coarseNanos() {
        return (long) COARSE_NANOS.getOpaque(this);
    }

    /**
     * Reads the real clock into the coarse one. Called at driver turns, after a worker unparks,
     * at the stall detector's heartbeats, and (without those) by outside spawns while any worker
     * is parked. Opaque store: readers need only some
     * recent value, never one ordered with other memory.
     */
    void refreshClock() {
        refreshClock(realNanos());
    }

    /** Nanoseconds since the runtime started, read from the real clock now (a dump's own clock). */
    long realNanos() {
        return System.nanoTime() - epochNanos;
    }

    /**
     * Stores {@code now} only if its stamp unit ({@link #CLOCK_UNIT_SHIFT}, ~16.8 ms) differs
     * from the stored one's. The field shares its cache line with the registry's other fields,
     * which every spawn (the shards, the refusal flag) and completion (the scheduler, the drain
     * waiter) reads, and every poll reads the clock itself: a store at every driver turn of every
     * worker made those reads miss on the other cores after each turn (reg10g: ~70 k stores a
     * second on spawn_many_remote). The stamps come out the same: they keep only the unit, and
     * the stored unit is still that of the latest refresh, since a refresh that sees it change
     * stores it. Racing refreshes may store out of order, as unconditional stores could; the
     * next refresh that sees an older unit stores again.
     */
    void refreshClock(long now) {
        if ((now >>> CLOCK_UNIT_SHIFT) != ((long) COARSE_NANOS.getOpaque(this) >>> CLOCK_UNIT_SHIFT)) {
            COARSE_NANOS.setOpaque(this, now);
        }
    }

    /** Why a spawn would be refused now ({@link #ACCEPTING} if it would not); read under a shard lock. */
    int refusal(boolean remote) {
        int r = refusal;
        return r == REFUSING_REMOTE && !remote ? ACCEPTING : r;
    }

    static String refusalMessage(int refusal) {
        return refusal == REFUSING_REMOTE
                ? "this async-runtime is shutting down: it accepts no new tasks from outside its own tasks"
                : "this async-runtime is closed: it accepts no new tasks";
    }

    /** See {@link CellScheduler#abortReason()}: a shutdown's aborts say so. */
    String abortReason() {
        return refusal == REFUSING_ALL ? "aborted: the runtime shut down" : "aborted";
    }

    // ---- the completion path --------------------------------------------------------------------

    /**
     * Counts one completed task in the calling thread's counters: its worker's pair if it runs one
     * of this runtime's workers, else the shared pair. Called before the cell publishes COMPLETE
     * (see {@link CellScheduler#unregister}).
     */
    void countCompletion(boolean cancelled) {
        Worker worker = scheduler == null ? null : scheduler.currentWorker();
        countCompletion(worker == null ? -1 : worker.index, cancelled);
    }

    /**
     * A worker's share of the sweeping (see {@link ShardSweep}): its own shard, the shards of the
     * workers that are parked (they sweep nothing meanwhile), when it parks the other workers'
     * shards too (one may be stuck in a long poll), and every outside shard, each only
     * if something there completed since its last sweep began and its lock is free.
     * {@code parking}: the worker is about to park, so each sweep finishes its cycle; otherwise (a
     * driver turn) each visits a bounded number of cells.
     */
    void sweep(int workerIndex, boolean parking) {
        sweep(workerIndex, parking, null);
    }

    /**
     * As {@link #sweep(int, boolean)}; {@code watch}: the parking worker's watch, armed for each
     * other worker's shard that the park sweep leaves owed (see
     * {@link StuckShardWatch}); null for a driver turn (and in tests).
     */
    void sweep(int workerIndex, boolean parking, StuckShardWatch watch) {
        int budget = parking ? ShardSweep.PARK_SWEEP_BUDGET : ShardSweep.TICK_SWEEP_BUDGET;
        workerShards[workerIndex].sweepIfDirty(budget);
        if (scheduler != null) {
            for (int i = 0; i < workerShards.length; i++) {
                if (i == workerIndex) {
                    continue;
                }
                // Not these shards' own turns: the spawn path's visit credit stays their owners'.
                if (parking) {
                    // Parked or not: a worker that is neither parked nor turning its driver
                    // (stuck in one long poll) sweeps nothing, so a parking worker sweeps its
                    // shard as it sweeps a parked owner's, and what completed there is not kept
                    // until that poll ends (review19 F2). The park's budget, not a turn's
                    // (flake20: a turn's share left a cell deeper than 128 cells linked for the
                    // whole poll); and what it leaves owed (a shard longer than the budget, the
                    // lock held or given way to: review36) the watch takes on, looking again
                    // while this worker stays parked and sweeping only while the owner stays in
                    // one poll or parked (an owner read as parked may be waking, and may link,
                    // then stick in a poll). An owner that is only busy loses nothing: the sweep
                    // gives way to its lock waits (GIVE_WAY_STRIDE) and a lock held skips the
                    // shard.
                    if (workerShards[i].sweepLeavesOwed(budget) && watch != null) {
                        watch.arm(i, workerShards[i]);
                    }
                } else if (scheduler.isWorkerParked(i)) {
                    workerShards[i].sweepOnceIfDirty(budget);
                }
            }
        }
        for (TaskShard shard : remoteShards) {
            shard.sweepIfDirty(budget);
        }
    }

    /**
     * Whether some shard owes a sweep that no lock holder answers for (see
     * {@link ShardOffWorkerSweep#sweepOwed}), read by the last worker to park after it entered the sleeper
     * set: an off-worker sweeper that left a cycle under way wakes nobody while a worker still
     * searches (it relies on that one to look), and that worker's park sweep may have skipped the
     * shard while the sweeper held it (review21 Q1). The full fence orders this worker's entry into
     * the sleeper set (a locked RMW) before these reads: either this sees the sweeper's unfinished
     * cycle, or the sweeper's notify (fence, then the idle state) sees every worker parked and
     * wakes one.
     */
    boolean sweepOwedWhileAllParked() {
        VarHandle.fullFence();
        for (TaskShard shard : workerShards) {
            if (shard.sweepOwed()) {
                return true;
            }
        }
        for (TaskShard shard : remoteShards) {
            if (shard.sweepOwed()) {
                return true;
            }
        }
        return false;
    }

    // ---- shutdown -----------------------------------------------------------------------------

    /** From now on spawns from outside the runtime's own tasks fail (a graceful shutdown has begun). */
    public void refuseRemote() {
        if (refusal == ACCEPTING) {
            REFUSAL.compareAndSet(this, ACCEPTING, REFUSING_REMOTE);
        }
        // Then the spawns from outside: when this returns, every one not refused is counted.
        for (InjectQueue queue : injectQueues) {
            queue.refuse(InjectQueue.REFUSE_STRANGERS);
        }
    }

    /** From now on every spawn fails. */
    public void refuseAll() {
        refusal = REFUSING_ALL;
        for (InjectQueue queue : injectQueues) {
            queue.refuse(InjectQueue.REFUSE_ALL);
        }
    }

    /**
     * Links into their shards the spawns from outside still waiting in the inject queues (see
     * {@link QueuedSpawns}), and those accepted whose push is in flight, so that a walk of the
     * shards reaches every spawn accepted before this call. {@code abort}: after
     * {@link #refuseAll()}, where a pusher descheduled between its two CASes is waited for up to
     * a second (else its task would run after the abort); a dump waits up to 10 ms.
     */
    void linkQueuedSpawns(boolean abort) {
        for (InjectQueue queue : injectQueues) {
            queue.linkQueuedSpawns(abort ? ABORT_IN_FLIGHT_WAIT_NANOS : DUMP_IN_FLIGHT_WAIT_NANOS);
        }
    }

    /**
     * For a dump: links the spawns from outside as a dump's {@link #linkQueuedSpawns} does, and
     * collects up to {@code max} unlinked cells, see {@link LazyLink#collectUnlinked}.
     */
    java.util.Set<TaskCell<?>> linkQueuedSpawnsAndCollectUnlinked(int max) {
        return LazyLink.collectUnlinked(injectQueues, scheduler, DUMP_IN_FLIGHT_WAIT_NANOS, max);
    }

    /** Whether spawns from outside are refused (a shutdown has begun). */
    public boolean isRefusingRemote() {
        return refusal != ACCEPTING;
    }

    /**
     * Asks every live task to cancel, from the calling thread: an idle task is cancelled here and
     * now, a queued or running one at its next poll boundary. Returns {@code [found, aborted]}:
     * tasks live at the walk, and those of them this call cancelled (the rest finished, or were
     * being cancelled already, before it got to them). See {@link #newAbortWalk()}; a shutdown runs
     * the walk on a thread of its own instead, since a task's {@code cancel()} may block. Only
     * after {@link #refuseAll()} does it reach every task: the workers' cells not linked yet are
     * cancelled by their own first poll or its pending return once REFUSING_ALL is set (LazyLink).
     */
    public long[] abortAll() {
        AbortWalk walk = newAbortWalk();
        walk.run();
        return new long[] {walk.found(), walk.aborted()};
    }

    /**
     * The live tasks now, copied shard by shard under each shard's lock, as a walk that aborts
     * them when run (so no user code, a task's {@code cancel}, runs under a lock). Meant for after
     * {@link #refuseAll()}, when no cell can join behind the copy. Spawns from outside still in
     * the inject queues are linked first, and so are those accepted whose push is in flight (the
     * count is final after the refusal: this waits until as many are linked), so the walk reaches
     * every linked live task, queued spawns from outside included. A worker's cell that never
     * returned pending is in no shard, and is not in the walk: after the refusal it is cancelled at
     * its first poll, or at that poll's pending return ({@link LazyLink}, "Abort").
     */
    public AbortWalk newAbortWalk() {
        linkQueuedSpawns(true);
        return AbortWalk.ofLiveTasks(allShards());
    }

    /** Shard {@code index}: the workers' first, then the outside ones. For tests. */
    TaskShard shard(int index) {
        return index < workerShards.length ? workerShards[index] : remoteShards[index - workerShards.length];
    }

    /** Every shard: the workers' first, then the outside ones. */
    TaskShard[] allShards() {
        TaskShard[] all = new TaskShard[workerShards.length + remoteShards.length];
        System.arraycopy(workerShards, 0, all, 0, workerShards.length);
        System.arraycopy(remoteShards, 0, all, workerShards.length, remoteShards.length);
        return all;
    }
}
