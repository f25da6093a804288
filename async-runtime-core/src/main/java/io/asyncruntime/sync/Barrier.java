package io.asyncruntime.sync;

import io.asyncruntime.task.Context;
import io.asyncruntime.task.Poll;
import io.asyncruntime.task.Task;
import io.asyncruntime.task.Waker;

/**
 * Lets a fixed number of tasks wait for each other: each calls {@link #await()}, and all of them
 * complete once the last one arrives; then the barrier is ready for the next round. Tokio's
 * {@code Barrier}.
 *
 * <p>Exactly one task of each round, the last to arrive, completes with {@code true} (the leader:
 * handy for work that one of them should do once); the others complete with {@code false}.
 *
 * <p>Cancellation is dropping (unlike Tokio's barrier): a wait cancelled before its round
 * completes leaves the round, so the round now needs another arrival in its place; a wait
 * cancelled after its round completed changes nothing. A completed wait spends one unit of the
 * cooperative budget. Thread-safe.
 */
public final class Barrier {

    private final int parties;
    private final WaitList waiters = new WaitList();
    /** Tasks waiting in the current round; guarded by the lock. */
    private int arrived;

    /**
     * A barrier for {@code parties} tasks.
     *
     * @throws IllegalArgumentException if {@code parties} is less than 1
     */
    public Barrier(int parties) {
        if (parties < 1) {
            throw new IllegalArgumentException("parties must be at least 1, was " + parties);
        }
        this.parties = parties;
    }

    /**
     * A task that waits until {@code parties} tasks (this one included) are waiting, then completes
     * with whether it was the last to arrive (the round's leader).
     */
    public Task<Boolean> await() {
        return new Arrival(this);
    }

    /** How many tasks each round needs. */
    public int parties() {
        return parties;
    }

    /** How many tasks wait in the current round (a snapshot). */
    public int waiting() {
        waiters.lock();
        try {
            return arrived;
        } finally {
            waiters.unlock();
        }
    }

    @Override
    public String toString() {
        return "Barrier[" + waiting() + " of " + parties + " waiting]";
    }

    /** One task's arrival: its node in the round's queue. */
    private static final class Arrival extends WaitNode implements Task<Boolean> {
        private static final int INIT = 0;
        private static final int WAITING = 1;
        private static final int RELEASED = 2;
        private static final int LEADER = 3;
        private static final int DONE = 4;

        private final Barrier barrier;
        /** Set under the barrier's lock; volatile so a released waiter sees it without the lock. */
        private volatile int phase;

        Arrival(Barrier barrier) {
            this.barrier = barrier;
        }

        @Override
        public Poll<Boolean> poll(Context cx) {
            WaitList waiters = barrier.waiters;
            switch (phase) {
                case INIT:
                    waiters.lock();
                    if (barrier.arrived + 1 == barrier.parties) {
                        // The last arrival: release the round and start the next one.
                        for (WaitNode node = waiters.popFront(); node != null; node = waiters.popFront()) {
                            ((Arrival) node).phase = RELEASED;
                            waiters.toWake(node);
                        }
                        barrier.arrived = 0;
                        phase = LEADER;
                        waiters.unlockAndWake();
                        return finish(cx, true);
                    }
                    barrier.arrived++;
                    waker = cx.waker();
                    phase = WAITING;
                    waiters.pushBack(this);
                    waiters.unlock();
                    return Poll.pending();
                case WAITING:
                    Waker current = cx.waker();
                    if (waker != current) {
                        waiters.lock();
                        if (phase == WAITING) {
                            waker = current;
                            waiters.unlock();
                            return Poll.pending();
                        }
                        waiters.unlock();
                        return poll(cx);
                    }
                    return Poll.pending();
                case RELEASED:
                    return finish(cx, false);
                case LEADER:
                    return finish(cx, true);
                default:
                    throw new IllegalStateException("a finished Barrier wait was polled again");
            }
        }

        private Poll<Boolean> finish(Context cx, boolean leader) {
            if (!cx.consumeBudget()) {
                return Poll.pending(); // released (or leading) all the same; the next poll completes
            }
            phase = DONE;
            return Poll.ready(leader);
        }

        @Override
        public void cancel() {
            if (phase != WAITING) {
                return;
            }
            WaitList waiters = barrier.waiters;
            waiters.lock();
            if (phase == WAITING) {
                waiters.unlink(this);
                waker = null;
                barrier.arrived--;
                phase = DONE;
            }
            waiters.unlock();
        }

        @Override
        public String toString() {
            return "Barrier.await()";
        }
    }
}
