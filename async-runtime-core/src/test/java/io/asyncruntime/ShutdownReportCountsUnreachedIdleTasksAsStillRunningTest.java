package io.asyncruntime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.asyncruntime.task.JoinHandle;
import io.asyncruntime.task.TaskCancelledException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.assertj.core.api.Assertions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Review16, finding on the shutdown report (issue 10): with a {@code cancel()} that blocks (the
 * documented case: the shutdown gives up on the abort walk after its progress window, "they are
 * aborted when it returns"), the idle tasks the walk has not reached yet are reported as
 * {@code stillRunning}, "still inside one poll on a worker that did not stop", although no task
 * is inside a poll and every worker stopped: {@code liveWhileFalling} counts every live task, and
 * the report takes that count as the tasks stuck in polls. A user reading the report is sent
 * looking for a task that blocks its worker, while the culprit is a blocking {@code cancel()}.
 * Deterministic: the blocked cancel() is released only after the report.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ShutdownReportCountsUnreachedIdleTasksAsStillRunningTest {

    private static final int TASKS = 1_000;

    @Test
    void idleTasksTheBlockedAbortWalkHasNotReachedAreNotStillInsideAPoll() throws Exception {
        AsyncRuntime runtime = AsyncRuntime.builder().workerThreads(2).build();
        AtomicInteger polled = new AtomicInteger();
        AtomicBoolean firstCancel = new AtomicBoolean();
        CountDownLatch cancelBlocked = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        List<JoinHandle<Void>> handles = new ArrayList<>();
        for (int i = 0; i < TASKS; i++) {
            handles.add(runtime.spawn(new IdleTaskWithBlockingCancel(polled, firstCancel, cancelBlocked, release)));
        }
        await().atMost(Duration.ofSeconds(30)).until(() -> polled.get() == TASKS);

        ShutdownReport report;
        try {
            report = runtime.shutdownGracefully(Duration.ZERO);
        } finally {
            release.countDown();
        }
        assertThat(cancelBlocked.getCount()).as("the abort walk reached a cancel()").isZero();
        // Every handle completes cancelled once the blocked cancel() returns (nothing is lost).
        for (JoinHandle<Void> handle : handles) {
            Assertions.assertThatThrownBy(() -> handle.get(30, TimeUnit.SECONDS)).isInstanceOf(TaskCancelledException.class);
        }
        assertThat(report.aborted()).as("%s", report).isEqualTo(TASKS);
        assertThat(report.completed()).as("%s", report).isZero();
        assertThat(report.stillRunning()).as("no task was inside a poll, every worker stopped: %s", report).isZero();
    }
}
