package io.asyncruntime.internal.time;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.asyncruntime.RuntimeBuilder;
import io.asyncruntime.task.Waker;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The driver's park protocol, with a simulated clock and an inner driver that never blocks. */
class TimeDriverTest {

    /** The runtime's default: the driver fires at most this many timers per turn. */
    private static final int EVENT_INTERVAL = RuntimeBuilder.DEFAULT_EVENT_INTERVAL;

    private static final long MS = TimeUnit.MILLISECONDS.toNanos(1);

    private final ManualTimeSource clock = new ManualTimeSource(0, false);
    private final FakeInnerDriver inner = new FakeInnerDriver(clock);
    private final TimeDriver driver = new TimeDriver(inner, clock, EVENT_INTERVAL);

    @AfterEach
    void unbind() {
        TimeDriver.unbind();
    }

    private TimerEntry arm(long deadlineMillis, Waker waker) {
        TimerEntry entry = new TimerEntry();
        entry.arm(driver, deadlineMillis * MS, waker);
        return entry;
    }

    @Test
    void parkTimeoutIsTheNextDeadlineCappedByTheCallersTimeout() {
        driver.park(-1, false);
        assertThat(inner.lastTimeout()).as("no timers: the caller's timeout").isEqualTo(-1);
        arm(50, new CountingWaker());
        driver.park(-1, false);
        assertThat(inner.lastTimeout()).isEqualTo(50 * MS);
        assertThat(clock.nanoTime()).isEqualTo(50 * MS);
        arm(80, new CountingWaker());
        driver.park(10 * MS, false);
        assertThat(inner.lastTimeout()).as("the caller's shorter timeout wins").isEqualTo(10 * MS);
        driver.park(0, false);
        assertThat(inner.lastTimeout()).as("a poll stays a poll").isZero();
    }

    @Test
    void aTimerEarlierThanTheParkDeadlineUnparksOnceALaterOneNever() {
        arm(50, new CountingWaker());
        List<Integer> unparksSeen = new ArrayList<>();
        inner.whileParked = () -> {
            arm(100, new CountingWaker());                   // later: no unpark
            unparksSeen.add(inner.unparks.get());
            arm(10, new CountingWaker());                    // earlier: unpark
            unparksSeen.add(inner.unparks.get());
            arm(5, new CountingWaker());                     // earlier again: the first unpark covers it
            unparksSeen.add(inner.unparks.get());
        };
        driver.park(-1, false);
        assertThat(unparksSeen).containsExactly(0, 1, 1);
        inner.whileParked = () -> { };
        driver.park(-1, false);
        assertThat(inner.lastTimeout()).as("the early timer is now the deadline").isEqualTo(5 * MS);
    }

    @Test
    void cancellingWhileParkedDoesNotUnpark() {
        TimerEntry entry = arm(50, new CountingWaker());
        inner.whileParked = entry::cancelTimer;
        driver.park(-1, false);
        assertThat(inner.unparks.get()).isZero();
        assertThat(driver.metrics().activeTimers()).isZero();
        assertThat(driver.metrics().cancelled()).isEqualTo(1);
        assertThat(driver.metrics().fired()).isZero();
    }

    @Test
    void aParkedDriverIsWokenOnceEnoughCancelledEntriesWait() {
        List<TimerEntry> entries = new ArrayList<>();
        for (int i = 0; i < 2 * TimerInbox.WAKE_THRESHOLD; i++) {
            entries.add(arm(1_000, new CountingWaker()));
        }
        driver.park(0, false);
        List<Integer> unparksSeen = new ArrayList<>();
        inner.whileParked = () -> {
            for (int i = 0; i < TimerInbox.WAKE_THRESHOLD - 1; i++) {
                entries.get(i).cancelTimer();
            }
            unparksSeen.add(inner.unparks.get());
            entries.get(TimerInbox.WAKE_THRESHOLD - 1).cancelTimer();
            unparksSeen.add(inner.unparks.get());
        };
        driver.park(-1, false);
        assertThat(unparksSeen).containsExactly(0, 1);
        assertThat(driver.metrics().cancelled()).isEqualTo(TimerInbox.WAKE_THRESHOLD);
        assertThat(driver.metrics().activeTimers()).isEqualTo(TimerInbox.WAKE_THRESHOLD);
    }

