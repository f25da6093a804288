package io.asyncruntime.sync;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.asyncruntime.AsyncRuntime;
import io.asyncruntime.task.JoinHandle;
import io.asyncruntime.task.Step;
import io.asyncruntime.task.Task;
import io.asyncruntime.time.Clock;
import io.asyncruntime.time.TestClock;
import io.asyncruntime.time.Time;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 60, unit = TimeUnit.SECONDS)
class RateLimiterTest {

    private final TestClock clock = Clock.paused();

    private AsyncRuntime runtime() {
        return AsyncRuntime.builder().workerThreads(2).clock(clock).build();
    }

    /**
     * Keeps a worker busy (a task that yields until released), so the paused clock cannot
     * auto-advance while a test puts waiters in place; returns the release switch.
     */
    private static java.util.concurrent.atomic.AtomicBoolean keepBusy(AsyncRuntime runtime) {
        java.util.concurrent.atomic.AtomicBoolean release = new java.util.concurrent.atomic.AtomicBoolean();
        runtime.spawn(Task.loop(0, i -> release.get()
                ? Task.completed(Step.<Integer, Void>done(null))
                : Task.yieldNow().map(ignored -> Step.<Integer, Void>next(i + 1))));
        return release;
    }

    @Test
    void badInputFailsClearly() {
        assertThatThrownBy(() -> new RateLimiter(0, Duration.ofSeconds(1))).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("permits must be at least 1, was 0");
        assertThatThrownBy(() -> new RateLimiter(1, Duration.ZERO)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("period must be positive, was PT0S");
        assertThatThrownBy(() -> new RateLimiter(1, Duration.ofSeconds(-1))).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new RateLimiter(1, Duration.ofSeconds(1), 0, clock)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("burst must be at least 1, was 0");
        assertThatThrownBy(() -> new RateLimiter(1, null)).isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> new RateLimiter(1, Duration.ofDays(3_650))).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("slower than the timing wheel's range");
        RateLimiter limiter = new RateLimiter(1, Duration.ofSeconds(1));
        assertThatThrownBy(() -> limiter.acquire(0)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("n must be at least 1, was 0");
        assertThatThrownBy(() -> limiter.tryAcquire(-1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> limiter.setRate(0, Duration.ofSeconds(1))).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void theBucketStartsFullAndRefillsAtTheRate() {
        RateLimiter limiter = new RateLimiter(10, Duration.ofSeconds(1), 5, clock);
        for (int i = 0; i < 5; i++) {
            assertThat(limiter.tryAcquire()).isTrue();
        }
        assertThat(limiter.tryAcquire()).isFalse();
        clock.advance(Duration.ofMillis(99));
        assertThat(limiter.tryAcquire()).isFalse();
        clock.advance(Duration.ofMillis(1));
        assertThat(limiter.tryAcquire()).isTrue();
        clock.advance(Duration.ofSeconds(10));
        assertThat(limiter.availablePermits()).as("capped at the burst").isEqualTo(5);
    }

    @Test
    void waitingTasksAreServedInOrderAtTheRate() throws Exception {
        try (AsyncRuntime runtime = runtime()) {
            RateLimiter limiter = new RateLimiter(10, Duration.ofSeconds(1), 1, clock);
            List<Integer> order = Collections.synchronizedList(new ArrayList<>());
            List<Duration> times = Collections.synchronizedList(new ArrayList<>());
            Duration start = clock.elapsed();
            JoinHandle<Void> all = runtime.spawn(Task.loop(0, i -> i == 6
                    ? Task.completed(Step.<Integer, Void>done(null))
                    : limiter.acquire().map(ok -> {
                        order.add(i);
                        times.add(clock.elapsed().minus(start));
                        return Step.<Integer, Void>next(i + 1);
                    })));
            all.get(10, TimeUnit.SECONDS);
            assertThat(order).containsExactly(0, 1, 2, 3, 4, 5);
            assertThat(times.get(0)).isLessThan(Duration.ofMillis(1));
            assertThat(times.get(5)).isGreaterThanOrEqualTo(Duration.ofMillis(500)).isLessThan(Duration.ofMillis(510));
        }
    }

    @Test
    void concurrentWaitersAreServedInArrivalOrder() throws Exception {
        try (AsyncRuntime runtime = runtime()) {
            RateLimiter limiter = new RateLimiter(100, Duration.ofSeconds(1), 1, clock);
            assertThat(limiter.tryAcquire()).isTrue(); // empty the bucket
            java.util.concurrent.atomic.AtomicBoolean busy = keepBusy(runtime);
            List<Integer> order = Collections.synchronizedList(new ArrayList<>());
            List<JoinHandle<Void>> tasks = new ArrayList<>();
            for (int i = 0; i < 10; i++) {
                int id = i;
                tasks.add(runtime.spawn(limiter.acquire().map(ok -> {
                    order.add(id);
                    return null;
                })));
                int queued = i + 1;
                org.awaitility.Awaitility.await().pollInterval(Duration.ofMillis(2)).atMost(Duration.ofSeconds(10)).until(() -> limiter.waiterCount() == queued);
            }
            busy.set(true);
            for (JoinHandle<Void> task : tasks) {
                task.get(10, TimeUnit.SECONDS);
            }
            assertThat(order).containsExactly(0, 1, 2, 3, 4, 5, 6, 7, 8, 9);
            assertThat(limiter.tryAcquire()).as("nobody overtook: the bucket is empty").isFalse();
        }
    }

    @Test
    void aRateChangeAppliesToTasksAlreadyWaiting() throws Exception {
        try (AsyncRuntime runtime = runtime()) {
            RateLimiter limiter = new RateLimiter(1, Duration.ofHours(1), 1, clock);
            assertThat(limiter.tryAcquire()).isTrue();
            Duration start = clock.elapsed();
            java.util.concurrent.atomic.AtomicBoolean busy = keepBusy(runtime);
            JoinHandle<Void> waiting = runtime.spawn(limiter.acquire());
            org.awaitility.Awaitility.await().pollInterval(Duration.ofMillis(2)).atMost(Duration.ofSeconds(10)).until(() -> limiter.waiterCount() == 1);
            limiter.setRate(1_000, Duration.ofSeconds(1));
            busy.set(true);
            waiting.get(10, TimeUnit.SECONDS);
            assertThat(clock.elapsed().minus(start)).as("served at the new rate, not in an hour").isLessThan(Duration.ofSeconds(1));
        }
    }

    @Test
    void aCancelledAcquireTakesNoTokensAndLeavesNothingBehind() throws Exception {
        try (AsyncRuntime runtime = runtime()) {
            RateLimiter limiter = new RateLimiter(1, Duration.ofSeconds(10), 1, clock);
            assertThat(limiter.tryAcquire()).isTrue();
            JoinHandle<Object> gaveUp = runtime.spawn(Time.timeout(Duration.ofSeconds(1), limiter.acquire())
                    .map(v -> (Object) "served").recover(timedOut -> timedOut));
            assertThat(gaveUp.get(10, TimeUnit.SECONDS)).isInstanceOf(io.asyncruntime.time.TaskTimeoutException.class);
            assertThat(limiter.waiterCount()).isZero();
            // A cancelled timer is unlinked by the driver at its next turn, and activeTimers counts
            // as of the last turn: wait (bounded) for the idle workers' turn rather than read it
            // right after the join (that read raced with the turn and failed in the int build).
            // Cancelled, not fired: a leaked entry would have made the paused clock jump to its
            // deadline at 10 s, and the cancelled counter would not have moved.
            org.awaitility.Awaitility.await().pollInterval(Duration.ofMillis(2)).atMost(Duration.ofSeconds(10))
                    .until(() -> runtime.metrics().activeTimers() == 0);
            assertThat(runtime.metrics().timersCancelled()).as("the head's timer was cancelled").isPositive();
            assertThat(clock.elapsed()).as("no jump to the cancelled timer's deadline").isLessThan(Duration.ofSeconds(10));
            clock.advance(Duration.ofSeconds(9));
            assertThat(limiter.tryAcquire()).as("the refill was not spent by the cancelled acquire").isTrue();
        }
    }

    @Test
    void aLimiterOnAnotherClockRefusesToWaitOnThisRuntime() {
        try (AsyncRuntime runtime = runtime()) {
            RateLimiter limiter = new RateLimiter(1, Duration.ofSeconds(1)); // system clock
            assertThat(limiter.tryAcquire()).isTrue();
            JoinHandle<Void> waiting = runtime.spawn(limiter.acquire());
            assertThatThrownBy(() -> waiting.get(10, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class)
                    .cause().isInstanceOf(IllegalStateException.class).hasMessageContaining("build the limiter with the runtime's clock");
            assertThat(limiter.waiterCount()).isZero();
        }
    }

    @Test
    void aRequestLargerThanTheBurstIsServedFromAFullBucketAndLeavesDebt() {
        RateLimiter limiter = new RateLimiter(10, Duration.ofSeconds(1), 2, clock);
        assertThat(limiter.tryAcquire(5)).isTrue();
        assertThat(limiter.tryAcquire()).isFalse();
        clock.advance(Duration.ofMillis(300));
        assertThat(limiter.availablePermits()).as("still paying back").isZero();
        clock.advance(Duration.ofMillis(100));
        assertThat(limiter.tryAcquire()).isTrue();
    }
}
