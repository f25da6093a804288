package io.asyncruntime.internal.scheduler;

import java.util.concurrent.TimeUnit;

/**
 * A parked worker's watch over the shards of other workers that may be stuck in one long poll
 * (review36). Worker thread only: each worker has one, armed by its park sweep and looked at
 * from its park loop ({@link WorkerPark#park}).
 *
 * <p><b>Why.</b> A worker stuck in one poll sweeps nothing, and the peer that completed a cell
 * of its shard answers for it with its park sweep (see ShardSweep, "Sweeps"). That park may be
 * the last one for the whole poll, and one park's sweep was not always enough: for a shard
 * longer than a park's budget it ends with the cycle under way, and a park that finds the lock
 * held (the owner linking, or turning its driver, just before its long poll) or gives way to
 * the owner's link skips the rest, leaving it to the owner, which answers for nothing while it
 * is stuck. Either way the result stayed reachable for the whole poll
 * ({@code Review36DeeperThanAParksBudgetInAStuckShardTest},
 * {@code Review36StuckOwnersLockSkipsTheOnePeerParkTest}).
 *
 * <p><b>What.</b> A park sweep of another worker's shard that leaves a sweep owed ({@link ShardSweep#sweepLeavesOwed}) arms a watch of that owner: the owner's poll stamp
 * and the shard's ended cycles, read after the sweep. While anything is watched, the worker
 * parks with a timeout ({@link #parkNanos}) and, every {@link #LOOK_INTERVAL_NANOS} while it stays
 * parked with nothing to run, looks at each watched owner ({@link #lookIfDue}):
 * <ul>
 *   <li><b>Owes nothing</b> if the shard's racy pre-check ({@link ShardSweep#mayOweASweep}) reads
 *       no hint, no cycle under way and no hand-off: at that instant every cell that finished
 *       before the arming was unlinked (its finish left the hint set until a cycle started after
 *       it, and that cycle, once no longer under way, had visited it). The watch ends.</li>
 *   <li><b>Done</b> if the shard has ended two cycles since the watch was armed: the second
 *       started after the first ended, which was after the arming read, which was after the
 *       cell finished (the finish happens-before the park that answers for it: its own
 *       completion, or a hand-off's wake). The count's store and read are volatile, and so are
 *       the sweep's reads of the cells' states, so in the one order of those accesses that
 *       cycle's read of the cell comes after its COMPLETE and unlinks it. No sweep here.</li>
 *   <li><b>Busy</b> if the owner's poll stamp moved since the last look: it polls, and its own
 *       driver turns sweep its shard (ShardSweep's bound for a busy owner); the watch keeps the
 *       new stamp and looks again, sweeping nothing. So a busy owner's shard is never swept by
 *       its peers' watches, however long it owes (the rate limit: at most one look per
 *       interval, a few reads, until its turns end two cycles or leave nothing owed).</li>
 *   <li><b>Stuck</b> if the stamp stayed put for a whole interval (one poll all along, as Go's
 *       {@code sysmon} calls a goroutine that kept its P's {@code schedtick} for
 *       {@code forcePreemptNS}, 10 ms, long-running: {@code retake} in
 *       {@code src/runtime/proc.go}), or the owner is parked now (it sweeps nothing either):
 *       another park's worth of its shard ({@link ShardSweep#PARK_SWEEP_BUDGET}, shared by the
 *       owners watched, giving way to the owner's lock waits as any long sweep does); the watch
 *       ends when that sweep leaves nothing owed, else it looks again an interval later.</li>
 * </ul>
 * The watch ends too when the worker leaves its park (woken, or its driver queued work): its
 * next park sweeps every other worker's shard again and arms afresh.
 *
 * <p><b>Bound.</b> So a finished cell in the shard of a worker stuck in one poll stays linked at
 * most until the next park of another worker and then about {@code ceil(linked × watched /
 * PARK_SWEEP_BUDGET)} looks of its watch, an interval apart ({@code watched}: the stuck owners
 * that worker watches, at most one with two workers) (more only while the shard's lock is
 * held at a look, or the owner waits for it: each such look leaves it to the next), unless that
 * worker is woken meanwhile: then until its next park, as before.
 *
 * <p><b>Cost.</b> Nothing on the spawn, poll or link paths: the cycle count is stored once per
 * cycle, under the lock the sweep holds. A parked worker with a watch wakes once per interval
 * (a timed park instead of an untimed one: the wake of a worker parked on its own parker or in
 * the driver costs the same either way); a watch is armed only by a park sweep that left a sweep
 * owed, which a shard under 64 Ki cells never does while its lock is free and nobody waits
 * for it. While the worker looks it
 * is still in the sleeper set: a wake meanwhile waits for the look (at most one park's sweep
 * in all, about a millisecond for 64 Ki cells, whatever the owners watched, and only while some
 * worker has been stuck for an interval).
 */
