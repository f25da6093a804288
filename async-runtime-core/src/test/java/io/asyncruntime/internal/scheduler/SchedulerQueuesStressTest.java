package io.asyncruntime.internal.scheduler;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * Both queues together as the scheduler uses them, on real threads: one owner pushing (with
 * frequent overflow into a real inject queue, its ring started just below the int wrap) and
 * popping; two thieves stealing from the owner and from each other; a consumer draining the
 * inject queue in single pops and batches; and an outside producer spawning into the inject queue.
 * At the end every task must have been seen exactly once. Bounded in iterations and in time.
 */
class SchedulerQueuesStressTest {

    private static final int OWNER_TASKS = 500_000;
    private static final int OUTSIDE_TASKS = 50_000;
    private static final long TIME_LIMIT_NANOS = 20_000_000_000L;

    private final AtomicIntegerArray seen = new AtomicIntegerArray(OWNER_TASKS + OUTSIDE_TASKS);
    private final AtomicReference<Throwable> failure = new AtomicReference<>();

    private void see(ScheduledTask task) {
        if (task == null) {
            return;
        }
        if (task.queueNext != null) {
            failure.compareAndSet(null, new AssertionError("handed out still linked: " + task));
        }
        seen.incrementAndGet(((TestTask) task).id);
    }

    private void drain(LocalQueue q) {
        ScheduledTask t;
        while ((t = q.pop()) != null) {
            see(t);
        }
    }

    @Test
    void everyTaskIsSeenExactlyOnce() throws Exception {
        InjectQueue inject = new InjectQueue();
        LocalQueue owner = new LocalQueue(8, Integer.MAX_VALUE - 50_000);
        LocalQueue thief1 = new LocalQueue(8);
        LocalQueue thief2 = new LocalQueue(8, Integer.MIN_VALUE);
        LocalQueue consumer = new LocalQueue(8);
        AtomicBoolean producing = new AtomicBoolean(true);
        CountDownLatch start = new CountDownLatch(1);
        long deadline = System.nanoTime() + TIME_LIMIT_NANOS;

        List<Thread> threads = new ArrayList<>();
        CountDownLatch producersDone = new CountDownLatch(2);
        AtomicLong overflowed = new AtomicLong();
        AtomicLong stolen = new AtomicLong();
        threads.add(worker("owner", start, () -> {
            try {
                long moved = 0;
                for (int id = 0; id < OWNER_TASKS && System.nanoTime() < deadline; id++) {
                    moved += owner.pushBackOrOverflow(new TestTask(id), inject);
                    if ((id & 3) == 0) {
                        see(owner.pop());
                    }
                }
                overflowed.set(moved);
                // The owner pops once per four pushes, so its ring still holds tasks here unless a
                // thief took them (which counts as a steal). On a loaded box the thieves may not
                // have been scheduled yet: keep those tasks in the ring, and the threads running,
                // until a steal from the owner has happened, so the steal path is always exercised.
                while (stolen.get() == 0 && System.nanoTime() < deadline) {
                    Thread.onSpinWait();
                }
            } finally {
                producersDone.countDown();
            }
        }));
        threads.add(worker("outside", start, () -> {
            try {
                for (int i = 0; i < OUTSIDE_TASKS && System.nanoTime() < deadline; i++) {
                    inject.push(new TestTask(OWNER_TASKS + i));
                }
            } finally {
                producersDone.countDown();
            }
        }));
        threads.add(worker("thief1", start, () -> {
            while (producing.get()) {
                ScheduledTask t = owner.stealInto(thief1);
                if (t != null) {
                    stolen.incrementAndGet();
                }
                see(t);
                see(thief2.stealInto(thief1));
                drain(thief1);
            }
        }));
        threads.add(worker("thief2", start, () -> {
            while (producing.get()) {
                ScheduledTask t = owner.stealInto(thief2);
                if (t != null) {
                    stolen.incrementAndGet();
                }
                see(t);
                see(thief1.stealInto(thief2));
                see(thief2.pop());
            }
        }));
        threads.add(worker("consumer", start, () -> {
            boolean batch = false;
            while (producing.get()) {
                if (batch) {
                    see(inject.popBatchInto(consumer, consumer.remainingSlots() + 1));
                    drain(consumer);
                } else {
                    see(inject.pop());
                }
                batch = !batch;
            }
        }));
        threads.forEach(Thread::start);
        start.countDown();
        producersDone.await();
        producing.set(false);
        for (Thread t : threads) {
            t.join();
        }
        if (failure.get() != null) {
            throw new AssertionError(failure.get());
        }
        assertThat(System.nanoTime()).as("finished within the time limit").isLessThan(deadline);
        assertThat(overflowed.get()).as("tasks the owner overflowed").isPositive();
        assertThat(stolen.get()).as("successful steals from the owner").isPositive();

        // Quiescent: whatever is left sits in some queue.
        for (LocalQueue q : List.of(owner, thief1, thief2, consumer)) {
            drain(q);
        }
        ScheduledTask t;
        while ((t = inject.pop()) != null) {
            see(t);
        }
        assertThat(inject.isEmpty()).isTrue();
        assertThat(inject.len()).isZero();
        List<String> wrong = new ArrayList<>();
        for (int id = 0; id < seen.length() && wrong.size() < 10; id++) {
            if (seen.get(id) != 1) {
                wrong.add("task " + id + " seen " + seen.get(id) + " times");
            }
        }
        assertThat(wrong).isEmpty();
    }

    private Thread worker(String name, CountDownLatch start, Runnable body) {
        return new Thread(() -> {
            try {
                start.await();
                body.run();
            } catch (Throwable e) {
                failure.compareAndSet(null, e);
            }
        }, "stress-" + name);
    }
}
