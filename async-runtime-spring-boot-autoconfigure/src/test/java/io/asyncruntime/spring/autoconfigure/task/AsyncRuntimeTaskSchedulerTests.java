package io.asyncruntime.spring.autoconfigure.task;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import io.asyncruntime.AsyncRuntime;
import io.asyncruntime.ShutdownReport;
import io.asyncruntime.time.Clock;
import io.asyncruntime.time.TestClock;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import org.springframework.core.task.TaskRejectedException;
import org.springframework.scheduling.support.CronTrigger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.awaitility.Awaitility.await;

/**
 * Tests for {@link AsyncRuntimeTaskScheduler}, in the virtual time of a paused test clock: the
 * runtime jumps to its next timer whenever every worker is idle, so schedules of seconds and hours
 * run at once and their times are exact.
 */
class AsyncRuntimeTaskSchedulerTests {

    private final TestClock clock = Clock.paused();

    private final AsyncRuntime runtime = AsyncRuntime.builder().workerThreads(2).clock(this.clock).build();

    private final AsyncRuntimeTaskScheduler scheduler = new AsyncRuntimeTaskScheduler(this.runtime, null, null);

    @AfterEach
    void close() {
        this.runtime.close();
    }

    // Issue 12 review: a schedule waiting for its next time kept a graceful shutdown waiting for the
    // whole deadline, and was then counted as aborted (4 aborted, 5 s, before the fix).
    @Test
    void schedulesEndWhenTheRuntimeShutsDownInsteadOfHoldingUpTheDrain() throws Exception {
        try (AsyncRuntime real = AsyncRuntime.builder().workerThreads(1).build()) {
            AsyncRuntimeTaskScheduler onReal = new AsyncRuntimeTaskScheduler(real, null, null);
            CountDownLatch ranOnce = new CountDownLatch(2);
            List<ScheduledFuture<?>> futures = List.of(
                    onReal.scheduleAtFixedRate(ranOnce::countDown, Duration.ofHours(1)),
                    onReal.scheduleWithFixedDelay(ranOnce::countDown, Duration.ofHours(1)),
                    onReal.schedule(() -> { }, new CronTrigger("0 0 0 1 1 *")),
                    onReal.schedule(() -> { }, onReal.getClock().instant().plus(Duration.ofHours(1))));
            assertThat(ranOnce.await(10, TimeUnit.SECONDS)).as("the fixed-rate and fixed-delay schedules ran").isTrue();
            ShutdownReport report = real.shutdownGracefully(Duration.ofSeconds(5));
            assertThat(report.aborted()).as("aborted: %s", report).isZero();
            assertThat(report.drained()).isTrue();
            assertThat(report.total()).isLessThan(Duration.ofSeconds(2));
            for (ScheduledFuture<?> future : futures) {
                assertThat(future.isDone()).isTrue();
                assertThat(future.get(1, TimeUnit.SECONDS)).isNull();
            }
        }
    }

    @Test
    void clockIsTheRuntimes() {
        assertThat(this.scheduler.getClock().instant()).isEqualTo(this.clock.instant());
    }

    @Test
    void oneShotRunsAtItsInstantOnAWorker() throws Exception {
        Instant start = this.clock.instant();
        List<String> runs = new CopyOnWriteArrayList<>();
        ScheduledFuture<?> future = this.scheduler.schedule(() -> runs.add(
                Thread.currentThread().getName() + " at +" + Duration.between(start, this.clock.instant())),
                start.plus(Duration.ofMinutes(5)));
        assertThat(future.get(10, TimeUnit.SECONDS)).isNull();
        assertThat(runs).singleElement().asString().matches("async-runtime-worker-blocking-\\d+ at \\+PT5M");
        assertThat(future.isDone()).isTrue();
    }

    @Test
    void fixedRateRunsOnTheScheduleAndCatchesUpWithoutOverlap() throws Exception {
        Instant start = this.clock.instant().plusSeconds(1);
        List<Duration> runs = new CopyOnWriteArrayList<>();
        AtomicInteger running = new AtomicInteger();
        CountDownLatch sixRuns = new CountDownLatch(6);
        ScheduledFuture<?> future = this.scheduler.scheduleAtFixedRate(() -> {
            assertThat(running.incrementAndGet()).isOne();
            runs.add(Duration.between(start, this.clock.instant()));
            if (runs.size() == 2) {
                // The second run takes 25 s: the runs due at +20 s and +30 s follow it at once.
                this.clock.advance(Duration.ofSeconds(25));
            }
            running.decrementAndGet();
            sixRuns.countDown();
        }, start, Duration.ofSeconds(10));
        assertThat(sixRuns.await(10, TimeUnit.SECONDS)).isTrue();
        future.cancel(false);
        // A copy: a run already under way when cancel(false) returns may still add to runs, and a
        // sub-list of a CopyOnWriteArrayList then throws ConcurrentModificationException (seen once).
        assertThat(List.copyOf(runs).subList(0, 6))
                .containsExactly(Duration.ZERO, Duration.ofSeconds(10), Duration.ofSeconds(35),
                        Duration.ofSeconds(35), Duration.ofSeconds(40), Duration.ofSeconds(50));
    }

