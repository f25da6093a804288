package io.asyncruntime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.asyncruntime.task.JoinHandle;
import io.asyncruntime.task.Task;
import io.asyncruntime.task.TaskCancelledException;
import io.asyncruntime.time.Time;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Issue 15, defect 5: {@code close()} completes the handles of tasks that were polled and wait on
 * a timer (the driver drops its timers at shutdown; their tasks are cancelled), and ends a
 * {@code blockOn} in progress with a clear cancellation that says the runtime closed.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class CloseCompletesHandlesTest {

    private static final long BOUND_SECONDS = 10;

    @Test
    void closeCompletesAnIdleTaskWaitingOnATimer() throws Exception {
        // close() drains for the shutdown timeout (issue 10): shorter than the 900 ms sleep, so
        // every sleeper is still waiting on its timer when the shutdown aborts it.
        AsyncRuntime runtime = AsyncRuntime.builder().workerThreads(2).shutdownTimeout(Duration.ofMillis(100)).build();
        CountDownLatch polled = new CountDownLatch(3);
        List<JoinHandle<Void>> sleepers = new ArrayList<>();
        sleepers.add(runtime.spawn(Task.run(polled::countDown).flatMap(v -> Time.sleep(Duration.ofHours(1)))));
        sleepers.add(runtime.spawn(Task.run(polled::countDown).flatMap(v -> Time.timeout(Duration.ofHours(2), Task.<Void>never()))));
        sleepers.add(runtime.spawn(Task.run(polled::countDown).flatMap(v -> Time.sleep(Duration.ofMillis(900)))));
        polled.await();
        runtime.close();
        for (JoinHandle<Void> sleeper : sleepers) {
            assertThatThrownBy(() -> sleeper.get(BOUND_SECONDS, TimeUnit.SECONDS))
                    .as("the handle of %s completes, as cancelled", sleeper)
                    .isInstanceOf(TaskCancelledException.class);
        }
    }

    @Test
    void closeEndsABlockOnInProgressWithAClearCancellation() throws Exception {
        // Round 1: the task waits on nothing the runtime owns, and close() comes from another
        // thread; round 2: it waits on a timer, and close() comes from the test thread.
        for (boolean onATimer : new boolean[] {false, true}) {
            AsyncRuntime runtime = AsyncRuntime.builder().workerThreads(1).build();
            Task<Void> waitsForever = onATimer ? Time.sleep(Duration.ofHours(1)) : Task.never();
            CountDownLatch polled = new CountDownLatch(1);
            Gate cancelledProbe = new Gate();
            AtomicReference<Throwable> outcome = new AtomicReference<>();
            Thread blocker = new Thread(() -> {
                try {
                    runtime.blockOn(Task.race(Task.run(polled::countDown).flatMap(v -> waitsForever), cancelledProbe));
                    outcome.set(new AssertionError("blockOn returned"));
                } catch (Throwable t) {
                    outcome.set(t);
                }
            }, "blocked-caller");
            blocker.setDaemon(true); // before the fix it never ends
            blocker.start();
            polled.await();
            if (onATimer) {
                runtime.close();
            } else {
                Thread closer = new Thread(runtime::close, "closer");
                closer.start();
                closer.join(TimeUnit.SECONDS.toMillis(BOUND_SECONDS));
            }
            blocker.join(TimeUnit.SECONDS.toMillis(BOUND_SECONDS));
            assertThat(blocker.isAlive()).as("blockOn still blocked after close() (timer: %s)", onATimer).isFalse();
            assertThat(outcome.get()).isInstanceOf(TaskCancelledException.class).hasMessageContaining("closed");
            assertThat(cancelledProbe.cancelled).as("blockOn's task was cancelled").isTrue();
        }
    }
}
