package io.asyncruntime.internal.scheduler;

import io.asyncruntime.task.Priority;

/**
 * One worker's lane accounting, and its stealing lane by lane: which lane is owed its guaranteed
 * share of polls, the higher lanes waiting on other workers' rings, and half of one lane of a
 * victim's ring. The lanes are served runtime-wide, not only per worker (see
 * {@link #stealLaneAboveLocalWork}).
 *
 * <p>A lower lane {@code l} is owed a poll when {@code serviceInterval[l]} polls of this worker
 * have passed since it was last served: so with work in it, it gets at least one poll in
 * {@code serviceInterval[l]}, whatever the higher lanes hold, and never starves. The counts are
 * against the worker's tick (its poll count), passed in by the worker, which owns it (its poll
 * stamps are made from it too).
 *
 * <p><b>The due tick.</b> Checking every lower lane on every poll cost ~11% of a yield's samples
 * (JFR, {@code yield_many}, JDK 17) although a worker running one lane has nothing to check on
 * most polls. So the worker keeps {@link #nextCheckTick}, and {@link #mayOweAShare} does
 * nothing but compare the tick with it until then. Invariant: <em>no lower lane can be due at a
 * tick before {@code nextCheckTick}</em>. It holds because
 * <ul>
 *   <li>a lane's due tick, {@code lastServed[l] + serviceInterval[l] - 1}, only moves later
 *       ({@code lastServed} only moves forward), so a bound computed at a check stays a bound;</li>
 *   <li>the lane of the latest poll ({@link #polledLane}) is left out of the bound: it was served
 *       on the latest poll, so it is not due before the next poll of another lane, and
 *   <li>a poll of another lane than the previous one ({@link #recordServed}) sets
 *       {@code nextCheckTick} to the current tick: the next pick checks every lane again, with the
 *       left-out lane's {@code lastServed} now recorded (the tick before the change).</li>
 * </ul>
 * A worker running one lane (the common case: everything NORMAL) therefore checks once per
 * {@code serviceInterval} of the lowest other lane (an empty lane found due starts its count
 * again), and a lane change costs one full check: the guarantee above is exactly the one of a
 * check on every poll (LaneShareDueTickTest holds each lane's gap between polls to its interval).
 *
 * <p>Thread-confined: only the thread running the worker calls it. One per worker, reached
 * through a final field; nothing here allocates.
 */
final class LaneShares {

    /** {@link #polledLane} before the worker's first poll: no lane is left out of the first check. */
    private static final int NO_LANE = -1;

    private final Worker worker;
    /**
     * The tick at which each lane was last served; only the lower lanes' entries are used, and the
     * entry of {@link #polledLane} is stale while that lane keeps being served (it is written when
     * the worker moves to another lane: see {@link #recordServed}).
     */
    private final int[] lastServed = new int[Priority.COUNT];
    /** Per lane, polls between guaranteed turns (0 for HIGH), from the configured shares. */
    private final int[] serviceInterval = new int[Priority.COUNT];
    /** The lane of the worker's latest poll, or {@link #NO_LANE} before the first. */
    private int polledLane = NO_LANE;
    /** No lower lane is due at a tick before this one (see the class comment); wrapping. */
    private int nextCheckTick;
    /** Xorshift state for the first victim of a steal. */
    private int randomState;
    /**
     * Per lane, the other workers' rings of that lane, built on the first steal (the scheduler's
     * worker array is complete before any worker thread starts). Stealing reads only the rings
     * then, never a victim's {@link Worker} object, whose cache lines its owner writes on every
     * poll (the tick, the counters to publish): going through {@code victim.local} can cost a miss
     * on each look, and the owner one more on its next write. (JFR, yield_many, JDK 17, direction
     * only: ~6% of the samples were in this steal, which the share check makes every tenth poll.)
     */
    private LocalQueue[][] otherRings;

    LaneShares(Worker worker, SchedulerConfig config) {
        this.worker = worker;
        this.randomState = 0x9E3779B9 * (worker.index + 1);
        for (int lane = 0; lane < Priority.COUNT; lane++) {
            serviceInterval[lane] = config.laneServiceInterval(lane);
        }
    }

    /**
     * The worker is about to make poll {@code tick} of a task of {@code lane}. Writes nothing
     * while the lane stays the same (the hot path: one compare); a change records when the previous
     * lane was last served and makes the next pick check every lane.
     */
    void recordServed(int lane, int tick) {
        if (lane != polledLane) {
            laneChanged(lane, tick);
        }
    }

    private void laneChanged(int lane, int tick) {
        if (polledLane != NO_LANE) {
            lastServed[polledLane] = tick - 1; // its latest poll was the one before this
        }
        polledLane = lane;
        nextCheckTick = tick;
    }

