package io.asyncruntime.time;

import static org.assertj.core.api.Assertions.assertThat;

import io.asyncruntime.AsyncRuntime;
import io.asyncruntime.internal.time.TimeDriver;
import io.asyncruntime.task.JoinHandle;
import io.asyncruntime.task.Task;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Timers on the system clock: they fire, none early, on a 2-worker runtime. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class TimeAccuracyTest {

    private static final Logger LOG = LoggerFactory.getLogger(TimeAccuracyTest.class);

    @Test
    void tenThousandConcurrentFiftyMillisecondSleepsAllFireAndNoneEarly() {
        int n = 10_000;
        long sleepNanos = TimeUnit.MILLISECONDS.toNanos(50);
        try (AsyncRuntime runtime = AsyncRuntime.builder().workerThreads(2).build()) {
            List<Long> elapsed = runtime.blockOn(Task.call(() -> {
                List<JoinHandle<Long>> handles = new ArrayList<>(n);
                for (int i = 0; i < n; i++) {
                    // The start is taken at the sleep's first poll, right before it arms its timer.
                    handles.add(AsyncRuntime.current().spawn(Task.call(System::nanoTime).flatMap(start ->
                            Time.sleep(Duration.ofNanos(sleepNanos)).map(v -> System.nanoTime() - start))));
                }
                return handles;
            }).flatMap(Task::all));
            long[] sorted = elapsed.stream().mapToLong(Long::longValue).sorted().toArray();
            assertThat(sorted).hasSize(n);
            assertThat(sorted[0]).as("no sleep ends early").isGreaterThanOrEqualTo(sleepNanos);
            long p50 = sorted[n / 2] - sleepNanos;
            long p99 = sorted[n * 99 / 100] - sleepNanos;
            LOG.info("10,000 x 50 ms sleeps: lateness p50 {} us, p99 {} us, max {} us", p50 / 1_000, p99 / 1_000,
                    (sorted[n - 1] - sleepNanos) / 1_000);
            // A loose sanity bound only (shared, loaded CI machine); the benchmark measures lateness.
            assertThat(Duration.ofNanos(p50)).isLessThan(Duration.ofSeconds(2));
            TimeDriverMetricsProbe.assertNoActiveTimers(runtime);
        }
    }

    @Test
    void aTimeoutOnTheSystemClockFiresAfterItsDuration() {
        try (AsyncRuntime runtime = AsyncRuntime.builder().workerThreads(2).build()) {
            long start = System.nanoTime();
            Throwable failure = null;
            try {
                runtime.blockOn(Time.timeout(Duration.ofMillis(30), Task.never()));
            } catch (RuntimeException e) {
                failure = e.getCause();
            }
            assertThat(failure).isInstanceOf(TaskTimeoutException.class);
            assertThat(System.nanoTime() - start).isGreaterThanOrEqualTo(TimeUnit.MILLISECONDS.toNanos(30));
        }
    }

    /** Reads the runtime's timer metrics (a blockOn thread is bound to the runtime's driver). */
    static final class TimeDriverMetricsProbe {
        static io.asyncruntime.internal.time.TimerMetrics metrics(AsyncRuntime runtime) {
            return runtime.blockOn(Task.call(() -> TimeDriver.current().metrics()));
        }

        /** The metrics are as of the driver's last turn: wait (bounded) for the turn to publish them. */
        static void assertNoActiveTimers(AsyncRuntime runtime) {
            org.awaitility.Awaitility.await().atMost(10, TimeUnit.SECONDS)
                    .until(() -> metrics(runtime).activeTimers() == 0);
        }
    }
}
