package io.asyncruntime.internal.io;

import io.asyncruntime.task.Waker;
import org.jetbrains.lincheck.datastructures.ModelCheckingOptions;
import org.jetbrains.lincheck.datastructures.Operation;
import org.jetbrains.lincheck.datastructures.Param;
import org.jetbrains.lincheck.datastructures.StressOptions;
import org.jetbrains.lincheck.datastructures.IntGen;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The readiness tick, checked against its specification ({@link Spec}): an event sets the
 * direction ready and advances the tick; a poll returns the tick as its token while ready; a
 * clear after a would-block forgets readiness only if no event came since its token, so clearing
 * never loses an event that arrived between the system call and the clear. Owners poll and clear
 * from two threads while the driver delivers events and applies interest requests; Lincheck
 * checks that every concurrent history matches some order of the specification.
 */
@Param(name = "token", gen = IntGen.class, conf = "0:2")
public class ReadinessTickLincheckTest {

    /** The registration under test; interest requests go nowhere (the driver's part is {@link #apply}). */
    private static final class Registration extends Readiness {
        @Override
        void interestRequested() {
        }
    }

    private final Registration registration = new Registration();
    private final Waker waker = () -> { };

    @Operation
    public long poll() {
        return registration.pollReady(IoRegistration.READ, waker);
    }

    @Operation
    public void clear(@Param(name = "token") int token) {
        registration.clearReady(IoRegistration.READ, token);
    }

    @Operation
    public boolean isReady() {
        return (registration.stateWord() & Readiness.READ_READY) != 0;
    }

    /** An event reported by a select that could block (a read nobody waits for is disarmed). */
    @Operation(nonParallelGroup = "driver")
    public void event() {
        registration.onEvent(true, false, true, new WakeQueue());
    }

    /** An event reported by a busy worker's non-blocking turn (the read stays armed). */
    @Operation(nonParallelGroup = "driver")
    public void busyEvent() {
        registration.onEvent(true, false, false, new WakeQueue());
    }

    @Operation(nonParallelGroup = "driver")
    public void apply() {
        registration.applyRequests();
    }

    /** The specification: readiness and its tick, nothing else. */
    public static final class Spec {
        private boolean ready = true;                     // a fresh registration is assumed ready
        private long tick;

        public long poll() {
            return ready ? tick : IoRegistration.NOT_READY;
        }

        public void clear(int token) {
            if (tick == token) {
                ready = false;
            }
        }

        public boolean isReady() {
            return ready;
        }

        public void event() {
            ready = true;
            tick++;
        }

        public void busyEvent() {
            event();
        }

        public void apply() {
        }
    }

    @Test
    void modelChecking() {
        new ModelCheckingOptions()
                .iterations(20)
                .invocationsPerIteration(300)
                .threads(3)
                .actorsPerThread(3)
                .sequentialSpecification(Spec.class)
                .check(ReadinessTickLincheckTest.class);
    }

    @Test
    void stress() {
        new StressOptions()
                .iterations(10)
                .invocationsPerIteration(500)
                .threads(3)
                .actorsPerThread(3)
                .sequentialSpecification(Spec.class)
                .check(ReadinessTickLincheckTest.class);
    }

    @Test
    @Tag("long")
    void modelCheckingLong() {
        new ModelCheckingOptions()
                .iterations(100)
                .invocationsPerIteration(5_000)
                .threads(3)
                .actorsPerThread(4)
                .sequentialSpecification(Spec.class)
                .check(ReadinessTickLincheckTest.class);
    }
}