    @Test
    void movingADeadlineLaterIsLazyTheEntryIsRefiledAtItsOldSlot() {
        CountingWaker waker = new CountingWaker();
        TimerEntry entry = arm(10, waker);
        driver.park(0, false);                               // filed for 10 ms
        entry.arm(driver, 100 * MS, waker);                  // later: one CAS, nothing queued
        driver.park(-1, false);
        assertThat(waker.count()).isZero();
        assertThat(clock.nanoTime()).as("woke at the old slot").isEqualTo(10 * MS);
        while (waker.count() == 0) {
            driver.park(-1, false);                          // 64 ms: the level-1 slot cascades
        }
        assertThat(clock.nanoTime()).isEqualTo(100 * MS);
        assertThat(inner.parkTimeouts).containsExactly(0L, 10 * MS, 54 * MS, 36 * MS);
    }

    @Test
    void movingADeadlineEarlierRefilesAtOnce() {
        CountingWaker waker = new CountingWaker();
        TimerEntry entry = arm(100, waker);
        driver.park(0, false);
        entry.arm(driver, 30 * MS, waker);
        driver.park(-1, false);
        assertThat(waker.count()).isEqualTo(1);
        assertThat(clock.nanoTime()).isEqualTo(30 * MS);
    }

    @Test
    void everyDueTimerIsWokenEvenIfOneWakerThrowsAndWakersMayArmTimers() {
        AtomicInteger wakes = new AtomicInteger();
        List<TimerEntry> armedFromWakers = new ArrayList<>();
        int n = 3 * WakeBatch.CAPACITY + 5;              // several batches
        for (int i = 0; i < n; i++) {
            boolean thrower = i == 7;
            arm(20, () -> {
                wakes.incrementAndGet();
                TimerEntry again = new TimerEntry();         // re-entrant registration from a wake
                again.arm(driver, 40 * MS, () -> { });
                armedFromWakers.add(again);
                if (thrower) {
                    throw new IllegalStateException("boom (expected by the test)");
                }
            });
        }
        driver.park(-1, false);
        driver.park(-1, false);                              // the rest of the burst, without blocking
        assertThat(clock.nanoTime()).isEqualTo(20 * MS);
        assertThat(wakes.get()).isEqualTo(n);
        assertThat(driver.metrics().fired()).isEqualTo(n);
        assertThat(driver.metrics().timerWakeups()).isEqualTo(1);
        driver.park(-1, false);
        driver.park(-1, false);
        assertThat(clock.nanoTime()).isEqualTo(40 * MS);
        assertThat(driver.metrics().fired()).isEqualTo(2L * n);
        assertThat(armedFromWakers).allMatch(e -> !e.isArmed());
    }

