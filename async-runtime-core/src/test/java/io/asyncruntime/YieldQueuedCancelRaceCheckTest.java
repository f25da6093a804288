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
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Review of issue 14 (review14): a soundness check, expected to pass. Yield-queued tasks (RUNNING
 * kept while queued) raced with Future.cancel(true), abort() and wakes from other threads, and
 * with close() while some are still yielding: never polled twice at once, never polled after their
 * cancel(), cancel() at most once, every handle completes, and cancel(true) returning true means
 * isCancelled/isDone and get throwing TaskCancelledException.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class YieldQueuedCancelRaceCheckTest {

    @Test
    void yieldQueuedTasksRacedWithCancelAbortWakeAndClose() throws Exception {
        for (int round = 0; round < 20; round++) {
            AsyncRuntime runtime = AsyncRuntime.builder().workerThreads(2).threadNamePrefix("yield-race-").build();
            int tasks = 200;
            List<Yielder> bodies = new ArrayList<>();
            List<JoinHandle<Integer>> handles = new ArrayList<>();
            for (int i = 0; i < tasks; i++) {
                Yielder body = new Yielder(1 + ThreadLocalRandom.current().nextInt(i % 10 == 0 ? 100_000 : 200));
                bodies.add(body);
                handles.add(runtime.spawn(body));
            }
            AtomicBoolean stop = new AtomicBoolean();
            Thread waker = new Thread(() -> {
                while (!stop.get()) {
                    Yielder y = bodies.get(ThreadLocalRandom.current().nextInt(tasks));
                    Waker w = y.waker;
                    if (w != null) {
                        w.wake();
                    }
                }
            });
            waker.start();
            boolean[] cancelledByFuture = new boolean[tasks];
            for (int i = 0; i < tasks; i++) {
                int spin = ThreadLocalRandom.current().nextInt(2_000);
                for (int s = 0; s < spin; s++) {
                    Thread.onSpinWait();
                }
                switch (i % 3) {
                    case 0 -> cancelledByFuture[i] = handles.get(i).cancel(true);
                    case 1 -> handles.get(i).abort();
                    default -> { }
                }
                if (cancelledByFuture[i]) {
                    assertThat(handles.get(i).isCancelled()).isTrue();
                    assertThat(handles.get(i).isDone()).isTrue();
                }
            }
            if (round % 2 == 0) {
                runtime.close(); // the long yielders are still yielding
            }
            stop.set(true);
            waker.join();
            for (int i = 0; i < tasks; i++) {
                JoinHandle<Integer> handle = handles.get(i);
                Yielder body = bodies.get(i);
                if (cancelledByFuture[i]) {
                    assertThatThrownBy(() -> handle.get(10, TimeUnit.SECONDS)).isInstanceOf(TaskCancelledException.class);
                } else if (i % 3 == 2 && round % 2 == 1) {
                    handle.cancel(true); // the long ones would take a while: end them
                }
                try {
                    handle.get(30, TimeUnit.SECONDS);
                } catch (Exception expected) {
                    // cancelled or failed: checked below through the body
                }
                assertThat(handle.isDone()).as("round %d task %d", round, i).isTrue();
                assertThat(body.overlapped).as("round %d task %d polled twice at once", round, i).isFalse();
                assertThat(body.polledAfterCancel).as("round %d task %d polled after cancel()", round, i).isFalse();
                assertThat(body.cancels.get()).as("round %d task %d cancel() calls", round, i).isLessThanOrEqualTo(1);
            }
            runtime.close();
        }
    }

    /** Yields until it has been polled {@code target} times, then returns its poll count. */
    private static final class Yielder implements Task<Integer> {
        private final int target;
        private final AtomicBoolean inPoll = new AtomicBoolean();
        final AtomicInteger cancels = new AtomicInteger();
        volatile Waker waker;
        volatile boolean overlapped;
        volatile boolean polledAfterCancel;
        private int polls;

        Yielder(int target) {
            this.target = target;
        }

        @Override
        public Poll<Integer> poll(Context cx) {
            if (!inPoll.compareAndSet(false, true)) {
                overlapped = true;
            }
            try {
                if (cancels.get() != 0) {
                    polledAfterCancel = true;
                }
                waker = cx.waker();
                if (++polls >= target) {
                    return Poll.ready(polls);
                }
                if ((polls & 3) != 0) {
                    cx.requestYield();
                } else {
                    cx.waker().wake(); // a self-wake during the poll: NOTIFIED path
                }
                return Poll.pending();
            } finally {
                inPoll.set(false);
            }
        }

        @Override
        public void cancel() {
            if (inPoll.get()) {
                overlapped = true;
            }
            cancels.incrementAndGet();
        }
    }
}