    /**
     * Whether a lower lane may be due on poll {@code tick}: false before {@link #nextCheckTick}
     * (wrapping compare: ticks are an int poll count). The worker's pick calls this on every poll
     * and {@link #pollDueLane} only when it returns true: a call site C2 can always inline. (With
     * this compare inside the due check's own method, JDK 17 compiled that method on its
     * own with the whole check inlined, ~3.4 KB, and then refused to inline it into the pick,
     * "already compiled into a big method": a compiled call on every poll.)
     */
    boolean mayOweAShare(int tick) {
        return tick - nextCheckTick >= 0;
    }

    /**
     * A task from a lower lane whose guaranteed share is due on this poll ({@code tick}), lowest
     * lane first, or null. Called only when {@link #mayOweAShare}: before {@link #nextCheckTick}
     * none can be due.
     * The lane's work is looked for here, in the inject queue, and then in the other workers'
     * rings of that lane: the share holds runtime-wide even when all of a lane's tasks sit on one
     * busy worker. A due lane found empty everywhere starts its count again, so an idle lane costs
     * one check per interval rather than one per poll.
     */
    ScheduledTask pollDueLane(int tick) {
        int untilNextDue = Integer.MAX_VALUE;
        for (int lane = Priority.COUNT - 1; lane > 0; lane--) {
            if (lane == polledLane) {
                continue; // served on the latest poll: not due before a poll of another lane
            }
            int untilDue = lastServed[lane] + serviceInterval[lane] - 1 - tick;
            if (untilDue <= 0) {
                ScheduledTask task = worker.popLane(lane);
                if (task == null) {
                    task = stealFromLane(lane);
                }
                if (task != null) {
                    // Its poll is a lane change, which makes the next pick check again; until
                    // then nextCheckTick stays at or before this tick.
                    return task;
                }
                lastServed[lane] = tick;
                untilDue = serviceInterval[lane] - 1;
            }
            untilNextDue = Math.min(untilNextDue, untilDue);
        }
        // untilNextDue >= 1 (a service interval is at least 2): the next check is a later tick.
        nextCheckTick = untilNextDue == Integer.MAX_VALUE ? tick + 1 : tick + untilNextDue;
        return null;
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
    ScheduledTask stealLaneAboveLocalWork() {
        int best = worker.lifoSlotLane();
        for (int lane = 0; lane < best; lane++) {
            if (!worker.local[lane].isEmpty()) {
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

    /**
     * Steals half of one lane of some other worker's ring into ours, starting at a random victim.
     *
     * <p>Cheap when the lane is empty everywhere, which is what the share checks find on most
     * calls (a lower lane falls due every {@code serviceInterval} polls whether or not it has
     * work): a victim whose ring looks empty (two loads of lines it rarely writes) is passed over
     * without a steal attempt, and no division runs per victim. Passing over a ring that a racing
     * push is filling is harmless: this is a search, not the no-lost-wake-up re-check (that one
     * reads every ring after a full fence, {@code WorkerPark.notifyIfWorkPending}), and a push that
     * makes work appear notifies a searcher. Measured on {@code yield_many} (JFR, JDK 17): ~9% of
     * the workers' samples were here, finding an empty BACKGROUND lane every tenth poll.
     */
    ScheduledTask stealFromLane(int lane) {
        LocalQueue[][] rings = otherRings;
        if (rings == null) {
            rings = otherRings = otherWorkersRings();
        }
        LocalQueue[] victims = rings[lane];
        int n = victims.length;
        if (n == 0) {
            return null;
        }
        int victimIndex = n > 1 ? nextRandom(n) : 0;
        LocalQueue mine = worker.local[lane];
        for (int i = 0; i < n; i++, victimIndex = victimIndex + 1 == n ? 0 : victimIndex + 1) {
            LocalQueue ring = victims[victimIndex];
            if (ring.isEmpty()) {
                continue;
            }
            int before = mine.len();
            ScheduledTask task = ring.stealInto(mine);
            if (task != null) {
                worker.counters.increment(WorkerCounters.STEAL_OPERATIONS);
                worker.counters.add(WorkerCounters.STEALS, mine.len() - before + 1L);
                return task;
            }
        }
        return null;
    }

    private LocalQueue[][] otherWorkersRings() {
        Worker[] workers = worker.scheduler.workers();
        LocalQueue[][] rings = new LocalQueue[Priority.COUNT][workers.length - 1];
        for (int lane = 0; lane < Priority.COUNT; lane++) {
            int k = 0;
            for (Worker victim : workers) {
                if (victim != worker) {
                    rings[lane][k++] = victim.local[lane];
                }
            }
        }
        return rings;
    }

    private int nextRandom(int bound) {
        int x = randomState;
        x ^= x << 13;
        x ^= x >>> 17;
        x ^= x << 5;
        randomState = x;
        return (x & Integer.MAX_VALUE) % bound;
    }
}
