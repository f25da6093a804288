package io.asyncruntime.internal.scheduler;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.asyncruntime.AsyncRuntime;
import io.asyncruntime.task.JoinHandle;
import io.asyncruntime.task.Task;
import io.asyncruntime.task.Waker;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The waiter list of a handle (issue 15, defect 3): what is dropped, what is kept, and that the
 * list stays within about twice its live awaiters whatever gives up on it: timed-out and
 * interrupted gets, finished tasks that lost a race (directly or through a combinator's own
 * waker), ended {@code blockOn}s; while live awaiters and the stage bridge are never dropped.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class WaitersTest {

    /** A list compacts when it reached twice its live nodes, and never below the threshold. */
    private static final int BOUND = 2 * Waiters.MIN_COMPACTION_LENGTH;

    private final AsyncRuntime runtime = AsyncRuntime.builder().workerThreads(2)
            .shutdownTimeout(Duration.ofMillis(100)).build(); // close() drains that long; tests leave idle tasks

    @AfterEach
    void close() {
        runtime.close();
    }

    private TaskCell<Void> pendingCell() {
        return (TaskCell<Void>) runtime.spawn(Task.<Void>never());
    }

    /** A waker that counts its wakes and stands for an awaiter whose liveness the list cannot see. */
    private static final class CountingWaker implements Waker {
        final AtomicInteger wakes = new AtomicInteger();

        @Override
        public void wake() {
            wakes.incrementAndGet();
        }
    }

    @Test
    void timedOutGetsAreDroppedAndTheListStaysShort() {
        TaskCell<Void> cell = pendingCell();
        for (int i = 0; i < 10_000; i++) {
            assertThatThrownBy(() -> cell.get(1, TimeUnit.NANOSECONDS)).isInstanceOf(TimeoutException.class);
            assertThat(cell.waiterCount()).isLessThanOrEqualTo(BOUND);
        }
    }

    @Test
    void interruptedGetsAreDroppedAndKeepTheInterruptContract() {
        TaskCell<Void> cell = pendingCell();
        for (int i = 0; i < 2_000; i++) {
            Thread.currentThread().interrupt();
            assertThatThrownBy(cell::get).isInstanceOf(InterruptedException.class);
            assertThat(Thread.currentThread().isInterrupted()).as("InterruptedException clears the flag").isFalse();
            assertThat(cell.waiterCount()).isLessThanOrEqualTo(BOUND);
        }
    }

    @Test
    void liveAwaitersAreNeverDroppedAndAreWokenOnceOnCompletion() throws Exception {
        Gate gate = new Gate();
        TaskCell<Integer> cell = (TaskCell<Integer>) runtime.spawn(gate.map(v -> 5));
        gate.polled.await();
        List<CountingWaker> live = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            CountingWaker waker = new CountingWaker();
            live.add(waker);
            cell.addWaiter(waker);
            // Abandoned registrations and re-registrations of live wakers in between: compaction
            // runs many times and must keep exactly the live ones.
            for (int j = 0; j < 50; j++) {
                Waiters.ThreadWaker gaveUp = new Waiters.ThreadWaker();
                cell.addWaiter(gaveUp);
                gaveUp.abandon();
                CountingWaker again = live.get(j % live.size());
                cell.addWaiter(again);
            }
            for (CountingWaker w : live) {
                assertThat(cell.hasWaiter(w)).isTrue();
            }
            assertThat(cell.waiterCount()).isLessThanOrEqualTo(Math.max(BOUND, 2 * live.size() + 1));
        }
        CompletableFuture<Integer> stage = cell.toCompletableFuture();
        gate.open();
        assertThat(cell.get(10, TimeUnit.SECONDS)).isEqualTo(5);
        assertThat(stage.get(10, TimeUnit.SECONDS)).isEqualTo(5);
        // get() returns once the value is published, which comes before the completing worker
        // has walked the waiter list: wait for the wakes (bounded), then check there was one each.
        await().atMost(Duration.ofSeconds(10)).until(() -> live.stream().allMatch(w -> w.wakes.get() > 0));
        for (CountingWaker w : live) {
            assertThat(w.wakes.get()).isEqualTo(1);
        }
        assertThat(cell.waiterCount()).isZero();
    }

    @Test
    void theStageBridgeSurvivesCompactionAndCompletesItsFuture() throws Exception {
        Gate gate = new Gate();
        TaskCell<String> cell = (TaskCell<String>) runtime.spawn(gate.map(v -> "x"));
        CompletableFuture<String> chained = cell.thenApply(v -> v + "y").toCompletableFuture();
        for (int i = 0; i < 5_000; i++) {
            assertThatThrownBy(() -> cell.get(1, TimeUnit.NANOSECONDS)).isInstanceOf(TimeoutException.class);
        }
        assertThat(cell.waiterCount()).isLessThanOrEqualTo(BOUND);
        gate.polled.await();
        gate.open();
        assertThat(chained.get(10, TimeUnit.SECONDS)).isEqualTo("xy");
    }

    @Test
    void finishedTasksThatAwaitedThroughACombinatorsOwnWakerAreDropped() throws Exception {
        // tryAll polls each branch with a waker of its own, not the task's: the registration is
        // still owned by the task being polled, and dropped once that task finished.
        TaskCell<Void> signal = pendingCell();
        for (int round = 0; round < 20; round++) {
            CountDownLatch done = new CountDownLatch(500);
            for (int i = 0; i < 500; i++) {
                runtime.spawn(Task.tryAll(List.<Task<?>>of(signal, Task.failed(new IllegalStateException("lost"))))
                        .recover(e -> null)
                        .map(v -> {
                            done.countDown();
                            return v;
                        }));
            }
            assertThat(done.await(10, TimeUnit.SECONDS)).isTrue();
            awaitCountAtMost(signal, BOUND);
        }
    }

    @Test
    void endedBlockOnsAreDropped() {
        TaskCell<Void> signal = pendingCell();
        for (int i = 0; i < 2_000; i++) {
            runtime.blockOn(Task.race(signal.map(v -> 0), Task.completed(1)));
            runtime.blockOn(Task.tryAll(List.<Task<?>>of(signal, Task.failed(new IllegalStateException("lost")))).recover(e -> null));
            assertThat(signal.waiterCount()).isLessThanOrEqualTo(BOUND);
        }
    }

    @Test
    void aLiveTaskThatKeepsLosingRacesKeepsOneRegistration() throws Exception {
        TaskCell<Void> signal = pendingCell();
        AtomicInteger rounds = new AtomicInteger();
        // Two tasks loop: each round awaits the signal in a race that a yield wins.
        List<JoinHandle<Void>> loopers = new ArrayList<>();
        for (int t = 0; t < 2; t++) {
            loopers.add(runtime.spawn(Task.loop(0, n -> Task.race(signal.map(v -> true), Task.yieldNow().map(v -> n >= 5_000))
                    .map(finished -> {
                        rounds.incrementAndGet();
                        return finished ? io.asyncruntime.task.Step.<Integer, Void>done(null) : io.asyncruntime.task.Step.<Integer, Void>next(n + 1);
                    }))));
        }
        for (JoinHandle<Void> looper : loopers) {
            looper.get(30, TimeUnit.SECONDS);
        }
        assertThat(rounds.get()).isGreaterThanOrEqualTo(10_000);
        assertThat(signal.waiterCount()).isLessThanOrEqualTo(BOUND);
    }

    private static void awaitCountAtMost(TaskCell<?> cell, int bound) {
        // The last racers may still be finishing on a worker when the latch opens; the list is
        // compacted by the next push, so push abandoned ones until it has been.
        for (int i = 0; i < 1_000 && cell.waiterCount() > bound; i++) {
            Waiters.ThreadWaker gaveUp = new Waiters.ThreadWaker();
            cell.addWaiter(gaveUp);
            gaveUp.abandon();
        }
        assertThat(cell.waiterCount()).isLessThanOrEqualTo(bound);
    }

    /** Pending until opened; counts down when first polled. */
    private static final class Gate implements Task<Void> {
        final CountDownLatch polled = new CountDownLatch(1);
        private volatile boolean open;
        private volatile Waker waker;

        @Override
        public io.asyncruntime.task.Poll<Void> poll(io.asyncruntime.task.Context cx) {
            waker = cx.waker();
            polled.countDown();
            return open ? io.asyncruntime.task.Poll.ready(null) : io.asyncruntime.task.Poll.pending();
        }

        void open() {
            open = true;
            Waker w = waker;
            if (w != null) {
                w.wake();
            }
        }
    }
}
