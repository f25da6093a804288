package io.asyncruntime.internal.time;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * A timer's waker that throws an {@link Error} (an assertion in a user's waker, a stack overflow)
 * must not take the other wakers of its batch with it. Before, only a RuntimeException was caught:
 * the error left {@code deliver} after the count was reset, so every waker after it in the batch
 * was never called (their tasks slept for ever), and the error went on to end the worker's run loop.
 */
class WakeBatchErrorTest {

    @Test
    void theWakersAfterOneThatThrowsAnErrorAreStillCalled() {
        WakeBatch batch = new WakeBatch();
        AtomicInteger woken = new AtomicInteger();
        batch.add(woken::incrementAndGet);
        batch.add(() -> {
            throw new AssertionError("a user's waker fails");
        });
        batch.add(woken::incrementAndGet);
        batch.add(woken::incrementAndGet);

        batch.deliver();

        assertThat(woken.get()).as("wakers called besides the failing one").isEqualTo(3);
        batch.add(woken::incrementAndGet);
        batch.deliver();
        assertThat(woken.get()).as("the batch is usable afterwards").isEqualTo(4);
    }
}