final class StuckShardWatch {

    /**
     * How long an owner's poll stamp must stay put before its peers sweep its shard for it, and
     * the time between two looks: Go's {@code forcePreemptNS}, under the stall detector's default
     * sampling period (25 ms), so that a poll this long is one a user would call long.
     */
    static final long LOOK_INTERVAL_NANOS = TimeUnit.MILLISECONDS.toNanos(10);

    private final Scheduler scheduler;
    /** Per worker index: whether its shard is watched. */
    private final boolean[] watched;
    /** Per watched owner: its poll stamp at the arming or the last look. */
    private final long[] stamps;
    /** Per watched owner: its shard's {@link ShardSweep#cyclesEnded} at the arming. */
    private final int[] cyclesAtArming;
    /** Owners watched now. */
    private int watching;
    /** When the next look is due ({@code System.nanoTime()}); meaningful while watching. */
    private long nextLookAt;

    StuckShardWatch(Scheduler scheduler, int workers) {
        this.scheduler = scheduler;
        this.watched = new boolean[workers];
        this.stamps = new long[workers];
        this.cyclesAtArming = new int[workers];
    }

    /**
     * The park sweep of {@code owner}'s shard left a sweep owed: watch it
     * from now on. Called after that sweep (so after the finishes it answers for).
     */
    void arm(int owner, TaskShard shard) {
        if (!watched[owner]) {
            watched[owner] = true;
            watching++;
        }
        stamps[owner] = scheduler.workers()[owner].handOver.pollStamp();
        cyclesAtArming[owner] = shard.cyclesEnded();
        nextLookAt = System.nanoTime() + LOOK_INTERVAL_NANOS;
    }

    /**
     * How long the worker's park may block: a negative value (no limit) while nothing is watched,
     * else until the next look is due (at least a nanosecond: a zero timeout would not block).
     */
    long parkNanos() {
        if (watching == 0) {
            return -1;
        }
        return Math.max(1, nextLookAt - System.nanoTime());
    }

    /**
     * Back from a park with nothing to run and still in the sleeper set: a timed wake, or an early
     * one (a driver event that queued nothing); looks at the watched owners if an interval has
     * passed since the last look (see the class comment).
     */
    void lookIfDue() {
        lookIfDue(System.nanoTime());
    }

    /** {@link #lookIfDue()} at {@code now} ({@code System.nanoTime()}); tests pass a later one. */
    void lookIfDue(long now) {
        if (watching == 0 || now - nextLookAt < 0) {
            return;
        }
        // One park's budget per look in all, shared by the owners watched (review37: a park's
        // budget each made a wake arriving meanwhile wait for several).
        int budget = Math.max(1, ShardSweep.PARK_SWEEP_BUDGET / watching);
        for (int owner = 0; owner < watched.length; owner++) {
            if (watched[owner]) {
                look(owner, budget);
            }
        }
        nextLookAt = now + LOOK_INTERVAL_NANOS;
    }

    /** The worker leaves its park: nothing watched until its next park sweep arms it again. */
    void clear() {
        if (watching > 0) {
            java.util.Arrays.fill(watched, false);
            watching = 0;
        }
    }

    /** Whether anything is watched now. For tests. */
    boolean isWatching() {
        return watching > 0;
    }

    private void look(int owner, int budget) {
        TaskShard shard = scheduler.registry().shard(owner);
        if (shard.cyclesEnded() - cyclesAtArming[owner] >= 2) { // wrapping: a difference
            unwatch(owner); // Done: see the class comment
            return;
        }
        if (!shard.mayOweASweep()) {
            unwatch(owner); // Owes nothing: see the class comment (review37: a busy owner's watch never ended)
            return;
        }
        long stamp = scheduler.workers()[owner].handOver.pollStamp();
        if (stamp != WorkerHandOver.PARKED && stamp != stamps[owner]) {
            stamps[owner] = stamp; // Busy: it polls, and its turns sweep; look again
            return;
        }
        // Stuck in one poll for a whole interval, or parked: it sweeps nothing meanwhile.
        if (!shard.sweepLeavesOwed(budget)) {
            unwatch(owner);
        }
    }

    private void unwatch(int owner) {
        watched[owner] = false;
        watching--;
    }
}
