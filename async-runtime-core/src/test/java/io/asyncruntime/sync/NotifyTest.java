package io.asyncruntime.sync;

import static org.assertj.core.api.Assertions.assertThat;

import io.asyncruntime.AsyncRuntime;
import io.asyncruntime.task.JoinHandle;
import io.asyncruntime.task.Step;
import io.asyncruntime.task.Task;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 60, unit = TimeUnit.SECONDS)
class NotifyTest {

    @Test
    void notifyOneWithNobodyWaitingStoresOnePermitOnly() {
        Notify notify = new Notify();
        notify.notifyOne();
        notify.notifyOne();
        assertThat(notify.hasStoredPermit()).isTrue();
        TestContext cx = new TestContext();
        assertThat(cx.poll(notify.notified()).isReady()).isTrue();
        assertThat(cx.poll(notify.notified()).isPending()).as("only one permit was stored").isTrue();
    }

    @Test
    void notifyOneWakesWaitersInArrivalOrder() {
        Notify notify = new Notify();
        List<TestContext> contexts = new ArrayList<>();
        List<Task<Void>> waits = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            TestContext cx = new TestContext();
            Task<Void> wait = notify.notified();
            assertThat(cx.poll(wait).isPending()).isTrue();
            contexts.add(cx);
            waits.add(wait);
        }
        for (int i = 0; i < 3; i++) {
            notify.notifyOne();
            for (int j = 0; j < 3; j++) {
                assertThat(contexts.get(j).wakes.get()).as("waiter %d after %d notifies", j, i + 1).isEqualTo(j <= i ? 1 : 0);
            }
            assertThat(contexts.get(i).poll(waits.get(i)).isReady()).isTrue();
        }
        assertThat(notify.hasStoredPermit()).isFalse();
    }

    @Test
    void notifyAllWaitersWakesEveryWaiterAndStoresNothing() {
        Notify notify = new Notify();
        TestContext a = new TestContext();
        TestContext b = new TestContext();
        Task<Void> waitA = notify.notified();
        Task<Void> waitB = notify.notified();
        a.poll(waitA);
        b.poll(waitB);
        notify.notifyAllWaiters();
        assertThat(a.wakes.get()).isEqualTo(1);
        assertThat(b.wakes.get()).isEqualTo(1);
        assertThat(a.poll(waitA).isReady()).isTrue();
        assertThat(b.poll(waitB).isReady()).isTrue();
        assertThat(notify.hasStoredPermit()).isFalse();
        assertThat(new TestContext().poll(notify.notified()).isPending()).isTrue();
    }

    @Test
    void aWaitCreatedBeforeNotifyAllWaitersCompletesEvenIfPolledAfter() {
        Notify notify = new Notify();
        Task<Void> created = notify.notified();
        notify.notifyAllWaiters();
        assertThat(new TestContext().poll(created).isReady()).isTrue();
        Task<Void> after = notify.notified();
        assertThat(new TestContext().poll(after).isPending()).isTrue();
    }

    @Test
    void aCancelledWaiterThatWasPickedPassesTheNotificationOn() {
        Notify notify = new Notify();
        TestContext first = new TestContext();
        TestContext second = new TestContext();
        Task<Void> one = notify.notified();
        Task<Void> two = notify.notified();
        first.poll(one);
        second.poll(two);
        notify.notifyOne(); // picks one
        one.cancel();       // which never saw it
        assertThat(second.wakes.get()).isEqualTo(1);
        assertThat(second.poll(two).isReady()).isTrue();
    }

    @Test
    void aCancelledPickedLastWaiterLeavesThePermitStored() {
        Notify notify = new Notify();
        Task<Void> wait = notify.notified();
        new TestContext().poll(wait);
        notify.notifyOne();
        wait.cancel();
        assertThat(notify.hasStoredPermit()).isTrue();
        assertThat(notify.waiterCount()).isZero();
    }

    @Test
    void aCancelledWaitLeavesNothingRegistered() {
        Notify notify = new Notify();
        TestContext cx = new TestContext();
        Task<Void> wait = notify.notified();
        cx.poll(wait);
        assertThat(notify.waiterCount()).isEqualTo(1);
        wait.cancel();
        assertThat(notify.waiterCount()).isZero();
        notify.notifyOne();
        assertThat(cx.wakes.get()).isZero();
        assertThat(notify.hasStoredPermit()).as("nobody waits any more: the notify is stored").isTrue();
    }

    @Test
    void aNotifiedWaitWithoutBudgetCompletesAtTheNextPoll() {
        Notify notify = new Notify();
        notify.notifyOne();
        TestContext cx = new TestContext(0);
        Task<Void> wait = notify.notified();
        assertThat(cx.poll(wait).isPending()).isTrue();
        assertThat(notify.hasStoredPermit()).as("taken, kept by the wait").isFalse();
        cx.refill(1);
        assertThat(cx.poll(wait).isReady()).isTrue();
    }

    @Test
    void aQueueGuardedByNotifyOnARealRuntimeLosesNoWakeUp() throws Exception {
        try (AsyncRuntime runtime = AsyncRuntime.builder().workerThreads(2).build()) {
            Notify notify = new Notify();
            ConcurrentLinkedQueue<Integer> queue = new ConcurrentLinkedQueue<>();
            int items = 20_000;
            JoinHandle<Integer> consumer = runtime.spawn(Task.loop(0, taken -> {
                if (taken == items) {
                    return Task.completed(Step.<Integer, Integer>done(taken));
                }
                Task<Void> wait = notify.notified(); // before the check: no notify in between is lost
                Integer item = queue.poll();
                if (item != null) {
                    wait.cancel();
                    return Task.completed(Step.<Integer, Integer>next(taken + 1));
                }
                return wait.map(ignored -> Step.<Integer, Integer>next(taken));
            }));
            JoinHandle<Void> producer = runtime.spawn(Task.loop(0, i -> {
                if (i == items) {
                    return Task.completed(Step.<Integer, Void>done(null));
                }
                queue.add(i);
                notify.notifyOne();
                return (i % 64 == 0 ? Task.yieldNow() : Task.<Void>completed(null)).map(v -> Step.<Integer, Void>next(i + 1));
            }));
            producer.get(30, TimeUnit.SECONDS);
            assertThat(consumer.get(30, TimeUnit.SECONDS)).isEqualTo(items);
        }
    }
}
