package io.asyncruntime.internal.io;

import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import org.jetbrains.lincheck.datastructures.ModelCheckingOptions;
import org.jetbrains.lincheck.datastructures.Operation;
import org.jetbrains.lincheck.datastructures.StressOptions;
import org.jetbrains.lincheck.datastructures.Validate;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * No lost wake-up, with the whole owner/driver handshake in play: a reader runs the readiness
 * loop against a simulated socket, a peer writes into it, and the driver applies interest
 * requests and reports the socket as a level-triggered selector would (only while the op is
 * armed, and again at every turn while bytes are unread), in blocking and non-blocking turns. After the run the driver turns until
 * nothing changes; then a reader that is still waiting while bytes wait in the socket has lost
 * its wake-up, and so has one whose interest nobody will ever arm.
 */
public class ReadinessWakeupLincheckTest {

    /** Interest requests land in a queue that the simulated driver drains. */
    private final class Registration extends Readiness {
        @Override
        void interestRequested() {
            inbox.add(this);
        }
    }

    private final ConcurrentLinkedQueue<Registration> inbox = new ConcurrentLinkedQueue<>();
    private final Registration registration = new Registration();
    private final CountingWaker waker = new CountingWaker();
    /** Bytes in the simulated socket's receive buffer. */
    private final AtomicInteger socket = new AtomicInteger();
    /** Owner-only: the waker's count just before the reader's last read registered to wait, or -1. */
    private int waitingSinceWake = -1;

    /**
     * The reader: the loop every network read runs, until it reads or waits. Void, like the other
     * operations: the driver and the reader are not one atomic object, so their results have no
     * sequential specification; what matters is the validation below.
     */
    @Operation(nonParallelGroup = "owner")
    public void read() {
        for (;;) {
            int wakesBefore = waker.count();                  // a wake from here on answers this wait
            long token = registration.pollReady(IoRegistration.READ, waker);
            if (token == IoRegistration.NOT_READY) {
                waitingSinceWake = wakesBefore;
                return;
            }
            int n = socket.getAndSet(0);                      // the non-blocking system call
            if (n > 0) {
                waitingSinceWake = -1;
                return;
            }
            registration.clearReady(IoRegistration.READ, token);
        }
    }

    /**
     * The waiting read is cancelled (a losing branch of a select, a timeout): it withdraws its
     * waker and leaves WANTED set, as {@link Readiness#cancelWait} does. A no-op if not waiting.
     */
    @Operation(nonParallelGroup = "owner")
    public void abandon() {
        if (waitingSinceWake >= 0) {
            registration.cancelWait(IoRegistration.READ, waker);
            waitingSinceWake = -1;
        }
    }

    @Operation
    public void peerWrites() {
        socket.incrementAndGet();
    }

    /** A parked worker's turn: its select could block. */
    @Operation(nonParallelGroup = "driver")
    public void turn() {
        turn(true);
    }

    /** A busy worker's non-blocking turn. */
    @Operation(nonParallelGroup = "driver")
    public void busyTurn() {
        turn(false);
    }

    private void turn(boolean blocking) {
        for (Registration r; (r = inbox.poll()) != null; ) {
            r.applyRequests();
        }
        if ((registration.stateWord() & Readiness.READ_ARMED) != 0 && socket.get() > 0) {
            WakeQueue wakes = new WakeQueue();
            registration.onEvent(true, false, blocking, wakes);
            wakes.wake(Integer.MAX_VALUE);
        }
    }

    @Validate
    public void noLostWakeUp() {
        for (int i = 0; i < 4; i++) {
            turn();
        }
        if (waitingSinceWake < 0 || waker.count() > waitingSinceWake) {
            return;                                           // not waiting, or woken since it began to
        }
        long s = registration.stateWord();
        if (socket.get() > 0) {
            throw new AssertionError("lost wake-up: the reader waits while " + socket.get()
                    + " bytes wait in the socket; state 0x" + Long.toHexString(s));
        }
        if ((s & Readiness.READ_WANTED) == 0 || (s & (Readiness.READ_ARMED | Readiness.QUEUED)) == 0) {
            throw new AssertionError("a waiting reader's interest is neither wanted and armed nor queued: "
                    + "the next byte would not wake it; state 0x" + Long.toHexString(s));
        }
    }

    @Test
    void modelChecking() {
        new ModelCheckingOptions()
                .iterations(20)
                .invocationsPerIteration(300)
                .threads(3)
                .actorsBefore(1)
                .actorsPerThread(3)
                .actorsAfter(0)                              // the validation looks at the parallel part's end
                .check(ReadinessWakeupLincheckTest.class);
    }

    @Test
    void stress() {
        new StressOptions()
                .iterations(10)
                .invocationsPerIteration(500)
                .threads(3)
                .actorsPerThread(3)
                .actorsAfter(0)
                .check(ReadinessWakeupLincheckTest.class);
    }

    @Test
    @Tag("long")
    void modelCheckingLong() {
        new ModelCheckingOptions()
                .iterations(100)
                .invocationsPerIteration(5_000)
                .threads(3)
                .actorsPerThread(4)
                .actorsAfter(0)
                .check(ReadinessWakeupLincheckTest.class);
    }
}
