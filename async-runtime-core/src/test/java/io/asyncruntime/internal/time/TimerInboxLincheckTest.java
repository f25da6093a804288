package io.asyncruntime.internal.time;

import java.util.StringJoiner;
import java.util.concurrent.atomic.AtomicInteger;
import org.jetbrains.lincheck.datastructures.ModelCheckingOptions;
import org.jetbrains.lincheck.datastructures.Operation;
import org.jetbrains.lincheck.datastructures.StressOptions;
import org.jetbrains.lincheck.datastructures.Validate;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The timer inbox under owners pushing from two threads while the driver takes everything, parks
 * and wakes. Lincheck checks that the stack is linearizable: every pushed entry is taken exactly
 * once, in push order, and the driver's emptiness check agrees. A {@code @Validate} after each
 * run checks the wake-up handshake: if the driver's last park found the inbox empty (so it would
 * block until {@link #PARK_UNTIL}) and an entry due earlier is in the inbox now, its owner was
 * told to wake the driver. (An owner may also be told so when the driver had already seen its
 * entry: a spurious unpark is harmless, so the push's answer is not part of the results.)
 */
public class TimerInboxLincheckTest {

    /** A timer entry that remembers its deadline tick, so a taken list can be compared as ticks. */
    private static final class Tagged extends TimerEntry {
        final long tick;

        Tagged(long tick) {
            this.tick = tick;
        }
    }

    private static final long EARLY = 3;
    private static final long LATE = 7;
    private static final long PARK_UNTIL = 5;

    private final TimerInbox inbox = new TimerInbox();
    /** Wake-ups owners were told to deliver since the driver's last park. */
    private final AtomicInteger wakesSinceLastPark = new AtomicInteger();
    /** Driver-only: the last park found the inbox empty, and the driver has not woken since. */
    private boolean blocked;

    @Operation
    public void pushEarly() {
        push(EARLY);
    }

    @Operation
    public void pushLate() {
        push(LATE);
    }

    private void push(long tick) {
        if (inbox.push(new Tagged(tick), tick)) {
            wakesSinceLastPark.incrementAndGet();
        }
    }

    /** The driver: everything pushed so far, as ticks, oldest first. */
    @Operation(nonParallelGroup = "driver")
    public String takeAll() {
        return ticks(inbox.takeAllOldestFirst());
    }

    /** The driver about to block until {@link #PARK_UNTIL}: publishes it, then re-checks the inbox. */
    @Operation(nonParallelGroup = "driver")
    public boolean park() {
        wakesSinceLastPark.set(0);
        inbox.beginPark();
        inbox.parkingUntil(PARK_UNTIL);
        blocked = inbox.isEmpty();
        return blocked;
    }

    @Operation(nonParallelGroup = "driver")
    public void wakeUp() {
        inbox.endPark();
        blocked = false;
    }

    @Validate
    public void noLostWakeUp() {
        String waiting = ticks(inbox.takeAllOldestFirst());
        if (blocked && waiting.contains(Long.toString(EARLY)) && wakesSinceLastPark.get() == 0) {
            throw new AssertionError("lost wake-up: the driver blocked until tick " + PARK_UNTIL
                    + " and nobody woke it for " + waiting);
        }
    }

    private static String ticks(TimerEntry oldestFirst) {
        StringJoiner ticks = new StringJoiner(",", "[", "]");
        for (TimerEntry e = oldestFirst; e != null; e = e.inboxNext) {
            ticks.add(Long.toString(((Tagged) e).tick));
        }
        return ticks.toString();
    }

    @Test
    void modelChecking() {
        new ModelCheckingOptions()
                .iterations(40)
                .invocationsPerIteration(300)
                .threads(3)
                .actorsBefore(1)
                .actorsPerThread(2)
                .actorsAfter(0)                              // the validation looks at the parallel part's end
                .check(TimerInboxLincheckTest.class);
    }

    @Test
    void stress() {
        new StressOptions()
                .iterations(10)
                .invocationsPerIteration(1_000)
                .threads(3)
                .actorsPerThread(3)
                .check(TimerInboxLincheckTest.class);
    }

    @Test
    @Tag("long")
    void modelCheckingLong() {
        new ModelCheckingOptions()
                .iterations(100)
                .invocationsPerIteration(5_000)
                .threads(3)
                .actorsPerThread(3)
                .check(TimerInboxLincheckTest.class);
    }
}