    @Test
    void fixedDelayWaitsTheDelayAfterEachRunEnds() throws Exception {
        Instant start = this.clock.instant();
        List<Duration> runs = new CopyOnWriteArrayList<>();
        CountDownLatch threeRuns = new CountDownLatch(3);
        ScheduledFuture<?> future = this.scheduler.scheduleWithFixedDelay(() -> {
            runs.add(Duration.between(start, this.clock.instant()));
            this.clock.advance(Duration.ofSeconds(3));
            threeRuns.countDown();
        }, Duration.ofSeconds(10));
        assertThat(threeRuns.await(10, TimeUnit.SECONDS)).isTrue();
        future.cancel(false);
        assertThat(List.copyOf(runs).subList(0, 3)).containsExactly(Duration.ZERO, Duration.ofSeconds(13), Duration.ofSeconds(26));
    }

    @Test
    void triggerIsAskedForEachNextTime() throws Exception {
        List<Instant> runs = new CopyOnWriteArrayList<>();
        CountDownLatch threeRuns = new CountDownLatch(3);
        ScheduledFuture<?> future = this.scheduler.schedule(() -> {
            runs.add(this.clock.instant());
            threeRuns.countDown();
        }, new CronTrigger("*/15 * * * * *"));
        assertThat(threeRuns.await(10, TimeUnit.SECONDS)).isTrue();
        future.cancel(false);
        // On 15 s boundaries, give or take the timing wheel's 1 ms resolution.
        assertThat(List.copyOf(runs).subList(0, 3)).allMatch((run) -> run.getEpochSecond() % 15 == 0 && run.getNano() < 1_000_000);
        assertThat(Duration.between(runs.get(0), runs.get(2))).isEqualTo(Duration.ofSeconds(30));
    }

    @Test
    void cancellingAScheduleReleasesItsTimerAndItNeverRunsAgain() {
        // On the system clock: a paused clock would jump straight to the timer with the workers idle.
        try (AsyncRuntime systemTime = AsyncRuntime.builder().workerThreads(1).build()) {
            AsyncRuntimeTaskScheduler onSystemTime = new AsyncRuntimeTaskScheduler(systemTime, null, null);
            AtomicInteger runs = new AtomicInteger();
            ScheduledFuture<?> future = onSystemTime.schedule(runs::incrementAndGet,
                    onSystemTime.getClock().instant().plusSeconds(3600));
            assertThat(future.getDelay(TimeUnit.SECONDS)).isBetween(3590L, 3600L);
            await().atMost(Duration.ofSeconds(10)).until(() -> systemTime.metrics().activeTimers() == 1);
            assertThat(future.cancel(false)).isTrue();
            assertThat(future.isCancelled()).isTrue();
            assertThat(future.isDone()).isTrue();
            // The wheel unlinks a cancelled timer at the driver's next turn: spawn a task to turn it.
            await().atMost(Duration.ofSeconds(10)).until(() -> {
                systemTime.spawn(() -> null).get();
                return systemTime.metrics().activeTimers() == 0;
            });
            assertThat(runs).hasValue(0);
        }
    }

    @Test
    void aRepeatingTaskThatFailsKeepsItsScheduleAndAOneShotFailureCompletesItsFuture() throws Exception {
        CountDownLatch threeRuns = new CountDownLatch(3);
        ScheduledFuture<?> repeating = this.scheduler.scheduleAtFixedRate(() -> {
            threeRuns.countDown();
            throw new IllegalStateException("boom");
        }, Duration.ofSeconds(1));
        assertThat(threeRuns.await(10, TimeUnit.SECONDS)).isTrue();
        repeating.cancel(false);
        ScheduledFuture<?> oneShot = this.scheduler.schedule(() -> {
            throw new IllegalStateException("once");
        }, this.clock.instant());
        assertThatExceptionOfType(ExecutionException.class).isThrownBy(() -> oneShot.get(10, TimeUnit.SECONDS))
            .withCauseInstanceOf(IllegalStateException.class)
            .withMessageContaining("once");
    }

    @Test
    void decoratorWrapsEachTaskOnceWhenScheduled() throws Exception {
        AtomicInteger decorated = new AtomicInteger();
        AsyncRuntimeTaskScheduler decorating = new AsyncRuntimeTaskScheduler(this.runtime, (task) -> {
            decorated.incrementAndGet();
            return task;
        }, null);
        CountDownLatch threeRuns = new CountDownLatch(3);
        ScheduledFuture<?> future = decorating.scheduleAtFixedRate(threeRuns::countDown, Duration.ofSeconds(1));
        assertThat(threeRuns.await(10, TimeUnit.SECONDS)).isTrue();
        future.cancel(false);
        assertThat(decorated).hasValue(1);
    }

    @Test
    void aShutDownRuntimeRejectsSchedules() {
        this.runtime.close();
        assertThatExceptionOfType(TaskRejectedException.class)
            .isThrownBy(() -> this.scheduler.scheduleAtFixedRate(() -> {
            }, Duration.ofSeconds(1)));
    }

}
