package io.asyncruntime.time;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.asyncruntime.AsyncRuntime;
import io.asyncruntime.RuntimeMetrics;
import io.asyncruntime.internal.time.TimerMetrics;
import io.asyncruntime.task.Context;
import io.asyncruntime.task.Poll;
import io.asyncruntime.task.Step;
import io.asyncruntime.task.Task;
import io.asyncruntime.task.Waker;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The time API on a real runtime with a paused test clock: deterministic and instant. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class TimeTest {

    private final TestClock clock = Clock.paused();
    private final AsyncRuntime runtime = AsyncRuntime.builder().workerThreads(2).clock(clock).build();

    @AfterEach
    void close() {
        runtime.close();
    }

    /** Time elapsed on the test clock since {@code start}, as seen from a task. */
    private Task<Duration> since(Instant start) {
        return Task.call(() -> Duration.between(start, Time.clock().instant()));
    }

    // ---- sleep ---------------------------------------------------------------------------------

    @Test
    void anHourLongSleepTakesAnHourOfTestClockTimeAndNoRealTime() {
        long realStart = System.nanoTime();
        Instant start = clock.instant();
        Duration slept = runtime.blockOn(Time.sleep(Duration.ofHours(1)).flatMap(v -> since(start)));
        assertThat(slept).isEqualTo(Duration.ofHours(1));
        assertThat(Duration.ofNanos(System.nanoTime() - realStart)).isLessThan(Duration.ofSeconds(20));
    }

    @Test
    void sleepsOnWorkersCompleteInDeadlineOrder() {
        List<Integer> order = java.util.Collections.synchronizedList(new ArrayList<>());
        // Spawned from inside a task: a test thread spawning one by one from outside would let the
        // runtime go idle (and the clock jump) between two spawns.
        runtime.blockOn(Task.call(() -> {
            var handles = new ArrayList<io.asyncruntime.task.JoinHandle<Void>>();
            for (int i : new int[] {5, 1, 4, 2, 3}) {
                handles.add(AsyncRuntime.current().spawn(Time.sleep(Duration.ofMinutes(i)).map(v -> {
                    order.add(i);
                    return null;
                })));
            }
            return handles;
        }).flatMap(Task::all));
        assertThat(order).containsExactly(1, 2, 3, 4, 5);
        assertThat(clock.elapsed()).isEqualTo(Duration.ofMinutes(5));
    }

    @Test
    void zeroSleepAndPastDeadlinesCompleteAtOnce() {
        runtime.blockOn(Time.sleep(Duration.ZERO));
        runtime.blockOn(Time.sleepUntil(clock.instant().minusSeconds(5)));
        assertThat(clock.elapsed()).isZero();
        Instant deadline = clock.instant().plusMillis(1_500);
        runtime.blockOn(Time.sleepUntil(deadline));
        assertThat(clock.instant()).isEqualTo(deadline);
    }

    @Test
    void aManualAdvanceFiresADueSleep() throws Exception {
        var handle = runtime.spawn(Time.sleep(Duration.ofMillis(30)));
        // Workers are idle, so auto-advance would fire it anyway; what matters is that it fires
        // no earlier than the deadline.
        handle.get(10, TimeUnit.SECONDS);
        assertThat(clock.elapsed()).isGreaterThanOrEqualTo(Duration.ofMillis(30));
    }

    // ---- timeout -------------------------------------------------------------------------------

    @Test
    void aTaskThatFinishesInTimeKeepsItsValue() {
        Task<String> fast = Time.sleep(Duration.ofMillis(10)).map(v -> "done");
        assertThat(runtime.blockOn(Time.timeout(Duration.ofSeconds(1), fast))).isEqualTo("done");
        assertThat(clock.elapsed()).isEqualTo(Duration.ofMillis(10));
    }

    @Test
    void aTaskThatTakesTooLongIsCancelledAndTheErrorNamesTheDuration() {
        CancelProbe slow = new CancelProbe();
        assertThatThrownBy(() -> runtime.blockOn(Time.timeout(Duration.ofMillis(250), slow)))
                .isInstanceOf(CompletionException.class)
                .cause()
                .isInstanceOf(TaskTimeoutException.class)
                .isInstanceOf(TimeoutException.class)
                .hasMessage("task timed out after PT0.25S");
        assertThat(slow.cancelled).isTrue();
        assertThat(clock.elapsed()).isEqualTo(Duration.ofMillis(250));
    }

    @Test
    void aResultReadyInTheSameTickWinsOverTheTimeout() {
        // Both timers are due at the same tick; the timeout polls its task first.
        Task<String> sameTick = Time.sleep(Duration.ofMillis(100)).map(v -> "value");
        assertThat(runtime.blockOn(Time.timeout(Duration.ofMillis(100), sameTick))).isEqualTo("value");
    }

    @Test
    void aFailureOfTheTaskPassesThroughTheTimeout() {
        Task<String> failing = Time.sleep(Duration.ofMillis(5)).map(v -> {
            throw new IllegalStateException("inner failure");
        });
        assertThatThrownBy(() -> runtime.blockOn(Time.timeout(Duration.ofSeconds(1), failing)))
                .isInstanceOf(IllegalStateException.class).hasMessage("inner failure");
    }

    @Test
    void aZeroTimeoutGivesTheTaskOnePoll() {
        assertThat(runtime.blockOn(Time.timeout(Duration.ZERO, Task.completed(7)))).isEqualTo(7);
        assertThatThrownBy(() -> runtime.blockOn(Time.timeout(Duration.ZERO, Time.sleep(Duration.ofMillis(1)))))
                .cause().isInstanceOf(TaskTimeoutException.class);
    }

    @Test
    void cancellingATimeoutCancelsItsTaskAndReleasesItsTimer() {
        CancelProbe inner = new CancelProbe();
        // race: the completed branch wins at the first poll, the timeout is cancelled.
        String winner = runtime.blockOn(Task.race(Time.timeout(Duration.ofHours(1), inner), Task.completed("fast")));
        assertThat(winner).isEqualTo("fast");
        assertThat(inner.cancelled).isTrue();
        runtime.blockOn(Time.sleep(Duration.ofMillis(1)));           // the driver turns
        TimeAccuracyTest.TimeDriverMetricsProbe.assertNoActiveTimers(runtime);
        assertThat(clock.elapsed()).isLessThan(Duration.ofHours(1));
    }

    @Test
    void aMillionCancelledTimeoutsLeaveNoActiveTimer() {
        int n = Integer.getInteger("timeTest.n", 1_000_000);
        Task<Integer> loop = Task.loop(0, i -> Task.race(
                        Time.timeout(Duration.ofSeconds(1 + i % 10), Task.<Integer>never()),
                        Task.completed(i))
                .map(v -> v + 1 < n ? Step.<Integer, Integer>next(v + 1) : Step.<Integer, Integer>done(v + 1)));
        assertThat(runtime.blockOn(loop)).isEqualTo(n);
        runtime.blockOn(Time.sleep(Duration.ofMillis(1)));           // the driver turns
        TimeAccuracyTest.TimeDriverMetricsProbe.assertNoActiveTimers(runtime);
        TimerMetrics metrics = TimeAccuracyTest.TimeDriverMetricsProbe.metrics(runtime);
        assertThat(metrics.cancelled()).isEqualTo(n);
        assertThat(metrics.fired()).isEqualTo(1);                    // only the 1 ms sleep
        RuntimeMetrics published = runtime.metrics();                // the same, through the public API
        assertThat(published.activeTimers()).isZero();
        assertThat(published.timersCancelled()).isEqualTo(n);
        assertThat(published.timersFired()).isEqualTo(1);
    }

    // ---- interval ------------------------------------------------------------------------------

    @Test
    void aOneHourIntervalTicksOnScheduleInstantly() {
        Interval interval = Time.interval(Duration.ofHours(1));
        List<Duration> ticks = collectTicks(interval, 5, Duration.ZERO);
        assertThat(ticks).containsExactly(Duration.ZERO, Duration.ofHours(1), Duration.ofHours(2),
                Duration.ofHours(3), Duration.ofHours(4));
    }

    @Test
    void burstCatchesUpBackToBackOnTheOriginalGrid() {
        Interval interval = Time.interval(Duration.ofMillis(100));
        assertThat(interval.missedTickBehavior()).isEqualTo(MissedTickBehavior.BURST);
        assertThat(collectTicks(interval, 5, Duration.ofMillis(350)))
                .containsExactly(ms(0), ms(100), ms(200), ms(300), ms(400));
    }

    @Test
    void delayRestartsTheScheduleFromTheLateTick() {
        Interval interval = Time.interval(Duration.ofMillis(100)).missedTickBehavior(MissedTickBehavior.DELAY);
        assertThat(collectTicks(interval, 4, Duration.ofMillis(350)))
                .containsExactly(ms(0), ms(100), ms(450), ms(550));
    }

    @Test
    void skipDropsMissedTicksAndStaysOnTheGrid() {
        Interval interval = Time.interval(Duration.ofMillis(100)).missedTickBehavior(MissedTickBehavior.SKIP);
        assertThat(collectTicks(interval, 4, Duration.ofMillis(350)))
                .containsExactly(ms(0), ms(100), ms(400), ms(500));
    }

    @Test
    void aTickUpToFiveMillisecondsLateIsNotMissed() {
        Interval interval = Time.interval(Duration.ofMillis(100)).missedTickBehavior(MissedTickBehavior.DELAY);
        assertThat(collectTicks(interval, 3, Duration.ofMillis(105))).containsExactly(ms(0), ms(100), ms(200));
    }

    @Test
    void intervalAtStartsAtItsStartAndResetRestartsFromNow() {
        Instant start = clock.instant().plusSeconds(10);
        Interval interval = Time.intervalAt(start, Duration.ofSeconds(1));
        Instant first = runtime.blockOn(interval.tick());
        assertThat(first).isEqualTo(start);
        assertThat(clock.instant()).isEqualTo(start);
        interval.reset();
        runtime.blockOn(Time.sleep(Duration.ofMillis(500)));
        interval.reset();                                    // next tick: one period from now
        Instant second = runtime.blockOn(interval.tick());
        assertThat(Duration.between(start, second)).isEqualTo(Duration.ofMillis(1_500));
    }

    /**
     * Takes {@code n} ticks; after the first, sleeps {@code lateBy} once (the task was busy).
     * Returns each tick's scheduled instant relative to the first.
     */
    private List<Duration> collectTicks(Interval interval, int n, Duration lateBy) {
        List<Instant> instants = new ArrayList<>();
        Task<Void> body = Task.loop(0, i -> interval.tick().flatMap(at -> {
            instants.add(at);
            Task<Void> pause = i == 0 && !lateBy.isZero() ? Time.sleep(lateBy) : Task.completed(null);
            return pause.map(v -> i + 1 < n ? Step.<Integer, Void>next(i + 1) : Step.<Integer, Void>done(null));
        }));
        runtime.blockOn(body);
        List<Duration> relative = new ArrayList<>();
        for (Instant at : instants) {
            relative.add(Duration.between(instants.get(0), at));
        }
        return relative;
    }

    private static Duration ms(long millis) {
        return Duration.ofMillis(millis);
    }

    // ---- bad input -----------------------------------------------------------------------------

    @Test
    void badArgumentsFailFastNamingTheArgument() {
        assertThatThrownBy(() -> Time.sleep(null)).isInstanceOf(NullPointerException.class).hasMessageContaining("duration");
        assertThatThrownBy(() -> Time.sleep(Duration.ofMillis(-1)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("duration must be >= 0");
        assertThatThrownBy(() -> Time.sleep(Time.MAX_DELAY.plusMillis(1)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("duration must be at most");
        assertThatThrownBy(() -> Time.sleep(Duration.ofSeconds(Long.MAX_VALUE)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("duration must be at most");
        assertThatThrownBy(() -> Time.sleepUntil(null)).isInstanceOf(NullPointerException.class).hasMessageContaining("deadline");
        assertThatThrownBy(() -> Time.timeout(Duration.ofSeconds(-1), Task.completed(1)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("duration must be >= 0");
        assertThatThrownBy(() -> Time.timeout(Duration.ofSeconds(1), null))
                .isInstanceOf(NullPointerException.class).hasMessageContaining("task");
        assertThatThrownBy(() -> Time.interval(Duration.ZERO))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("period must be > 0");
        assertThatThrownBy(() -> Time.interval(Duration.ofMillis(-5)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("period must be >= 0");
        assertThatThrownBy(() -> Time.intervalAt(null, Duration.ofSeconds(1)))
                .isInstanceOf(NullPointerException.class).hasMessageContaining("start");
        assertThatThrownBy(() -> Time.interval(Duration.ofSeconds(1)).missedTickBehavior(null))
                .isInstanceOf(NullPointerException.class).hasMessageContaining("behavior");
        assertThatThrownBy(() -> clock.advance(Duration.ofSeconds(-1)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("duration must be >= 0");
        assertThatThrownBy(() -> AsyncRuntime.builder().clock(null))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("clock");
    }

    @Test
    void aDeadlineBeyondTheWheelFailsTheTaskNamingTheArgument() {
        Instant tooFar = clock.instant().plus(Time.MAX_DELAY).plusSeconds(1);
        assertThatThrownBy(() -> runtime.blockOn(Time.sleepUntil(tooFar)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("deadline must be at most");
        assertThatThrownBy(() -> runtime.blockOn(Time.intervalAt(tooFar, Duration.ofSeconds(1)).tick()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("start must be at most");
        // The maximum itself is fine.
        runtime.blockOn(Time.sleep(Time.MAX_DELAY));
        assertThat(clock.elapsed()).isEqualTo(Time.MAX_DELAY);
    }

    @Test
    void timersOutsideARuntimeFailClearly() {
        Context outside = new Context() {
            @Override
            public Waker waker() {
                return () -> { };
            }

            @Override
            public boolean consumeBudget() {
                return true;
            }

            @Override
            public void requestYield() {
            }
        };
        String message = "must be used inside an async-runtime task";
        assertThatThrownBy(() -> Time.sleep(Duration.ofMillis(1)).poll(outside))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining(message);
        assertThatThrownBy(() -> Time.timeout(Duration.ofMillis(1), Task.completed(1)).poll(outside))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining(message);
        assertThatThrownBy(() -> Time.interval(Duration.ofMillis(1)).tick().poll(outside))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining(message);
        assertThatThrownBy(Time::clock).isInstanceOf(IllegalStateException.class).hasMessageContaining(message);
    }

    /** A task that stays pending and records its cancellation. */
    private static final class CancelProbe implements Task<String> {
        volatile boolean cancelled;

        @Override
        public Poll<String> poll(Context cx) {
            if (cancelled) {
                throw new AssertionError("polled after cancel");
            }
            return Poll.pending();
        }

        @Override
        public void cancel() {
            cancelled = true;
        }
    }
}
