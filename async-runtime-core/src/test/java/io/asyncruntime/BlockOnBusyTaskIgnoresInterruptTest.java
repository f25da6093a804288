package io.asyncruntime;

import static org.assertj.core.api.Assertions.assertThat;

import io.asyncruntime.task.Poll;
import io.asyncruntime.task.Task;
import io.asyncruntime.task.TaskCancelledException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Timeout;

/**
 * Review of issue 15 (BlockOn, R1 area): {@code blockOn} promises that interrupting its thread
 * cancels the task and throws {@link TaskCancelledException}, but {@code BlockOn.drive} looks at
 * the interrupt flag only after a park. A root task that keeps yielding ({@code requestYield}, as
 * {@code Task.yieldNow()} in a loop does) or wakes itself before returning pending is re-polled
 * without parking, so the interrupt is never seen and the blockOn runs on until the task ends by
 * itself (here: a flag the test sets 5 s later).
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class BlockOnBusyTaskIgnoresInterruptTest {

    private final AsyncRuntime runtime = AsyncRuntime.builder().workerThreads(1).build();

    @AfterEach
    void close() {
        runtime.close();
    }

    @ParameterizedTest
    @ValueSource(strings = {"requestYield", "selfWake"})
    void interruptingABlockOnWhoseTaskNeverParksCancelsIt(String how) throws Exception {
        AtomicBoolean stop = new AtomicBoolean();
        CountDownLatch polled = new CountDownLatch(1);
        Task<String> busy = cx -> {
            polled.countDown();
            if (stop.get()) {
                return Poll.ready("ran until stopped");
            }
            if (how.equals("selfWake")) {
                cx.waker().wake();
            } else {
                cx.requestYield();
            }
            return Poll.pending();
        };
        AtomicReference<Object> outcome = new AtomicReference<>();
        Thread caller = new Thread(() -> {
            try {
                outcome.set(runtime.blockOn(busy));
            } catch (Throwable t) {
                outcome.set(t);
            }
        }, "blockOn-caller");
        caller.start();
        assertThat(polled.await(10, TimeUnit.SECONDS)).isTrue();

        caller.interrupt();
        caller.join(TimeUnit.SECONDS.toMillis(5));
        boolean endedByInterrupt = !caller.isAlive();
        stop.set(true); // bound the test either way
        caller.join(TimeUnit.SECONDS.toMillis(10));

        assertThat(endedByInterrupt).as("blockOn ended within 5 s of the interrupt (outcome: %s)", outcome.get()).isTrue();
        assertThat(outcome.get()).isInstanceOf(TaskCancelledException.class);
    }
}
