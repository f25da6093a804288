package io.asyncruntime.internal.scheduler;

import static org.assertj.core.api.Assertions.assertThat;

import io.asyncruntime.task.JoinHandle;
import io.asyncruntime.task.Priority;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * An error that escapes a turn of a worker's run loop outside any poll (here: the driver throws an
 * {@link Error} from its park, as a user's waker fired by it could, or an out-of-memory while
 * parking) must not end the worker. Before, the worker's thread died, and on its way out cancelled
 * its own queued tasks and every task in the inject queues of a runtime that was still running;
 * on a one-worker runtime nothing ran again.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class WorkerLoopErrorTest {

    private Scheduler scheduler;

    @AfterEach
    void shutdown() {
        if (scheduler != null) {
            scheduler.shutdown(Duration.ofSeconds(5));
        }
    }

    @Test
    void aWorkerSurvivesAnErrorFromItsDriverAndRunsEveryTaskAfterwards() throws Exception {
        ErrorOnParkDriver driver = new ErrorOnParkDriver(3);
        scheduler = new Scheduler(config(1), driver);
        scheduler.start();

        // The worker parks (and the driver throws) whenever it runs out of work: keep giving it
        // work until all three errors were thrown, then check it still runs everything.
        List<JoinHandle<Integer>> handles = new ArrayList<>();
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(20)).until(() -> {
            int value = handles.size();
            JoinHandle<Integer> handle = scheduler.spawn(() -> value, Priority.NORMAL, "after-error-" + value);
            assertThat(handle.get(10, TimeUnit.SECONDS)).isEqualTo(value);
            handles.add(handle);
            return driver.thrown.get() == 3;
        });
        for (int round = 0; round < 20; round++) {
            int value = round;
            assertThat(scheduler.spawn(() -> value, Priority.NORMAL, "later-" + round).get(10, TimeUnit.SECONDS))
                    .isEqualTo(value);
        }
        assertThat(scheduler.workerLoopErrors()).as("errors the run loop survived").isEqualTo(3);
        assertThat(scheduler.deadWorkers()).isZero();
        assertThat(handles).allMatch(h -> h.isDone() && !h.isCancelled());
    }

    @Test
    void aDeadWorkerIsCountedUntilTheRuntimeCloses() throws Exception {
        Runnable failingStart = () -> {
            throw new IllegalStateException("a thread-start hook that fails");
        };
        // The workers' threads end with an uncaught exception: record it (and keep Awaitility from
        // reporting it as this test's failure).
        List<Throwable> uncaught = new java.util.concurrent.CopyOnWriteArrayList<>();
        Thread.UncaughtExceptionHandler previous = Thread.getDefaultUncaughtExceptionHandler();
        Thread.setDefaultUncaughtExceptionHandler((thread, error) -> uncaught.add(error));
        try {
            scheduler = new Scheduler(new SchedulerConfig(2, "loop-error-", 31, 61, true, 3, new int[] {0, 25, 10},
                    failingStart, () -> { }, 0), new ThreadParkDriver());
            scheduler.start();
            org.awaitility.Awaitility.await().dontCatchUncaughtExceptions().atMost(Duration.ofSeconds(10))
                    .until(() -> scheduler.deadWorkers() == 2);
            assertThat(uncaught).hasSize(2).allMatch(e -> "a thread-start hook that fails".equals(e.getMessage()));
            scheduler.shutdown(Duration.ofSeconds(1));
            assertThat(scheduler.deadWorkers()).as("after close").isZero();
            scheduler = null;
        } finally {
            Thread.setDefaultUncaughtExceptionHandler(previous);
        }
    }

    private static SchedulerConfig config(int workers) {
        return new SchedulerConfig(workers, "loop-error-", 31, 61, true, 3, new int[] {0, 25, 10},
                () -> { }, () -> { }, 0);
    }

    /** A thread-park driver whose blocking parks throw an {@link AssertionError} the first {@code n} times. */
    private static final class ErrorOnParkDriver implements Driver {
        private final ThreadParkDriver inner = new ThreadParkDriver();
        private final AtomicInteger left;
        final AtomicInteger thrown = new AtomicInteger();

        ErrorOnParkDriver(int n) {
            this.left = new AtomicInteger(n);
        }

        @Override
        public void park(long timeoutNanos, boolean runtimeIdle) {
            if (timeoutNanos != 0 && left.getAndDecrement() > 0) {
                thrown.incrementAndGet();
                throw new AssertionError("the driver failed while parking");
            }
            inner.park(timeoutNanos, runtimeIdle);
        }

        @Override
        public void unpark() {
            inner.unpark();
        }

        @Override
        public void shutdown() {
            inner.shutdown();
        }
    }
}
