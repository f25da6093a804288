package io.asyncruntime;

import static org.assertj.core.api.Assertions.assertThat;

import io.asyncruntime.task.Context;
import io.asyncruntime.task.JoinHandle;
import io.asyncruntime.task.Poll;
import io.asyncruntime.task.Task;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Regression (lead14, the Spring test {@code aStuckTaskAndAnIdleOneAreAbortedWithinThePhaseTimeoutAndReported}
 * failed once on a loaded box: an idle task's handle was not cancelled when the context's close
 * returned). The shutdown watched its abort thread by progress alone: a window of 100 ms in which
 * the walk finished with no task meant "a {@code cancel()} blocks", and the shutdown went on
 * without the rest. A walk that is merely slow (starved of CPU, paused with every other thread by
 * a safepoint, or a {@code cancel()} that computes for a while) looked the same, and close returned
 * with idle handles not done although nothing blocked. Now a window without progress ends the wait
 * only when the abort thread is not runnable (parked, waiting on a monitor, sleeping: a blocked
 * {@code cancel()}); a runnable one is waited for up to the abort's cap.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class SlowAbortIsWaitedForTest {

    /** Longer than two progress windows (the old code gave up after the second). */
    private static final long SLOW_CANCEL_NANOS = TimeUnit.MILLISECONDS.toNanos(400);

    @Test
    void anAbortWhoseCancelIsSlowButRunnableIsWaitedForAndEveryHandleIsDone() throws Exception {
        AsyncRuntime runtime = AsyncRuntime.builder().workerThreads(2).build();
        CountDownLatch polled = new CountDownLatch(2);
        AtomicBoolean firstCancel = new AtomicBoolean();
        JoinHandle<Void> first = runtime.spawn(new SlowCancelTask(polled, firstCancel));
        JoinHandle<Void> second = runtime.spawn(new SlowCancelTask(polled, firstCancel));
        assertThat(polled.await(30, TimeUnit.SECONDS)).isTrue();

        ShutdownReport report = runtime.shutdownGracefully(Duration.ofMillis(100));

        assertThat(firstCancel).isTrue();
        assertThat(first.isDone()).as("first handle done when the shutdown returned; %s", report).isTrue();
        assertThat(second.isDone()).as("second handle done when the shutdown returned; %s", report).isTrue();
        assertThat(first.isCancelled()).isTrue();
        assertThat(second.isCancelled()).isTrue();
        assertThat(report.aborted()).as("aborted: %s", report).isEqualTo(2);
        assertThat(report.stillRunning()).as("still running: %s", report).isZero();
    }

    /** Idle forever; the first {@code cancel()} of the pair computes for {@link #SLOW_CANCEL_NANOS} (runnable throughout). */
    private static final class SlowCancelTask implements Task<Void> {
        private final CountDownLatch polled;
        private final AtomicBoolean firstCancel;

        SlowCancelTask(CountDownLatch polled, AtomicBoolean firstCancel) {
            this.polled = polled;
            this.firstCancel = firstCancel;
        }

        @Override
        public Poll<Void> poll(Context cx) {
            polled.countDown();
            return Poll.pending();
        }

        @Override
        public void cancel() {
            if (firstCancel.compareAndSet(false, true)) {
                long end = System.nanoTime() + SLOW_CANCEL_NANOS;
                while (System.nanoTime() - end < 0) {
                    Thread.onSpinWait();
                }
            }
        }
    }
}