    @Test
    void aBurstFiresInArmingOrderAtMostOneShareATurnAndParkDoesNotBlockWhileAnyIsDue() {
        int share = TimeDriver.firesPerTurnFor(EVENT_INTERVAL);
        int n = 2 * share + 10;
        List<Integer> fired = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            int index = i;
            // Deadlines inside one tick (19..20 ms], armed in deadline order, filed on level 0;
            // the next test covers timers that come down from a higher level.
            new TimerEntry().arm(driver, 19 * MS + 1 + i, () -> fired.add(index));
        }
        driver.park(-1, false);
        assertThat(fired).as("the first turn fires one share, earliest first").hasSize(share);
        assertThat(inner.parkTimeouts).as("it blocked once, until the tick").containsExactly(20 * MS);
        driver.park(-1, false);
        driver.park(-1, false);
        assertThat(inner.parkTimeouts).as("due timers left: a park returns without blocking")
                .containsExactly(20 * MS);
        assertThat(fired).hasSize(n).isSorted();
        assertThat(driver.metrics().activeTimers()).isZero();
        assertThat(driver.metrics().timerWakeups()).isEqualTo(1);
    }

    @Test
    void timersCascadingFromAHigherLevelKeepTheirArmingOrder() {
        List<Integer> fired = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            int index = i;
            new TimerEntry().arm(driver, 200 * MS + i * MS / 100, () -> fired.add(index)); // level 2
        }
        for (int turns = 0; fired.size() < 100 && turns < 20; turns++) {
            driver.park(-1, false);
        }
        assertThat(fired).hasSize(100).isSorted();
        assertThat(clock.nanoTime()).as("the last deadlines round up to 201 ms").isEqualTo(201 * MS);
    }

    @Test
    void aTimerWaitingOnTheDueListCanBeCancelledOrMovedLater() {
        int share = TimeDriver.firesPerTurnFor(EVENT_INTERVAL);
        CountingWaker early = new CountingWaker();
        for (int i = 0; i < share; i++) {
            arm(10, early);
        }
        CountingWaker cancelled = new CountingWaker();
        TimerEntry toCancel = arm(10, cancelled);
        CountingWaker moved = new CountingWaker();
        TimerEntry toMove = arm(10, moved);
        driver.park(-1, false);
        assertThat(early.count()).as("one share fired; two wait in the due slot").isEqualTo(share);
        assertThat(driver.metrics().activeTimers()).isEqualTo(2);

        toCancel.cancelTimer();
        toMove.arm(driver, 30 * MS, moved);
        driver.park(0, false);
        assertThat(cancelled.count()).isZero();
        assertThat(moved.count()).as("moved later: not fired by the old deadline").isZero();
        assertThat(driver.metrics().cancelled()).isEqualTo(1);
        assertThat(driver.metrics().activeTimers()).isEqualTo(1);
        driver.park(-1, false);
        assertThat(clock.nanoTime()).as("nothing else was due at 10 ms: parked until 30 ms").isEqualTo(30 * MS);
        assertThat(moved.count()).isEqualTo(1);
        assertThat(cancelled.count()).isZero();
        assertThat(driver.metrics().activeTimers()).isZero();
    }

    @Test
    void aTimerArmedForTheTickBeingHandedOutFiresWithItAfterTheOthers() {
        int share = TimeDriver.firesPerTurnFor(EVENT_INTERVAL);
        List<Integer> fired = new ArrayList<>();
        for (int i = 0; i < share + 5; i++) {
            int index = i;
            arm(10, () -> fired.add(index));
        }
        driver.park(-1, false);
        assertThat(fired).hasSize(share);
        // Due at the very tick whose slot is being handed out: it waits on the side, then comes back.
        new TimerEntry().arm(driver, 10 * MS - 1, () -> fired.add(-1));
        driver.park(-1, false);
        driver.park(-1, false);
        assertThat(clock.nanoTime()).isEqualTo(10 * MS);
        assertThat(fired).hasSize(share + 6).endsWith(-1);
        assertThat(fired.subList(0, share + 5)).isSorted();
        assertThat(driver.metrics().activeTimers()).isZero();
        arm(11, () -> fired.add(-2));
        driver.park(-1, false);
        assertThat(fired).endsWith(-2);
        assertThat(clock.nanoTime()).isEqualTo(11 * MS);
    }

    @Test
    void firesPerTurnIsTheEventIntervalAndAtLeastOneWakeBatch() {
        assertThat(TimeDriver.firesPerTurnFor(1)).isEqualTo(WakeBatch.CAPACITY);
        assertThat(TimeDriver.firesPerTurnFor(61)).isEqualTo(61);
        assertThat(TimeDriver.firesPerTurnFor(1_000_000)).isEqualTo(1_000_000);
        assertThatThrownBy(() -> TimeDriver.firesPerTurnFor(0))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("eventInterval");
    }

    @Test
    void aCancelledTimerNeverFiresAndLeavesAtTheNextTurn() {
        CountingWaker waker = new CountingWaker();
        List<TimerEntry> entries = new ArrayList<>();
        for (int i = 0; i < 1_000; i++) {
            entries.add(arm(1 + i % 500, waker));
        }
        driver.park(0, false);
        assertThat(driver.metrics().activeTimers()).isEqualTo(1_000);
        entries.forEach(TimerEntry::cancelTimer);
        entries.forEach(TimerEntry::cancelTimer);            // idempotent
        driver.park(0, false);
        assertThat(driver.metrics().activeTimers()).isZero();
        assertThat(driver.metrics().cancelled()).isEqualTo(1_000);
        clock.advanceNanos(1_000 * MS);
        driver.park(0, false);
        assertThat(waker.count()).isZero();
    }

    @Test
    void aMillionCancelledTimeoutsLeaveNoActiveTimer() {
        CountingWaker waker = new CountingWaker();
        TimerEntry[] window = new TimerEntry[10_000];
        for (int i = 0; i < 1_000_000; i++) {
            TimerEntry e = new TimerEntry();
            e.arm(driver, clock.nanoTime() + (1_000 + i % 9_000) * MS, waker);
            window[i % window.length] = e;
            if (i % window.length == window.length - 1) {
                driver.park(0, false);                       // some are filed, some still queued
                for (TimerEntry w : window) {
                    w.cancelTimer();
                }
                clock.advanceNanos(MS / 10);
            }
        }
        driver.park(0, false);
        assertThat(driver.metrics().activeTimers()).isZero();
        assertThat(driver.metrics().cancelled()).isEqualTo(1_000_000);
        assertThat(waker.count()).isZero();
    }

    @Test
    void pausedClockAutoAdvancesToTheNextDeadlineOnlyWhenTheRuntimeIsIdle() {
        ManualTimeSource paused = new ManualTimeSource(0, true);
        FakeInnerDriver pausedInner = new FakeInnerDriver(paused);
        TimeDriver pausedDriver = new TimeDriver(pausedInner, paused, EVENT_INTERVAL);
        CountingWaker waker = new CountingWaker();
        new TimerEntry().arm(pausedDriver, TimeUnit.HOURS.toNanos(1), waker);

        pausedDriver.park(5 * MS, false);
        assertThat(pausedInner.lastTimeout()).as("not idle: only the caller's timeout").isEqualTo(5 * MS);
        assertThat(paused.nanoTime()).as("a paused clock does not pass on its own").isZero();
        assertThat(waker.count()).isZero();

        pausedDriver.park(-1, true);
        assertThat(pausedInner.lastTimeout()).as("I/O polled before the jump").isZero();
        assertThat(paused.nanoTime()).isEqualTo(TimeUnit.HOURS.toNanos(1));
        assertThat(waker.count()).isEqualTo(1);
        assertThat(pausedDriver.metrics().timerWakeups()).isEqualTo(1);
    }

    @Test
    void aManualAdvanceOfAPausedClockWakesTheDriver() {
        ManualTimeSource paused = new ManualTimeSource(0, true);
        FakeInnerDriver pausedInner = new FakeInnerDriver(paused);
        TimeDriver pausedDriver = new TimeDriver(pausedInner, paused, EVENT_INTERVAL);
        CountingWaker waker = new CountingWaker();
        new TimerEntry().arm(pausedDriver, 30 * MS, waker);
        paused.advanceMillis(30);
        assertThat(pausedInner.unparks.get()).isEqualTo(1);
        pausedDriver.park(-1, false);
        assertThat(waker.count()).isEqualTo(1);
        pausedDriver.shutdown();
        paused.advanceMillis(1);
        assertThat(pausedInner.unparks.get()).as("unsubscribed at shutdown").isEqualTo(1);
    }

    @Test
    void aFireRacingAWakerChangeWakesOneOfThem() {
        CountingWaker first = new CountingWaker();
        CountingWaker second = new CountingWaker();
        TimerEntry entry = arm(10, first);
        assertThat(entry.pollElapsed(second)).isFalse();     // the task moved: new waker recorded
        driver.park(-1, false);
        assertThat(first.count() + second.count()).isEqualTo(1);
        assertThat(second.count()).isEqualTo(1);
        assertThat(entry.pollElapsed(second)).isTrue();
    }

    @Test
    void reArmingAFiredOrCancelledEntry() {
        CountingWaker waker = new CountingWaker();
        TimerEntry entry = arm(10, waker);
        driver.park(-1, false);
        assertThat(waker.count()).isEqualTo(1);
        entry.arm(driver, 20 * MS, waker);                   // fired entries re-arm (an interval)
        driver.park(-1, false);
        assertThat(waker.count()).isEqualTo(2);
        entry.cancelTimer();
        assertThatThrownBy(() -> entry.arm(driver, 30 * MS, waker))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("cancelled");
        TimeDriver other = new TimeDriver(new FakeInnerDriver(clock), clock, EVENT_INTERVAL);
        TimerEntry fresh = arm(50, waker);
        assertThatThrownBy(() -> fresh.arm(other, 60 * MS, waker))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("another runtime");
    }

    @Test
    void currentOutsideARuntimeFailsClearlyAndBindRestores() {
        assertThatThrownBy(TimeDriver::current)
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("must be used inside an async-runtime task");
        assertThat(TimeDriver.bind(driver)).isNull();
        assertThat(TimeDriver.current()).isSameAs(driver);
        TimeDriver other = new TimeDriver(new FakeInnerDriver(clock), clock, EVENT_INTERVAL);
        assertThat(TimeDriver.bind(other)).isSameAs(driver);
        TimeDriver.bind(driver);
        assertThat(TimeDriver.current()).isSameAs(driver);
    }

    // ---- shutdown (issue 15, defect 5) ------------------------------------------------------

    @Test
    void shutdownWakesTheOwnerOfEveryLiveTimerWithoutFiringIt() {
        CountingWaker filed = new CountingWaker();
        CountingWaker queued = new CountingWaker();
        CountingWaker cancelled = new CountingWaker();
        CountingWaker fired = new CountingWaker();
        TimerEntry filedEntry = arm(5_000, filed);
        arm(10, fired);
        TimerEntry cancelledEntry = arm(7_000, cancelled);
        driver.park(-1, false); // files them; fires the 10 ms one
        assertThat(fired.count()).isEqualTo(1);
        cancelledEntry.cancelTimer();
        TimerEntry queuedEntry = arm(60_000, queued); // still in the inbox: the driver never saw it
        driver.shutdown();
        assertThat(filed.count()).as("a filed timer's owner is woken").isEqualTo(1);
        assertThat(queued.count()).as("an inbox timer's owner is woken").isEqualTo(1);
        assertThat(cancelled.count()).as("a cancelled timer wakes nobody").isZero();
        assertThat(fired.count()).as("a fired timer is not woken again").isEqualTo(1);
        assertThat(filedEntry.pollElapsed(filed)).as("woken, not fired: no timer elapses early").isFalse();
        assertThat(queuedEntry.pollElapsed(queued)).isFalse();
        assertThat(driver.metrics().activeTimers()).isZero();
    }

    @Test
    void aTimerArmedAfterShutdownWakesItsOwnerAtOnce() {
        driver.shutdown();
        CountingWaker late = new CountingWaker();
        TimerEntry entry = arm(1_000, late);
        assertThat(late.count()).isEqualTo(1);
        assertThat(entry.pollElapsed(late)).isFalse();
        entry.cancelTimer(); // the owner's cancel after the wake: no second wake
        assertThat(late.count()).isEqualTo(1);
    }
}
