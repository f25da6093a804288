package io.asyncruntime.internal.time;

import io.asyncruntime.task.Context;
import io.asyncruntime.task.Poll;
import io.asyncruntime.task.Task;
import io.asyncruntime.task.Waker;
import java.util.concurrent.atomic.AtomicInteger;
import org.jetbrains.lincheck.datastructures.ModelCheckingOptions;
import org.jetbrains.lincheck.datastructures.Operation;
import org.jetbrains.lincheck.datastructures.StressOptions;
import org.jetbrains.lincheck.datastructures.Validate;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Issue 15, defect 8: the auto-advance guard of a {@code blockOn} root task is a state machine
 * whose every transition is idempotent, so the driver's inhibitor count is always exactly "1 if
 * the guarded task is runnable or being polled, else 0", whatever order wakes (any thread), polls
 * (the owner: pending, yielding, out of budget, waking itself, spuriously without a wake, ready or
 * failing) and a cancel (the owner) come in. Checked during every poll (the count must be at
 * least 1: auto-advance inhibited while the task runs, even with a wake half done) and, exactly,
 * after every scenario. Before the fix, a poll that came
 * without a wake (blockOn's re-poll on a stale wake flag) ran uninhibited and, on return, released
 * an inhibition it never took: the count went to -1.
 */
public class AutoAdvanceGuardLincheckTest {

    private final ManualTimeSource source = new ManualTimeSource(0, true);
    private final TimeDriver driver = new TimeDriver(new FakeInnerDriver(source), source, 1);
    private final Scripted inner = new Scripted();
    private final AutoAdvanceGuard<Integer> guard = (AutoAdvanceGuard<Integer>) driver.inhibitingAutoAdvanceWhilePolled(inner);
    private final OwnerContext owner = new OwnerContext();
    /** Owner-only: the guarded task finished (ready, failed or cancelled); it is polled no more. */
    private boolean finished;

    /** What the guarded task does in one poll. */
    enum Step { PENDING, YIELD, BUDGET_SPENT, WAKE_SELF, READY, FAIL }

    /** The task the guard wraps: does the scripted step; checks auto-advance is inhibited meanwhile. */
    private final class Scripted implements Task<Integer> {
        volatile String violation;
        Step next = Step.PENDING;

        @Override
        public Poll<Integer> poll(Context cx) throws Exception {
            int inhibitors = driver.autoAdvanceInhibitors();
            if (inhibitors < 1) {
                violation = "polled while the inhibitor count was " + inhibitors + ": auto-advance was allowed";
            }
            switch (next) {
                case YIELD:
                    cx.requestYield();
                    return Poll.pending();
                case BUDGET_SPENT:
                    owner.budgetSpent = true;
                    return cx.consumeBudget() ? Poll.ready(1) : Poll.pending();
                case WAKE_SELF:
                    cx.waker().wake();
                    return Poll.pending();
                case READY:
                    return Poll.ready(1);
                case FAIL:
                    throw new IllegalStateException("scripted failure");
                default:
                    return Poll.pending();
            }
        }
    }

    /** The blockOn side: the context the guard is polled with. */
    private static final class OwnerContext implements Context {
        final AtomicInteger wakes = new AtomicInteger();
        boolean budgetSpent;

        @Override
        public Waker waker() {
            return wakes::incrementAndGet;
        }

        @Override
        public boolean consumeBudget() {
            return !budgetSpent;
        }

        @Override
        public void requestYield() {
        }
    }

    private void poll(Step step) {
        if (finished) {
            return;
        }
        inner.next = step;
        owner.budgetSpent = false;
        try {
            if (guard.poll(owner).isReady()) {
                finished = true;
            }
        } catch (Exception failed) {
            finished = true;
        }
    }

    @Operation(nonParallelGroup = "owner")
    public void pollPending() {
        poll(Step.PENDING);
    }

    @Operation(nonParallelGroup = "owner")
    public void pollYielding() {
        poll(Step.YIELD);
    }

    @Operation(nonParallelGroup = "owner")
    public void pollOutOfBudget() {
        poll(Step.BUDGET_SPENT);
    }

    @Operation(nonParallelGroup = "owner")
    public void pollWakingItself() {
        poll(Step.WAKE_SELF);
    }

    @Operation(nonParallelGroup = "owner")
    public void pollReady() {
        poll(Step.READY);
    }

    @Operation(nonParallelGroup = "owner")
    public void pollFailing() {
        poll(Step.FAIL);
    }

    @Operation(nonParallelGroup = "owner")
    public void cancel() {
        if (!finished) {
            finished = true;
            guard.cancel();
        }
    }

    @Operation
    public void wake() {
        guard.wake();
    }

    @Validate
    public void inhibitedExactlyWhileRunnable() {
        if (inner.violation != null) {
            throw new AssertionError(inner.violation);
        }
        int inhibitors = driver.autoAdvanceInhibitors();
        int expected = guard.isInhibiting() ? 1 : 0;
        if (inhibitors != expected) {
            throw new AssertionError("inhibitor count " + inhibitors + ", guard inhibiting=" + guard.isInhibiting());
        }
        if (finished && inhibitors != 0) {
            throw new AssertionError("the task finished but still inhibits auto-advance");
        }
    }

    @Test
    void modelChecking() {
        new ModelCheckingOptions()
                .iterations(12)
                .invocationsPerIteration(200)
                .threads(2)
                .actorsPerThread(3)
                .actorsBefore(1)
                .actorsAfter(1)
                .check(getClass());
    }

    @Test
    void stress() {
        new StressOptions()
                .iterations(10)
                .invocationsPerIteration(500)
                .threads(3)
                .actorsPerThread(3)
                .actorsBefore(1)
                .actorsAfter(1)
                .check(getClass());
    }

    @Test
    @Tag("long")
    void modelCheckingLong() {
        new ModelCheckingOptions()
                .iterations(200)
                .invocationsPerIteration(3_000)
                .threads(3)
                .actorsPerThread(4)
                .actorsBefore(2)
                .actorsAfter(2)
                .check(getClass());
    }
}
