package io.asyncruntime;

import static org.assertj.core.api.Assertions.assertThat;

import io.asyncruntime.task.Context;
import io.asyncruntime.task.JoinHandle;
import io.asyncruntime.task.Poll;
import io.asyncruntime.task.Task;
import io.asyncruntime.task.TaskCancelledException;
import io.asyncruntime.task.Waker;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Bounded stress tests of the scheduler: every test has a fixed number of operations and a
 * timeout, and asserts exact counts at the end.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class SchedulerStressTest {

    private final AsyncRuntime runtime = AsyncRuntime.builder().workerThreads(2).threadNamePrefix("stress").build();

    @AfterEach
    void close() {
        runtime.close();
    }

    @Test
    void spawnsFromEightOutsideThreadsAndFromInsideTasksEachRunExactlyOnce() throws Exception {
        int outsideThreads = 8;
        int perThread = 20_000;
        int childrenPerTask = 2;
        int total = outsideThreads * perThread * (1 + childrenPerTask);
        AtomicIntegerArray runs = new AtomicIntegerArray(total);
        CountDownLatch allRan = new CountDownLatch(total);
        CyclicBarrier start = new CyclicBarrier(outsideThreads);
        List<Thread> spawners = new ArrayList<>();
        for (int t = 0; t < outsideThreads; t++) {
            int thread = t;
            Thread spawner = new Thread(() -> {
                awaitBarrier(start);
                for (int i = 0; i < perThread; i++) {
                    int id = (thread * perThread + i) * (1 + childrenPerTask);
                    runtime.spawn(() -> {
                        runs.incrementAndGet(id);
                        allRan.countDown();
                        for (int c = 1; c <= childrenPerTask; c++) {
                            int child = id + c;
                            AsyncRuntime.current().spawn(() -> {
                                runs.incrementAndGet(child);
                                allRan.countDown();
                            });
                        }
                    });
                }
            });
            spawners.add(spawner);
            spawner.start();
        }
        for (Thread spawner : spawners) {
            spawner.join();
        }
        assertThat(allRan.await(60, TimeUnit.SECONDS)).as("all %d tasks ran", total).isTrue();
        for (int i = 0; i < total; i++) {
            assertThat(runs.get(i)).as("runs of task %d", i).isEqualTo(1);
        }
        RuntimeMetrics metrics = runtime.metrics();
        assertThat(metrics.spawnedTasks()).isEqualTo(total);
    }

    @Test
    void wakeStormsNeverPollATaskConcurrentlyAndNeverLoseTheLastWake() throws Exception {
        int tasks = 50;
        int wakesPerTask = 2_000;
        List<WakeCounter> counters = new ArrayList<>();
        List<JoinHandle<Integer>> handles = new ArrayList<>();
        for (int i = 0; i < tasks; i++) {
            WakeCounter counter = new WakeCounter(wakesPerTask);
            counters.add(counter);
            handles.add(runtime.spawn(counter));
        }
        for (WakeCounter counter : counters) {
            counter.registered.await(30, TimeUnit.SECONDS);
        }
        Thread[] wakers = new Thread[4];
        for (int w = 0; w < wakers.length; w++) {
            wakers[w] = new Thread(() -> {
                for (int i = 0; i < wakesPerTask / wakers.length; i++) {
                    for (WakeCounter counter : counters) {
                        counter.signal();
                    }
                }
            });
            wakers[w].start();
        }
        for (Thread waker : wakers) {
            waker.join();
        }
        for (int i = 0; i < tasks; i++) {
            assertThat(handles.get(i).get(30, TimeUnit.SECONDS)).isEqualTo(wakesPerTask);
            assertThat(counters.get(i).overlapped).isFalse();
        }
    }

    /** Completes after it has seen {@code target} signals; each signal wakes it. */
    private static final class WakeCounter implements Task<Integer> {
        private final int target;
        private final AtomicInteger signals = new AtomicInteger();
        private final AtomicBoolean inPoll = new AtomicBoolean();
        private final CountDownLatch registered = new CountDownLatch(1);
        private volatile Waker waker;
        volatile boolean overlapped;

        WakeCounter(int target) {
            this.target = target;
        }

        void signal() {
            signals.incrementAndGet();
            waker.wake();
        }

        @Override
        public Poll<Integer> poll(Context cx) {
            if (!inPoll.compareAndSet(false, true)) {
                overlapped = true;
            }
            try {
                waker = cx.waker();
                registered.countDown();
                int seen = signals.get();
                return seen >= target ? Poll.ready(seen) : Poll.pending();
            } finally {
                inPoll.set(false);
            }
        }
    }

    @Test
    void abortStormsLeaveNoHandleIncompleteAndReleaseEveryTask() throws Exception {
        int tasks = 20_000;
        AtomicInteger released = new AtomicInteger();
        AtomicInteger completed = new AtomicInteger();
        List<JoinHandle<Integer>> handles = new ArrayList<>(tasks);
        for (int i = 0; i < tasks; i++) {
            int n = i;
            // A third complete at once, a third yield a few times, a third wait forever.
            Task<Integer> body = switch (n % 3) {
                case 0 -> Task.call(() -> n);
                case 1 -> Task.yieldNow().flatMap(v -> Task.yieldNow()).map(v -> n);
                default -> Task.never();
            };
            handles.add(runtime.spawn(new Task<Integer>() {
                @Override
                public Poll<Integer> poll(Context cx) throws Exception {
                    Poll<Integer> polled = body.poll(cx);
                    if (polled.isReady()) {
                        completed.incrementAndGet();
                    }
                    return polled;
                }

                @Override
                public void cancel() {
                    released.incrementAndGet();
                    body.cancel();
                }
            }));
        }
        Thread[] aborters = new Thread[4];
        for (int a = 0; a < aborters.length; a++) {
            int offset = a;
            aborters[a] = new Thread(() -> {
                for (int i = offset; i < tasks; i += 2) { // every handle aborted by two threads at once
                    handles.get(i).abort();
                }
            });
            aborters[a].start();
        }
        for (Thread aborter : aborters) {
            aborter.join();
        }
        int cancelled = 0;
        for (JoinHandle<Integer> handle : handles) {
            try {
                handle.get(30, TimeUnit.SECONDS);
            } catch (TaskCancelledException e) {
                cancelled++;
            } catch (ExecutionException e) {
                throw new AssertionError("unexpected failure", e);
            }
            assertThat(handle.isFinished()).isTrue();
        }
        assertThat(cancelled + completed.get()).isEqualTo(tasks);
        assertThat(released.get()).isEqualTo(cancelled);
        assertThat(runtime.metrics().aliveTasks()).isZero();
    }

    @Test
    void pingPongPairsThroughWakersAllFinish() throws Exception {
        int pairs = 500;
        int rounds = 200;
        List<JoinHandle<Integer>> handles = new ArrayList<>();
        for (int p = 0; p < pairs; p++) {
            Mailbox a = new Mailbox();
            Mailbox b = new Mailbox();
            handles.add(runtime.spawn(new Player(a, b, rounds, true)));
            handles.add(runtime.spawn(new Player(b, a, rounds, false)));
        }
        for (JoinHandle<Integer> handle : handles) {
            assertThat(handle.get(60, TimeUnit.SECONDS)).isEqualTo(rounds);
        }
    }

    /** A one-slot mailbox: a counter of delivered messages and the waker of its reader. */
    private static final class Mailbox {
        final AtomicInteger delivered = new AtomicInteger();
        final AtomicReference<Waker> reader = new AtomicReference<>();

        void send() {
            delivered.incrementAndGet();
            Waker w = reader.get();
            if (w != null) {
                w.wake();
            }
        }
    }

    private static final class Player implements Task<Integer> {
        private final Mailbox inbox;
        private final Mailbox outbox;
        private final int rounds;
        private int received;

        Player(Mailbox inbox, Mailbox outbox, int rounds, boolean serves) {
            this.inbox = inbox;
            this.outbox = outbox;
            this.rounds = rounds;
            if (serves) {
                outbox.send();
            }
        }

        @Override
        public Poll<Integer> poll(Context cx) {
            inbox.reader.set(cx.waker());
            while (inbox.delivered.get() > received) {
                received++;
                outbox.send(); // the reply, also to the last message, so the peer can finish too
                if (received == rounds) {
                    return Poll.ready(received);
                }
            }
            return Poll.pending();
        }
    }

    private static void awaitBarrier(CyclicBarrier barrier) {
        try {
            barrier.await(30, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }
}
