package io.asyncruntime.sync;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.asyncruntime.AsyncRuntime;
import io.asyncruntime.task.JoinHandle;
import io.asyncruntime.task.Poll;
import io.asyncruntime.task.Task;
import io.asyncruntime.time.Time;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 60, unit = TimeUnit.SECONDS)
class SemaphoreTest {

    // ---- bad input -------------------------------------------------------------------------

    @Test
    void negativePermitsAreRejected() {
        assertThatThrownBy(() -> new Semaphore(-1))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("permits must be in [0, 1073741823], was -1");
    }

    @Test
    void acquireCountsOutsideOneToMaxAreRejected() {
        Semaphore semaphore = new Semaphore(1);
        assertThatThrownBy(() -> semaphore.acquire(0)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("n must be in [1, 1073741823], was 0");
        assertThatThrownBy(() -> semaphore.acquire(-3)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("was -3");
        assertThatThrownBy(() -> semaphore.tryAcquire(0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> semaphore.addPermits(-1)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("n must be in [0, 1073741823], was -1");
        assertThat(semaphore.availablePermits()).isEqualTo(1);
    }

    @Test
    void addingPermitsBeyondTheMaximumIsRejectedAndChangesNothing() {
        Semaphore semaphore = new Semaphore(Semaphore.MAX_PERMITS - 1);
        assertThatThrownBy(() -> semaphore.addPermits(2)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("would exceed the maximum of 1073741823");
        semaphore.addPermits(1);
        assertThat(semaphore.availablePermits()).isEqualTo(Semaphore.MAX_PERMITS);
    }

    @Test
    void useAfterCloseFailsClearly() {
        Semaphore semaphore = new Semaphore(1);
        semaphore.close();
        assertThat(semaphore.isClosed()).isTrue();
        assertThatThrownBy(semaphore::tryAcquire).isInstanceOf(SemaphoreClosedException.class)
                .hasMessage("the semaphore is closed");
        TestContext cx = new TestContext();
        assertThatThrownBy(() -> cx.poll(semaphore.acquire())).isInstanceOf(SemaphoreClosedException.class);
    }

    // ---- without waiting ---------------------------------------------------------------------

    @Test
    void tryAcquireTakesFreePermitsAndPermitCloseGivesThemBackOnce() {
        Semaphore semaphore = new Semaphore(3);
        Semaphore.Permit two = semaphore.tryAcquire(2).orElseThrow();
        assertThat(two.permits()).isEqualTo(2);
        assertThat(semaphore.availablePermits()).isEqualTo(1);
        assertThat(semaphore.tryAcquire(2)).isEmpty();
        two.close();
        two.close();
        assertThat(two.isClosed()).isTrue();
        assertThat(semaphore.availablePermits()).isEqualTo(3);
    }

    @Test
    void aPermitWorksInTryWithResources() {
        Semaphore semaphore = new Semaphore(1);
        try (Semaphore.Permit permit = semaphore.tryAcquire().orElseThrow()) {
            assertThat(permit.permits()).isEqualTo(1);
            assertThat(semaphore.availablePermits()).isZero();
        }
        assertThat(semaphore.availablePermits()).isEqualTo(1);
    }

    @Test
    void anUncontendedAcquireIsReadyAtItsFirstPollAndSpendsOneUnitOfBudget() {
        Semaphore semaphore = new Semaphore(1);
        TestContext cx = new TestContext(1);
        Poll<Semaphore.Permit> polled = cx.poll(semaphore.acquire());
        assertThat(polled.isReady()).isTrue();
        assertThat(semaphore.availablePermits()).isZero();
        polled.value().close();

        Task<Semaphore.Permit> second = semaphore.acquire();
        assertThat(cx.poll(second).isPending()).as("budget spent").isTrue();
        assertThat(cx.yields.get()).isEqualTo(1);
        assertThat(semaphore.availablePermits()).as("nothing taken without budget").isEqualTo(1);
        cx.refill(1);
        assertThat(cx.poll(second).isReady()).isTrue();
    }

    // ---- waiting, fairness, cancellation -----------------------------------------------------

    @Test
    void aLargeAcquireAtTheHeadIsNotOvertakenBySmallerOnes() {
        Semaphore semaphore = new Semaphore(1);
        TestContext big = new TestContext();
        TestContext small = new TestContext();
        Task<Semaphore.Permit> three = semaphore.acquire(3);
        Task<Semaphore.Permit> one = semaphore.acquire(1);
        assertThat(big.poll(three).isPending()).isTrue();
        assertThat(semaphore.availablePermits()).as("the free permit went to the head").isZero();
        assertThat(small.poll(one).isPending()).isTrue();
        assertThat(semaphore.tryAcquire()).as("no barging past waiters").isEmpty();

        semaphore.addPermits(1);
        assertThat(small.poll(one).isPending()).as("1 of 3 still missing at the head").isTrue();
        semaphore.addPermits(1);
        assertThat(big.wakes.get()).isEqualTo(1);
        assertThat(small.wakes.get()).isZero();
        assertThat(big.poll(three).value().permits()).isEqualTo(3);
        semaphore.addPermits(1);
        assertThat(small.wakes.get()).isEqualTo(1);
        assertThat(small.poll(one).isReady()).isTrue();
    }

    @Test
    void aCancelledWaiterGivesBackWhatItWasAssignedToTheNextWaiter() {
        Semaphore semaphore = new Semaphore(2);
        TestContext first = new TestContext();
        TestContext second = new TestContext();
        Task<Semaphore.Permit> five = semaphore.acquire(5);
        Task<Semaphore.Permit> two = semaphore.acquire(2);
        assertThat(first.poll(five).isPending()).isTrue();
        assertThat(second.poll(two).isPending()).isTrue();
        five.cancel();
        assertThat(second.wakes.get()).as("the two permits five held now satisfy two").isEqualTo(1);
        assertThat(second.poll(two).isReady()).isTrue();
        assertThat(semaphore.availablePermits()).isZero();
        assertThat(waiters(semaphore)).isZero();
    }

    @Test
    void aCancelledAcquireThatWasGrantedButNotSeenGivesItsPermitsBack() {
        Semaphore semaphore = new Semaphore(0);
        TestContext cx = new TestContext();
        Task<Semaphore.Permit> acquire = semaphore.acquire(2);
        assertThat(cx.poll(acquire).isPending()).isTrue();
        semaphore.addPermits(2);
        assertThat(cx.wakes.get()).isEqualTo(1);
        acquire.cancel(); // woken, never polled again: the grant must not leak
        assertThat(semaphore.availablePermits()).isEqualTo(2);
        assertThat(waiters(semaphore)).isZero();
    }

    @Test
    void aCancelledWaitLeavesNothingRegistered() {
        Semaphore semaphore = new Semaphore(0);
        TestContext cx = new TestContext();
        Task<Semaphore.Permit> acquire = semaphore.acquire();
        cx.poll(acquire);
        assertThat(waiters(semaphore)).isEqualTo(1);
        acquire.cancel();
        assertThat(waiters(semaphore)).isZero();
        semaphore.addPermits(1);
        assertThat(cx.wakes.get()).isZero();
        assertThat(semaphore.availablePermits()).isEqualTo(1);
        assertThat(semaphore.tryAcquire()).as("fast path open again").isPresent();
    }

    @Test
    void aWaiterPolledWithANewWakerIsWokenThroughTheNewOne() {
        Semaphore semaphore = new Semaphore(0);
        TestContext before = new TestContext();
        TestContext after = new TestContext();
        Task<Semaphore.Permit> acquire = semaphore.acquire();
        before.poll(acquire);
        assertThat(after.poll(acquire).isPending()).isTrue();
        semaphore.addPermits(1);
        assertThat(before.wakes.get()).isZero();
        assertThat(after.wakes.get()).isEqualTo(1);
    }

    @Test
    void closeFailsEveryWaiterAndKeepsHeldPermitsValid() {
        Semaphore semaphore = new Semaphore(1);
        Semaphore.Permit held = semaphore.tryAcquire().orElseThrow();
        TestContext cx = new TestContext();
        Task<Semaphore.Permit> waiting = semaphore.acquire(2);
        cx.poll(waiting);
        semaphore.close();
        assertThat(cx.wakes.get()).isEqualTo(1);
        assertThatThrownBy(() -> cx.poll(waiting)).isInstanceOf(SemaphoreClosedException.class);
        held.close();
        assertThat(semaphore.availablePermits()).isEqualTo(1);
        assertThat(waiters(semaphore)).isZero();
    }

    @Test
    void waitersAreServedInArrivalOrderOnARealRuntime() throws Exception {
        try (AsyncRuntime runtime = AsyncRuntime.builder().workerThreads(2).build()) {
            Semaphore semaphore = new Semaphore(0);
            List<Integer> order = java.util.Collections.synchronizedList(new ArrayList<>());
            List<JoinHandle<Void>> tasks = new ArrayList<>();
            for (int i = 0; i < 20; i++) {
                int id = i;
                tasks.add(runtime.spawn(semaphore.acquire().map(permit -> {
                    order.add(id);
                    permit.close();
                    return null;
                })));
                int queued = i + 1;
                await().pollInterval(Duration.ofMillis(2)).atMost(Duration.ofSeconds(10)).until(() -> waiters(semaphore) == queued);
            }
            semaphore.addPermits(1); // each one passes the permit on when it is done
            for (JoinHandle<Void> task : tasks) {
                task.get(10, TimeUnit.SECONDS);
            }
            assertThat(order).containsExactlyElementsOf(java.util.stream.IntStream.range(0, 20).boxed().toList());
            assertThat(semaphore.availablePermits()).isEqualTo(1);
        }
    }

    @Test
    void contendedTasksNeverExceedThePermitsAndLeakNoneWhenTimeoutsCancelThem() throws Exception {
        try (AsyncRuntime runtime = AsyncRuntime.builder().workerThreads(2).build()) {
            Semaphore semaphore = new Semaphore(3);
            AtomicInteger inside = new AtomicInteger();
            AtomicInteger maxInside = new AtomicInteger();
            AtomicInteger timedOut = new AtomicInteger();
            List<JoinHandle<Void>> tasks = new ArrayList<>();
            for (int t = 0; t < 8; t++) {
                tasks.add(runtime.spawn(Task.loop(0, i -> {
                    if (i == 500) {
                        return Task.completed(io.asyncruntime.task.Step.<Integer, Void>done(null));
                    }
                    Task<Semaphore.Permit> guarded = Time.timeout(Duration.ofMillis(1), semaphore.acquire());
                    return guarded.flatMap(permit -> {
                        int now = inside.incrementAndGet();
                        maxInside.accumulateAndGet(now, Math::max);
                        return Task.yieldNow().map(ignored -> {
                            inside.decrementAndGet();
                            permit.close();
                            return io.asyncruntime.task.Step.<Integer, Void>next(i + 1);
                        });
                    }).recover(failure -> {
                        timedOut.incrementAndGet();
                        return io.asyncruntime.task.Step.next(i + 1);
                    });
                })));
            }
            for (JoinHandle<Void> task : tasks) {
                task.get(30, TimeUnit.SECONDS);
            }
            assertThat(maxInside.get()).isBetween(1, 3);
            assertThat(semaphore.availablePermits()).as("no permit leaked, %d timeouts", timedOut.get()).isEqualTo(3);
            assertThat(waiters(semaphore)).isZero();
        }
    }

    @Test
    void closeFailsATaskWaitingOnARealRuntime() {
        try (AsyncRuntime runtime = AsyncRuntime.builder().workerThreads(1).build()) {
            Semaphore semaphore = new Semaphore(0);
            JoinHandle<Semaphore.Permit> waiting = runtime.spawn(semaphore.acquire());
            await().atMost(Duration.ofSeconds(10)).until(() -> waiters(semaphore) == 1);
            semaphore.close();
            assertThatThrownBy(() -> waiting.get(10, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class)
                    .hasCauseInstanceOf(SemaphoreClosedException.class);
        }
    }

    @Test
    void abortingAWaitingTaskReleasesItsPlace() throws Exception {
        try (AsyncRuntime runtime = AsyncRuntime.builder().workerThreads(1).build()) {
            Semaphore semaphore = new Semaphore(0);
            JoinHandle<Semaphore.Permit> waiting = runtime.spawn(semaphore.acquire(2));
            await().atMost(Duration.ofSeconds(10)).until(() -> waiters(semaphore) == 1);
            semaphore.addPermits(1); // assigned to the waiter, which still needs one more
            assertThat(semaphore.availablePermits()).isZero();
            waiting.abort();
            await().atMost(Duration.ofSeconds(10)).until(waiting::isFinished);
            assertThat(waiters(semaphore)).isZero();
            assertThat(semaphore.availablePermits()).isEqualTo(1);
        }
    }

    static int waiters(Semaphore semaphore) {
        return semaphore.waiterCount();
    }
}
