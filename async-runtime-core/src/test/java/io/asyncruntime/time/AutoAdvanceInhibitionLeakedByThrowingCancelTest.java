package io.asyncruntime.time;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import io.asyncruntime.AsyncRuntime;
import io.asyncruntime.task.Context;
import io.asyncruntime.task.Poll;
import io.asyncruntime.task.Task;
import io.asyncruntime.task.TaskCancelledException;
import io.asyncruntime.task.Waker;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Review of issue 15 (defects 5 and 8 as fixed): {@code BlockOn.drive} and
 * {@code AutoAdvanceGuard.cancel()} call the task's {@code cancel()} with no {@code finally}. A
 * task whose {@code cancel()} throws (the runtime itself expects that: {@code TaskCell} logs it and
 * goes on) then (1) makes an interrupted {@code blockOn} lose the caller's interrupt flag, which
 * its Javadoc promises to keep, and (2) leaves the guard inhibiting auto-advance for ever if it was
 * woken when the cancel came: the paused clock's inhibitor count stays at +1 and no later
 * {@code blockOn} on that runtime auto-advances.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class AutoAdvanceInhibitionLeakedByThrowingCancelTest {

    private final TestClock clock = Clock.paused();
    private final AsyncRuntime runtime = AsyncRuntime.builder().workerThreads(1).clock(clock).build();

    @AfterEach
    void close() {
        runtime.close();
    }

    /** Pending for ever; keeps the waker of its last poll; its cancel() is broken and throws. */
    private static final class PendingWithThrowingCancel implements Task<Void> {
        final CountDownLatch polled = new CountDownLatch(1);
        volatile Waker waker;

        @Override
        public Poll<Void> poll(Context cx) {
            waker = cx.waker();
            polled.countDown();
            return Poll.pending();
        }

        @Override
        public void cancel() {
            throw new IllegalStateException("broken cancel()");
        }
    }

    @Test
    void anInterruptedBlockOnKeepsTheInterruptFlagEvenWhenItsTaskCancelThrows() throws Exception {
        PendingWithThrowingCancel task = new PendingWithThrowingCancel();
        AtomicReference<Throwable> thrown = new AtomicReference<>();
        AtomicBoolean interruptedAfter = new AtomicBoolean();
        Thread caller = new Thread(() -> {
            try {
                runtime.blockOn(task);
            } catch (Throwable t) {
                thrown.set(t);
            }
            interruptedAfter.set(Thread.currentThread().isInterrupted());
        }, "blockOn-interrupted");
        caller.setDaemon(true);
        caller.start();
        assertThat(task.polled.await(10, TimeUnit.SECONDS)).isTrue();
        caller.interrupt(); // blockOn cancels its task: the cancel throws
        caller.join(TimeUnit.SECONDS.toMillis(10));
        assertThat(caller.isAlive()).isFalse();
        assertThat(thrown.get()).isNotNull();
        assertThat(thrown.get()).isInstanceOf(TaskCancelledException.class);
        assertThat(thrown.get().getSuppressed())
                .as("the broken cancel()'s failure, attached to the cancellation")
                .singleElement()
                .satisfies(s -> assertThat(s).isInstanceOf(IllegalStateException.class).hasMessage("broken cancel()"));
        assertThat(interruptedAfter.get())
                .as("interrupt flag of the blockOn caller after it was interrupted (threw %s)", thrown.get())
                .isTrue();
    }

    @Test
    void aWokenBlockOnInterruptedWhileItsTaskCancelThrowsStillLetsThePausedClockAutoAdvance() throws Exception {
        // The guard leaks only if it is NOTIFIED (woken, not yet re-polled) when the cancel comes:
        // wake it, then interrupt at once, while the caller is still being unparked. A few tries
        // make that window near certain; one leak is enough to stop auto-advance for good.
        for (int attempt = 0; attempt < 10; attempt++) {
            PendingWithThrowingCancel task = new PendingWithThrowingCancel();
            Thread caller = new Thread(() -> {
                try {
                    runtime.blockOn(task);
                } catch (Throwable expected) {
                    // the broken cancel's exception, or a TaskCancelledException
                }
            }, "blockOn-" + attempt);
            caller.setDaemon(true);
            caller.start();
            assertThat(task.polled.await(10, TimeUnit.SECONDS)).isTrue();
            Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> caller.getState() == Thread.State.WAITING);
            task.waker.wake();
            caller.interrupt();
            caller.join(TimeUnit.SECONDS.toMillis(10));
            assertThat(caller.isAlive()).isFalse();
        }

        Duration before = clock.elapsed();
        assertTimeoutPreemptively(Duration.ofSeconds(10), () -> runtime.blockOn(Time.sleep(Duration.ofSeconds(1))),
                "blockOn(sleep(1 s)) on a paused clock must auto-advance after the earlier blockOn calls ended");
        assertThat(clock.elapsed().minus(before)).isEqualTo(Duration.ofSeconds(1));
    }
}
