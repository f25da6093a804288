package io.asyncruntime.sync;

import io.asyncruntime.task.Poll;
import io.asyncruntime.task.Task;
import org.jetbrains.lincheck.datastructures.ModelCheckingOptions;
import org.jetbrains.lincheck.datastructures.Operation;
import org.jetbrains.lincheck.datastructures.StressOptions;
import org.jetbrains.lincheck.datastructures.Validate;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Notify with two waiting tasks (each: create a wait, poll it, cancel it) and notifiers:
 * linearizable against itself run sequentially (FIFO notifyOne, one stored permit, notifyAllWaiters
 * for the current waiters only, a picked-but-cancelled wait passing its notification on). After
 * every run, {@link #noWakeLostAndNothingLeft} checks that a notified wait was woken, and that
 * cancelling every wait leaves nobody registered.
 */
public class NotifyLincheckTest {

    private final Notify notify = new Notify();
    private final Waiter a = new Waiter();
    private final Waiter b = new Waiter();

    private final class Waiter {
        final TestContext cx = new TestContext();
        Task<Void> inFlight;
        int signalsAtLastPoll;

        /** Creating a wait is an operation of its own: it snapshots the notifyAllWaiters generation. */
        String prepare() {
            if (inFlight != null) {
                return "busy";
            }
            inFlight = notify.notified();
            return "prepared";
        }

        String waitForIt() {
            if (inFlight == null) {
                return "idle";
            }
            signalsAtLastPoll = cx.repollSignals();
            Poll<Void> polled = cx.poll(inFlight);
            if (polled.isPending()) {
                return "waiting";
            }
            inFlight = null;
            return "notified";
        }

        String cancel() {
            if (inFlight == null) {
                return "idle";
            }
            inFlight.cancel();
            inFlight = null;
            return "cancelled";
        }

        void checkWoken(String name) {
            if (inFlight instanceof Notified wait) {
                int phase = wait.phase;
                if ((phase == Notified.NOTIFIED_ONE || phase == Notified.NOTIFIED_ALL)
                        && cx.repollSignals() == signalsAtLastPoll) {
                    throw new AssertionError(name + " was notified but never woken");
                }
            }
        }
    }

    @Operation(nonParallelGroup = "a")
    public String prepareA() {
        return a.prepare();
    }

    @Operation(nonParallelGroup = "a")
    public String waitA() {
        return a.waitForIt();
    }

    @Operation(nonParallelGroup = "a")
    public String cancelA() {
        return a.cancel();
    }

    @Operation(nonParallelGroup = "b")
    public String prepareB() {
        return b.prepare();
    }

    @Operation(nonParallelGroup = "b")
    public String waitB() {
        return b.waitForIt();
    }

    @Operation(nonParallelGroup = "b")
    public String cancelB() {
        return b.cancel();
    }

    @Operation
    public void notifyOne() {
        notify.notifyOne();
    }

    @Operation
    public void notifyAllWaiters() {
        notify.notifyAllWaiters();
    }

    @Validate
    public void noWakeLostAndNothingLeft() {
        a.checkWoken("a");
        b.checkWoken("b");
        a.cancel();
        b.cancel();
        if (notify.waiterCount() != 0) {
            throw new AssertionError("a cancelled wait is still registered");
        }
        if ((notify.state() & Notify.STATE_MASK) == Notify.WAITING) {
            throw new AssertionError("the state says WAITING with nobody waiting");
        }
    }

    @Test
    void modelChecking() {
        new ModelCheckingOptions()
                .iterations(6)
                .invocationsPerIteration(250)
                .threads(3)
                .actorsPerThread(3)
                .actorsBefore(1)
                .actorsAfter(1)
                .check(getClass());
    }

    @Test
    void stress() {
        new StressOptions()
                .iterations(6)
                .invocationsPerIteration(600)
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
                .iterations(100)
                .invocationsPerIteration(5_000)
                .threads(3)
                .actorsPerThread(4)
                .actorsBefore(2)
                .actorsAfter(2)
                .check(getClass());
    }
}
