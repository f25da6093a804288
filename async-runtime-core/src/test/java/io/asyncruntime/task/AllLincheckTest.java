package io.asyncruntime.task;

import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.jetbrains.lincheck.datastructures.ModelCheckingOptions;
import org.jetbrains.lincheck.datastructures.Operation;
import org.jetbrains.lincheck.datastructures.StressOptions;
import org.jetbrains.lincheck.datastructures.Validate;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The per-branch wakers of {@code Task.all}: branches complete from other threads (waking their
 * branch waker) while the owner polls the joined task. No wake may be lost: with nothing in
 * flight, a branch that completed but has not been seen by the join must be queued for the next
 * poll, and the parent must have been woken for it.
 */
public class AllLincheckTest {

    private final Signalled a = new Signalled();
    private final Signalled b = new Signalled();
    private final All<Integer> all = (All<Integer>) Task.all(List.of(a, b));
    private final AtomicInteger parentWakes = new AtomicInteger();
    private int wakesSeenByLastPoll;
    private final Context owner = new Context() {
        @Override
        public Waker waker() {
            return parentWakes::incrementAndGet;
        }

        @Override
        public boolean consumeBudget() {
            return true;
        }

        @Override
        public void requestYield() {
        }
    };

    public AllLincheckTest() throws Exception {
        all.poll(owner); // the join has started: both branches registered their wakers
    }

    @Operation(nonParallelGroup = "owner")
    public void poll() throws Exception {
        wakesSeenByLastPoll = parentWakes.get();
        all.poll(owner);
    }

    @Operation(nonParallelGroup = "a")
    public void signalA() {
        a.signal();
    }

    @Operation(nonParallelGroup = "b")
    public void signalB() {
        b.signal();
    }

    @Validate
    public void noWakeIsLost() {
        checkBranch(0, a);
        checkBranch(1, b);
    }

    private void checkBranch(int index, Signalled probe) {
        if (probe.signals.get() > probe.seen && !all.isBranchFinished(index)) {
            if (!all.isQueuedForRepoll(index)) {
                throw new AssertionError("branch " + index + " was signalled after its last poll and is not queued");
            }
            if (parentWakes.get() == wakesSeenByLastPoll) {
                throw new AssertionError("branch " + index + " is queued but the parent was not woken since its last poll");
            }
        }
    }

    /**
     * A branch that makes progress on every signal and completes on the second: wakes arrive both
     * while it is idle and while it is being polled.
     */
    private static final class Signalled implements Task<Integer> {
        final AtomicInteger signals = new AtomicInteger();
        volatile Waker waker;
        volatile int seen;

        void signal() {
            signals.incrementAndGet();
            Waker w = waker;
            if (w != null) {
                w.wake();
            }
        }

        @Override
        public Poll<Integer> poll(Context cx) {
            waker = cx.waker();
            seen = signals.get();
            return seen >= 2 ? Poll.ready(seen) : Poll.pending();
        }
    }

    @Test
    void modelChecking() {
        new ModelCheckingOptions()
                .iterations(20)
                .invocationsPerIteration(500)
                .threads(3)
                .actorsPerThread(2)
                .actorsBefore(0)
                .actorsAfter(1)
                .check(getClass());
    }

    @Test
    void stress() {
        new StressOptions()
                .iterations(20)
                .invocationsPerIteration(1_000)
                .threads(3)
                .actorsPerThread(2)
                .actorsBefore(0)
                .actorsAfter(1)
                .check(getClass());
    }

    @Test
    @Tag("long")
    void modelCheckingLong() {
        new ModelCheckingOptions()
                .iterations(200)
                .invocationsPerIteration(5_000)
                .threads(3)
                .actorsPerThread(3)
                .actorsAfter(2)
                .check(getClass());
    }
}
