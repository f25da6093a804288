package io.asyncruntime.sync;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.asyncruntime.task.Context;
import io.asyncruntime.task.Task;
import io.asyncruntime.task.Waker;
import org.junit.jupiter.api.Test;

/**
 * review30 F1 through Notify: {@code notifyAllWaiters} wakes its waiters as one chain through
 * {@code WaitList.unlockAndWake}, the helper the Channel's batch grant uses. A waker that throws
 * must not keep the waiters queued after it asleep: each was already notified under the lock.
 */
class NotifyAllThrowingWakerTest {

    private static final Context THROWING_WAKER = new ThrowingWakerContext("first waker throws");

    @Test
    void aThrowingWakerDoesNotKeepTheWaitersAfterItAsleep() throws Exception {
        Notify notify = new Notify();
        Task<Void> first = notify.notified();
        assertThat(first.poll(THROWING_WAKER).isPending()).isTrue();
        TestContext secondCx = new TestContext();
        Task<Void> second = notify.notified();
        assertThat(second.poll(secondCx).isPending()).isTrue();
        TestContext thirdCx = new TestContext();
        Task<Void> third = notify.notified();
        assertThat(third.poll(thirdCx).isPending()).isTrue();

        // The caller still learns that a waker threw (the first failure, rethrown after every wake).
        assertThatThrownBy(notify::notifyAllWaiters).isInstanceOf(IllegalStateException.class)
                .hasMessage("first waker throws");

        assertThat(secondCx.wakes.get()).as("the waiter after the throwing one is woken").isEqualTo(1);
        assertThat(thirdCx.wakes.get()).as("and the one after it").isEqualTo(1);
        assertThat(second.poll(secondCx).isReady()).isTrue();
        assertThat(third.poll(thirdCx).isReady()).isTrue();
        assertThat(notify.waiterCount()).isZero();
    }
}
