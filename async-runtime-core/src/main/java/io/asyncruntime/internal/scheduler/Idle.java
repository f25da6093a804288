package io.asyncruntime.internal.scheduler;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * Which workers are searching for work and which are parked (Tokio's {@code idle.rs}, in our own
 * design and words).
 *
 * <p>{@link #state} packs two counts in one int: the low 16 bits count searching workers, the high
 * 16 bits count unparked workers. Reads on the notify fast path need no lock; changes to the set
 * of sleepers happen under {@code synchronized (sleepers)}, which is only taken on the way to park
 * and on the way to wake a sleeper — never per task.
 *
 * <p>Rules: at most half the workers search at once ({@link #tryStartSearching}); a spawner wakes
 * one sleeper only when nobody is searching ({@link #workerToNotify}); the last searcher that
 * finds work wakes one more (ramp-up); the last searcher that parks re-checks every queue
 * (in {@code WorkerPark.park}), which together with the fences around pushes loses no wake-up.
 */
final class Idle extends HeadPadding {

    private static final int UNPARKED_SHIFT = 16;
    private static final int SEARCHING_MASK = (1 << UNPARKED_SHIFT) - 1;
    private static final int ONE_UNPARKED = 1 << UNPARKED_SHIFT;
    /** The packing limits the number of workers; RuntimeBuilder enforces it. */
    static final int MAX_WORKERS = SEARCHING_MASK;

    private static final VarHandle STATE;

    static {
        try {
            STATE = MethodHandles.lookup().findVarHandle(Idle.class, "state", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final int workers;
    @SuppressWarnings("unused") // through STATE
    private volatile int state;
    /** Indices of parked workers, a stack; guarded by synchronized (sleepers). */
    private final int[] sleepers;
    private int sleeperCount;

    Idle(int workers) {
        this.workers = workers;
        this.state = workers << UNPARKED_SHIFT;
        this.sleepers = new int[workers];
    }

    static int searching(int state) {
        return state & SEARCHING_MASK;
    }

    static int unparked(int state) {
        return state >>> UNPARKED_SHIFT;
    }

    /**
     * Picks a sleeper to wake for new work, or -1 if none should be woken: someone is already
     * searching (they will find it), or nobody sleeps. The caller has pushed the work and issued a
     * full fence before calling, and unparks the returned worker.
     *
     * <p>{@code caller} is the notifying worker's index, or -1 for a thread outside the workers. It
     * is never picked: a worker that is still in the sleeper set while it notifies is the one
     * dispatching the driver's events (fired timers) into its own ring; it is awake and takes
     * itself out of the set when the driver returns. Picking it would wake nobody and, since the
     * pick counts as a searcher, would keep every later wake of that dispatch from waking a real
     * sleeper (measured: 10,000 fired sleeps ran on the driver's worker while the other slept).
     */
    int workerToNotify(int caller) {
        if (!shouldWakeSomeone()) {
            return -1;
        }
        synchronized (sleepers) {
            if (!shouldWakeSomeone()) {
                return -1;
            }
            int at = sleeperCount - 1;                      // the most recent sleeper: warmest cache
            if (at >= 0 && sleepers[at] == caller) {
                at--;
            }
            if (at < 0) {
                return -1;
            }
            int picked = sleepers[at];
            sleepers[at] = sleepers[--sleeperCount];        // the caller, if skipped, moves down
            // The woken worker starts out searching, so concurrent spawners do not wake a second.
            STATE.getAndAdd(this, ONE_UNPARKED + 1);
            return picked;
        }
    }

    private boolean shouldWakeSomeone() {
        int s = (int) STATE.getVolatile(this);
        return searching(s) == 0 && unparked(s) < workers;
    }

    /** A worker may start searching (stealing) only while fewer than half the workers search. */
    boolean tryStartSearching() {
        int s = (int) STATE.getVolatile(this);
        if (2 * searching(s) >= workers) {
            return false;
        }
        STATE.getAndAdd(this, 1);
        return true;
    }

    /** A searching worker found work or gave up; returns whether it was the last searcher. */
    boolean stopSearching() {
        int previous = (int) STATE.getAndAdd(this, -1);
        return searching(previous) == 1;
    }

    /**
     * Records that worker {@code index} parks; returns whether it was the last searching worker
     * (it must then re-check every queue before blocking).
     */
    boolean transitionToParked(int index, boolean searching) {
        synchronized (sleepers) {
            int delta = -ONE_UNPARKED - (searching ? 1 : 0);
            int previous = (int) STATE.getAndAdd(this, delta);
            sleepers[sleeperCount++] = index;
            return searching && searching(previous) == 1;
        }
    }

    /** Whether worker {@code index} is still in the sleeper set (no notifier has claimed it). */
    boolean isParked(int index) {
        synchronized (sleepers) {
            return indexOfSleeper(index) >= 0;
        }
    }

    /**
     * Takes worker {@code index} out of the sleeper set on its own (it woke from a timeout or found
     * work the driver produced); returns false if a notifier already took it out.
     */
    boolean unparkSelf(int index) {
        synchronized (sleepers) {
            int at = indexOfSleeper(index);
            if (at < 0) {
                return false;
            }
            sleepers[at] = sleepers[--sleeperCount];
            STATE.getAndAdd(this, ONE_UNPARKED);
            return true;
        }
    }

    /** Whether every worker is parked: the runtime is idle unless a queue holds work. */
    boolean allParked() {
        return unparked((int) STATE.getVolatile(this)) == 0;
    }

    /** Whether at least one worker is parked (or on its way to park or back from it). */
    boolean anyParked() {
        return unparked((int) STATE.getVolatile(this)) < workers;
    }

    /**
     * Whether some worker is parked (or on its way to or from it) or searching: one that takes
     * work pushed to a ring now, after the push's notification or by looking. One volatile read.
     */
    boolean anyParkedOrSearching() {
        int s = (int) STATE.getVolatile(this);
        return searching(s) > 0 || unparked(s) < workers;
    }

    int searchingCount() {
        return searching((int) STATE.getVolatile(this));
    }

    private int indexOfSleeper(int index) {
        for (int i = 0; i < sleeperCount; i++) {
            if (sleepers[i] == index) {
                return i;
            }
        }
        return -1;
    }
}
