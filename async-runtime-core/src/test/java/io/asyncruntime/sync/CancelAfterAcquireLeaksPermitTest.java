package io.asyncruntime.sync;

import static org.assertj.core.api.Assertions.assertThat;

import io.asyncruntime.task.Poll;
import io.asyncruntime.task.Task;
import org.junit.jupiter.api.Test;

/**
 * Regression (issue 11, suspected in review and confirmed by this test): an acquire task is also
 * the handle it completes with ({@link Semaphore.Permit}, {@link Mutex.Guard}, {@link RwLock}'s
 * guards, {@link Channel.Permit}). {@code cancel()} on it after it had completed moved the handle
 * from TAKEN to CANCELLED, so its later {@code close()} found nothing to give back: the semaphore's
 * permits leaked for good, a mutex stayed locked forever, a channel lost its room. {@link Task#cancel}
 * is not meant to be called on a finished task, but a user holding the one object as both task and
 * handle (a {@code finally} that cancels "to be safe", a hand-written combinator) can, and the
 * issue's rule is absolute: a cancelled acquire never leaks a permit. A cancel after completion
 * must leave the handle's permits to the handle.
 */
class CancelAfterAcquireLeaksPermitTest {

    @Test
    void anUncontendedSemaphoreAcquireCancelledAfterItCompletedStillGivesItsPermitsBack() {
        Semaphore semaphore = new Semaphore(3);
        TestContext cx = new TestContext();
        Task<Semaphore.Permit> acquire = semaphore.acquire(2);
        Poll<Semaphore.Permit> polled = cx.poll(acquire);
        assertThat(polled.isReady()).isTrue();
        acquire.cancel();
        Semaphore.Permit permit = polled.value();
        assertThat(permit.isClosed()).as("the handle still holds its permits").isFalse();
        permit.close();
        assertThat(permit.isClosed()).isTrue();
        assertThat(semaphore.availablePermits()).isEqualTo(3);
    }

    @Test
    void aSemaphoreAcquireThatWaitedAndCompletedThenWasCancelledStillGivesItsPermitsBack() {
        Semaphore semaphore = new Semaphore(0);
        TestContext cx = new TestContext();
        Task<Semaphore.Permit> acquire = semaphore.acquire(2);
        assertThat(cx.poll(acquire).isPending()).isTrue();
        semaphore.addPermits(2);
        Poll<Semaphore.Permit> polled = cx.poll(acquire);
        assertThat(polled.isReady()).isTrue();
        acquire.cancel();
        polled.value().close();
        assertThat(semaphore.availablePermits()).isEqualTo(2);
        assertThat(semaphore.waiterCount()).isZero();
    }

    @Test
    void aClosedPermitCancelledAfterwardsIsNotGivenBackTwice() {
        Semaphore semaphore = new Semaphore(1);
        TestContext cx = new TestContext();
        Task<Semaphore.Permit> acquire = semaphore.acquire();
        Semaphore.Permit permit = cx.poll(acquire).value();
        permit.close();
        acquire.cancel();
        permit.close();
        assertThat(semaphore.availablePermits()).isEqualTo(1);
    }

    @Test
    void aMutexLockCancelledAfterItCompletedStillUnlocksOnClose() {
        Mutex<String> mutex = new Mutex<>("value");
        TestContext cx = new TestContext();
        Task<Mutex.Guard<String>> lock = mutex.lock();
        Poll<Mutex.Guard<String>> polled = cx.poll(lock);
        assertThat(polled.isReady()).isTrue();
        lock.cancel();
        Mutex.Guard<String> guard = polled.value();
        assertThat(guard.get()).as("the guard still holds the lock").isEqualTo("value");
        guard.close();
        Poll<Mutex.Guard<String>> next = new TestContext().poll(mutex.lock());
        assertThat(next.isReady()).as("the lock was given back").isTrue();
    }

    @Test
    void anRwLockWriteCancelledAfterItCompletedStillUnlocksOnClose() {
        RwLock<Integer> lock = new RwLock<>(1, 2);
        TestContext cx = new TestContext();
        Task<RwLock.WriteGuard<Integer>> write = lock.write();
        Poll<RwLock.WriteGuard<Integer>> polled = cx.poll(write);
        assertThat(polled.isReady()).isTrue();
        write.cancel();
        polled.value().close();
        assertThat(new TestContext().poll(lock.write()).isReady()).as("the lock was given back").isTrue();
    }

    @Test
    void aChannelReservationCancelledAfterItCompletedStillSendsAndTheRoomComesBack() {
        Channel<String> channel = Channel.bounded(1);
        TestContext cx = new TestContext();
        Task<Channel.Permit<String>> reserve = channel.reserve();
        Poll<Channel.Permit<String>> polled = cx.poll(reserve);
        assertThat(polled.isReady()).isTrue();
        reserve.cancel();
        polled.value().send("kept");
        assertThat(channel.tryRecv()).contains("kept");
        assertThat(channel.trySend("room is back")).isTrue();

        Task<Channel.Permit<String>> unused = Channel.<String>bounded(1).reserve();
        Channel<String> other = Channel.bounded(1);
        Task<Channel.Permit<String>> reserveOther = other.reserve();
        Poll<Channel.Permit<String>> otherPolled = cx.poll(reserveOther);
        reserveOther.cancel();
        otherPolled.value().close();
        assertThat(other.trySend("room is back after close")).isTrue();
        unused.cancel(); // never polled: nothing to give back
    }
}
