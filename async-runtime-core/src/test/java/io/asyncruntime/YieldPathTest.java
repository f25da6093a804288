package io.asyncruntime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.asyncruntime.task.Context;
import io.asyncruntime.task.JoinHandle;
import io.asyncruntime.task.Poll;
import io.asyncruntime.task.Task;
import io.asyncruntime.task.TaskCancelledException;
import io.asyncruntime.task.Waker;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A yield re-queues the task without releasing it (its state keeps RUNNING, no atomic; see
 * {@code TaskState}), and a push into a ring that already held work wakes no peer. What a user
 * relies on around both, on a real 2-worker runtime: wakes and aborts reach a task whatever it is
 * doing between its yields, close() completes tasks that only ever yield, and a busy worker's
 * queued work still gets the idle worker's help.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class YieldPathTest {

    private final AsyncRuntime runtime = AsyncRuntime.builder().workerThreads(2).threadNamePrefix("yield-test").build();

    @AfterEach
    void close() {
        runtime.close();
    }

    @Test
    void yieldingTasksUnderWakeStormsAreNeverPolledTwiceAtOnceAndSeeTheLastWake() throws Exception {
        int tasks = 40;
        int signalsPerTask = 2_000;
        List<YieldingWakeCounter> counters = new ArrayList<>();
        List<JoinHandle<Integer>> handles = new ArrayList<>();
        for (int i = 0; i < tasks; i++) {
            YieldingWakeCounter counter = new YieldingWakeCounter(signalsPerTask);
            counters.add(counter);
            handles.add(runtime.spawn(counter));
        }
        Awaitility.await().atMost(30, TimeUnit.SECONDS).until(() -> counters.stream().allMatch(c -> c.waker != null));
        Thread[] wakers = new Thread[3];
        for (int w = 0; w < wakers.length; w++) {
            wakers[w] = new Thread(() -> {
                for (int i = 0; i < signalsPerTask / wakers.length + 1; i++) {
                    for (YieldingWakeCounter counter : counters) {
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
            assertThat(handles.get(i).get(30, TimeUnit.SECONDS)).isGreaterThanOrEqualTo(signalsPerTask);
            assertThat(counters.get(i).overlapped).as("task %d polled by two threads at once", i).isFalse();
        }
    }

    /** Yields on every other poll; otherwise waits for signals; done after {@code target} of them. */
    private static final class YieldingWakeCounter implements Task<Integer> {
        private final int target;
        private final AtomicInteger signals = new AtomicInteger();
        private final AtomicBoolean inPoll = new AtomicBoolean();
        volatile Waker waker;
        volatile boolean overlapped;
        private int polls;

        YieldingWakeCounter(int target) {
            this.target = target;
        }

        void signal() {
            signals.incrementAndGet();
            Waker w = waker;
            if (w != null) {
                w.wake();
            }
        }

        @Override
        public Poll<Integer> poll(Context cx) {
            if (!inPoll.compareAndSet(false, true)) {
                overlapped = true;
            }
            try {
                waker = cx.waker();
                int seen = signals.get();
                if (seen >= target) {
                    return Poll.ready(seen);
                }
                if (++polls % 2 == 0) {
                    cx.requestYield();
                }
                return Poll.pending();
            } finally {
                inPoll.set(false);
            }
        }
    }

    @Test
    void anAbortReachesATaskThatOnlyYieldsAndItIsNeverPolledAgain() throws Exception {
        ForeverYielding task = new ForeverYielding();
        JoinHandle<Void> handle = runtime.spawn(task);
        Awaitility.await().atMost(10, TimeUnit.SECONDS).until(() -> task.polls.get() >= 1_000);

        handle.abort();

        assertThatThrownBy(() -> handle.get(10, TimeUnit.SECONDS)).isInstanceOf(TaskCancelledException.class);
        int pollsAtCancel = task.polls.get();
        assertThat(task.cancels.get()).isEqualTo(1);
        // A poll after cancel() would be a bug; give the workers a few thousand polls of other work.
        runtime.spawn(new ForeverYielding()).abort();
        for (int i = 0; i < 100; i++) {
            runtime.spawn(Task.yieldNow()).get(10, TimeUnit.SECONDS);
        }
        assertThat(task.polls.get()).isEqualTo(pollsAtCancel);
    }

    @Test
    void closeCompletesEveryTaskThatOnlyYields() {
        List<ForeverYielding> tasks = new ArrayList<>();
        List<JoinHandle<Void>> handles = new ArrayList<>();
        for (int i = 0; i < 64; i++) {
            ForeverYielding task = new ForeverYielding();
            tasks.add(task);
            handles.add(runtime.spawn(task));
        }
        Awaitility.await().atMost(10, TimeUnit.SECONDS).until(() -> tasks.stream().allMatch(t -> t.polls.get() > 10));

        runtime.close();

        for (JoinHandle<Void> handle : handles) {
            assertThat(handle.isDone()).isTrue();
            assertThatThrownBy(() -> handle.get(10, TimeUnit.SECONDS))
                    .isInstanceOfAny(TaskCancelledException.class, ExecutionException.class);
        }
        for (ForeverYielding task : tasks) {
            assertThat(task.cancels.get()).isEqualTo(1);
        }
    }

    /**
     * The yield path takes no CAS on the state word, but the poll count a task dump shows rides on
     * that word: every poll of a task that yields is still counted (the taker's atomic add).
     */
    @Test
    void aTaskDumpCountsEveryPollOfATaskThatYields() throws Exception {
        int yields = 500;
        OneShotGate gate = new OneShotGate();
        AtomicInteger polls = new AtomicInteger();
        JoinHandle<Void> handle = runtime.spawn(cx -> {
            if (polls.incrementAndGet() <= yields) {
                cx.requestYield();
                return Poll.pending();
            }
            return gate.poll(cx);
        }, io.asyncruntime.task.Priority.NORMAL, "yielder");
        Awaitility.await().atMost(10, TimeUnit.SECONDS).until(gate::isWaiting);

        TaskDump.TaskInfo info = runtime.taskDump().tasks().stream()
                .filter(t -> t.name().equals("yielder")).findFirst().orElseThrow();

        assertThat(info.polls()).isEqualTo(polls.get()).isEqualTo(yields + 1);
        assertThat(info.state()).isEqualTo(TaskDump.State.IDLE);
        gate.open();
        handle.get(10, TimeUnit.SECONDS);
    }

    /**
     * A task that yields after {@code blockInPlace} handed its worker to another thread is
     * re-queued from a thread that is no worker any more (through the inject queue), still owned:
     * a worker takes it and polls it on, and it completes.
     */
    @Test
    void aTaskThatYieldsAfterBlockInPlaceIsPolledOnByAWorker() throws Exception {
        AtomicInteger polls = new AtomicInteger();
        JoinHandle<Integer> handle = runtime.spawn(cx -> {
            int poll = polls.incrementAndGet();
            if (poll <= 3) {
                AsyncRuntime.blockInPlace(() -> poll);
                cx.requestYield();
                return Poll.pending();
            }
            return Poll.ready(poll);
        });

        assertThat(handle.get(10, TimeUnit.SECONDS)).isEqualTo(4);
        assertThat(runtime.metrics().blocking().blockInPlaceCalls()).isEqualTo(3);
    }

    /** A one-time gate a task waits on: pending (waker registered) until opened. */
    private static final class OneShotGate {
        private volatile Waker waker;
        private volatile boolean open;

        Poll<Void> poll(Context cx) {
            if (open) {
                return Poll.ready(null);
            }
            waker = cx.waker();
            return open ? Poll.ready(null) : Poll.pending();
        }

        boolean isWaiting() {
            return waker != null;
        }

        void open() {
            open = true;
            Waker w = waker;
            if (w != null) {
                w.wake();
            }
        }
    }

    /** Yields forever; counts its polls and cancels. */
    private static final class ForeverYielding implements Task<Void> {
        final AtomicInteger polls = new AtomicInteger();
        final AtomicInteger cancels = new AtomicInteger();

        @Override
        public Poll<Void> poll(Context cx) {
            polls.incrementAndGet();
            cx.requestYield();
            return Poll.pending();
        }

        @Override
        public void cancel() {
            cancels.incrementAndGet();
        }
    }

    /**
     * A task spawns two children and then keeps its worker busy: the first child, pushed into the
     * empty ring when the second took the LIFO slot, must wake the parked worker, or the two
     * children (each waiting, bounded, to see the other running) could never meet.
     */
    @Test
    void workQueuedBehindABusyWorkerWakesTheIdleOne() throws Exception {
        for (int round = 0; round < 20; round++) {
            AtomicInteger running = new AtomicInteger();
            JoinHandle<Boolean> both = runtime.spawn(cx -> {
                AsyncRuntime.current().spawn(meetsTheOther(running));
                AsyncRuntime.current().spawn(meetsTheOther(running));
                return Poll.ready(true);
            });
            assertThat(both.get(10, TimeUnit.SECONDS)).isTrue();
            Awaitility.await().atMost(10, TimeUnit.SECONDS).until(() -> running.get() == 4);
        }
    }

    /**
     * Counts itself running, spins (bounded) until the other child runs at the same time, then
     * counts itself again: {@code running} reaches 4 only if the two ran concurrently.
     */
    private static Task<Boolean> meetsTheOther(AtomicInteger running) {
        return cx -> {
            running.incrementAndGet();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            while (running.get() < 2 && System.nanoTime() < deadline) {
                Thread.onSpinWait();
            }
            boolean met = running.get() >= 2;
            if (met) {
                running.incrementAndGet();
            }
            return Poll.ready(met);
        };
    }
}
