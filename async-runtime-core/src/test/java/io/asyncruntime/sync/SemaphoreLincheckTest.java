package io.asyncruntime.sync;

import io.asyncruntime.task.Poll;
import io.asyncruntime.task.Task;
import java.util.ArrayDeque;
import org.jetbrains.lincheck.datastructures.IntGen;
import org.jetbrains.lincheck.datastructures.ModelCheckingOptions;
import org.jetbrains.lincheck.datastructures.Operation;
import org.jetbrains.lincheck.datastructures.Param;
import org.jetbrains.lincheck.datastructures.StressOptions;
import org.jetbrains.lincheck.datastructures.Validate;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The semaphore with 2 permits, two owners ("a" and "b", each one task: it holds permits and has
 * at most one acquire in flight) and a closer. Linearizable against itself run sequentially: the
 * fast paths, waiting, FIFO grants (a waiter at the head is not overtaken), cancellation and close.
 * After every run, {@link #nothingLeakedAndNoWakeLost} checks that a granted waiter was woken,
 * that cancelling what is in flight and closing what is held gives every permit back, and that no
 * waiter stays registered.
 */
@Param(name = "n", gen = IntGen.class, conf = "1:2")
public class SemaphoreLincheckTest {

    private static final int PERMITS = 2;

    private final Semaphore semaphore = new Semaphore(PERMITS);
    private final Owner a = new Owner();
    private final Owner b = new Owner();

    /** One task's view: the permits it holds and its acquire in flight. */
    private final class Owner {
        final ArrayDeque<Semaphore.Permit> held = new ArrayDeque<>();
        final TestContext cx = new TestContext();
        Task<Semaphore.Permit> inFlight;
        int signalsAtLastPoll;

        String acquire(int n) {
            if (inFlight != null) {
                return poll();
            }
            inFlight = semaphore.acquire(n);
            return poll();
        }

        String poll() {
            if (inFlight == null) {
                return "idle";
            }
            signalsAtLastPoll = cx.repollSignals();
            Poll<Semaphore.Permit> polled;
            try {
                polled = cx.poll(inFlight);
            } catch (SemaphoreClosedException closed) {
                inFlight = null;
                return "closed";
            }
            if (polled.isPending()) {
                return "waiting";
            }
            inFlight = null;
            held.addLast(polled.value());
            return "acquired " + polled.value().permits();
        }

        String cancel() {
            if (inFlight == null) {
                return "idle";
            }
            inFlight.cancel();
            inFlight = null;
            return "cancelled";
        }

        String tryAcquire(int n) {
            try {
                return semaphore.tryAcquire(n).map(p -> {
                    held.addLast(p);
                    return "acquired " + n;
                }).orElse("none");
            } catch (SemaphoreClosedException closed) {
                return "closed";
            }
        }

        int release() {
            Semaphore.Permit permit = held.pollFirst();
            if (permit == null) {
                return 0;
            }
            permit.close();
            return permit.permits();
        }

        void checkWokenIfGranted(String name) {
            if (inFlight != null) {
                int phase = ((PermitTask) inFlight).nodePhase();
                boolean done = phase == BatchSemaphore.Acquirer.GRANTED || phase == BatchSemaphore.Acquirer.FAILED;
                if (done && cx.repollSignals() == signalsAtLastPoll) {
                    throw new AssertionError(name + "'s acquire was granted or failed but never woken");
                }
            }
        }

        int giveEverythingBack() {
            cancel();
            int n = 0;
            while (!held.isEmpty()) {
                n += release();
            }
            return n;
        }
    }

    @Operation(nonParallelGroup = "a", params = {"n"})
    public String acquireA(int n) {
        return a.acquire(n);
    }

    @Operation(nonParallelGroup = "a")
    public String cancelA() {
        return a.cancel();
    }

    @Operation(nonParallelGroup = "a", params = {"n"})
    public String tryAcquireA(int n) {
        return a.tryAcquire(n);
    }

    @Operation(nonParallelGroup = "a")
    public int releaseA() {
        return a.release();
    }

    @Operation(nonParallelGroup = "b", params = {"n"})
    public String acquireB(int n) {
        return b.acquire(n);
    }

    @Operation(nonParallelGroup = "b")
    public String cancelB() {
        return b.cancel();
    }

    @Operation(nonParallelGroup = "b", params = {"n"})
    public String tryAcquireB(int n) {
        return b.tryAcquire(n);
    }

    @Operation(nonParallelGroup = "b")
    public int releaseB() {
        return b.release();
    }

    @Operation
    public int available() {
        return semaphore.availablePermits();
    }

    @Operation(nonParallelGroup = "closer")
    public void close() {
        semaphore.close();
    }

    @Validate
    public void nothingLeakedAndNoWakeLost() {
        a.checkWokenIfGranted("a");
        b.checkWokenIfGranted("b");
        a.giveEverythingBack();
        b.giveEverythingBack();
        if (semaphore.waiterCount() != 0) {
            throw new AssertionError("waiters left after every acquire was cancelled: " + semaphore.waiterCount());
        }
        if (semaphore.availablePermits() != PERMITS) {
            throw new AssertionError("permits leaked: " + semaphore.availablePermits() + " of " + PERMITS + " back");
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
                .actorsAfter(2)
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
                .actorsAfter(2)
                .check(getClass());
    }

    @Test
    @Tag("long")
    void modelCheckingLong() {
        new ModelCheckingOptions()
                .iterations(200)
                .invocationsPerIteration(5_000)
                .threads(3)
                .actorsPerThread(4)
                .actorsBefore(2)
                .actorsAfter(2)
                .check(getClass());
    }
}
