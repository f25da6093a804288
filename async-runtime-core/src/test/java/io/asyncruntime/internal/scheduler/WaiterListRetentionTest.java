package io.asyncruntime.internal.scheduler;

import static org.assertj.core.api.Assertions.assertThat;

import io.asyncruntime.AsyncRuntime;
import io.asyncruntime.task.JoinHandle;
import io.asyncruntime.task.Step;
import io.asyncruntime.task.Task;
import io.asyncruntime.time.Time;
import java.lang.ref.WeakReference;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Review of issue 15, defect 3 as fixed ("cancelling an await must remove its waiter, or mark it
 * dead and prune, in O(1) amortised"; the fix claims a list holds at most about twice its live
 * awaiters). Two ways the list still keeps what nobody waits for:
 * <ol>
 *   <li>A live task that gives up an await made through a combinator's own waker (each
 *       {@code Task.join}/{@code all}/{@code tryAll} has fresh branch wakers) leaves one node per
 *       give-up: the owner is alive and the wakers all differ, so nothing is ever obsolete.</li>
 *   <li>Compaction runs only on a push. After a burst of awaiters that all gave up (finished), a
 *       list that gets no more pushes keeps every node, and each pins its finished owner's cell
 *       with its outcome: retention proportional to the peak, with zero live awaiters.</li>
 * </ol>
 * Copied from the review branch ({@code review15}, af1e699) as the reproducers of R3 and R4; the
 * last three tests add the brief's 100k-round loop, a select over a join, and blocked threads that
 * give up all at once.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class WaiterListRetentionTest {

    /**
     * The bound the fix's own tests use: a list compacts at twice its live nodes, never below the
     * threshold, plus the head, which is never unlinked (see {@link Waiters}: at most one obsolete
     * node stays above the live ones). Without the head's one, the burst test failed on JDK 25 with
     * 33 nodes left of 20,000.
     */
    private static final int BOUND = 2 * Waiters.MIN_COMPACTION_LENGTH + 1;

    private final AsyncRuntime runtime = AsyncRuntime.builder().workerThreads(2)
            .shutdownTimeout(Duration.ofMillis(100)).build(); // close() drains that long; tests leave idle tasks

    @AfterEach
    void close() {
        runtime.close();
    }

    private TaskCell<Void> pendingCell() {
        return (TaskCell<Void>) runtime.spawn(Task.<Void>never());
    }

    @Test
    void aLiveTaskThatKeepsTimingOutAJoinOnALongLivedHandleKeepsABoundedList() throws Exception {
        TaskCell<Void> signal = pendingCell();
        int rounds = 20_000;
        CountDownLatch loopDone = new CountDownLatch(1);
        CompletableFuture<Void> release = new CompletableFuture<>();
        // One long-lived task: each round waits for "signal and a probe" with a timeout that fires
        // at once, then goes round again (a health or housekeeping loop).
        JoinHandle<Integer> looper = runtime.spawn(Task.loop(0, (Integer n) -> n == rounds
                ? Task.completed(Step.<Integer, Integer>done(n))
                : Time.timeout(Duration.ZERO, Task.join(signal, Task.completed(1), (a, b) -> b))
                        .recover(timedOut -> 0)
                        .map(v -> Step.<Integer, Integer>next(n + 1)))
                .flatMap(n -> {
                    loopDone.countDown();
                    return Task.fromCompletionStage(release).map(v -> n); // stays alive
                }));
        assertThat(loopDone.await(60, TimeUnit.SECONDS)).isTrue();
        try {
            assertThat(looper.isFinished()).isFalse();
            assertThat(signal.waiterCount())
                    .as("waiters on a pending handle after one live task gave up %d joins on it", rounds)
                    .isLessThanOrEqualTo(BOUND);
        } finally {
            release.complete(null);
        }
    }

    @Test
    void aBurstOfAwaitersThatAllGaveUpIsNotRetainedWithTheirOutcomes() throws Exception {
        TaskCell<Void> signal = pendingCell();
        int racers = 20_000;
        CompletableFuture<Void> gate = new CompletableFuture<>();
        CountDownLatch finished = new CountDownLatch(racers);
        Queue<WeakReference<byte[]>> outcomes = new ConcurrentLinkedQueue<>();
        // Request-like tasks: each races the long-lived signal against its own work (the gate).
        for (int i = 0; i < racers; i++) {
            // The work first, as in select(work, shutdownSignal): its final poll wins before the
            // signal is polled again, so finishing pushes nothing onto the signal's list.
            runtime.spawn(Task.race(Task.fromCompletionStage(gate).map(v -> {
                byte[] response = new byte[1024];
                outcomes.add(new WeakReference<>(response));
                return response;
            }), signal.map(v -> (byte[]) null)).map(response -> {
                finished.countDown();
                return response; // the racer's outcome
            }));
        }
        // All racers registered on the signal (live, so kept by every compaction).
        Awaitility.await().atMost(Duration.ofSeconds(60)).until(() -> signal.waiterCount() >= racers);
        gate.complete(null);
        assertThat(finished.await(60, TimeUnit.SECONDS)).isTrue();
        // Every racer finished: none of them waits on the signal any more.
        Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> outcomes.size() == racers);
        for (int i = 0; i < 4; i++) {
            System.gc();
        }
        long retainedOutcomes = outcomes.stream().filter(ref -> ref.get() != null).count();
        assertThat(signal.isFinished()).isFalse();
        assertThat(signal.waiterCount())
                .as("waiters on a pending handle after %d awaiters all finished (none live)", racers)
                .isLessThanOrEqualTo(BOUND);
        assertThat(retainedOutcomes)
                .as("outcomes of finished racers still reachable (1 KiB each)")
                .isLessThanOrEqualTo(BOUND);
    }

    @Test
    void aHundredThousandTimeoutsOverOneLiveTaskKeepABoundedList() throws Exception {
        TaskCell<Void> signal = pendingCell();
        int rounds = 100_000;
        CompletableFuture<Void> release = new CompletableFuture<>();
        CountDownLatch loopDone = new CountDownLatch(1);
        // select(all(signal), yield) and timeout(join(signal, ready)) in turn: both give up a
        // combinator branch waker that registered on the signal, while the task lives on.
        JoinHandle<Integer> looper = runtime.spawn(Task.loop(0, (Integer n) -> n == rounds
                ? Task.completed(Step.<Integer, Integer>done(n))
                : (n % 2 == 0
                        ? Task.race(Task.all(List.<Task<?>>of(signal)).map(v -> 0), Task.yieldNow().map(v -> 1))
                        : Time.timeout(Duration.ZERO, Task.join(signal, Task.completed(1), (a, b) -> b)).recover(e -> 0))
                        .map(v -> Step.<Integer, Integer>next(n + 1)))
                .flatMap(n -> {
                    loopDone.countDown();
                    return Task.fromCompletionStage(release).map(v -> n);
                }));
        assertThat(loopDone.await(90, TimeUnit.SECONDS)).isTrue();
        try {
            assertThat(looper.isFinished()).isFalse();
            assertThat(signal.waiterCount())
                    .as("waiters on a pending handle after one live task gave up %d combinator awaits on it", rounds)
                    .isLessThanOrEqualTo(BOUND);
        } finally {
            release.complete(null);
        }
    }

    @Test
    void blockedThreadsThatAllGiveUpAreNotRetained() throws Exception {
        TaskCell<Void> signal = pendingCell();
        int threads = 64;
        List<Thread> getters = new ArrayList<>();
        CountDownLatch interrupted = new CountDownLatch(threads);
        for (int i = 0; i < threads; i++) {
            Thread getter = new Thread(() -> {
                try {
                    signal.get();
                } catch (InterruptedException expected) {
                    interrupted.countDown();
                } catch (Exception unexpected) {
                    throw new AssertionError(unexpected);
                }
            }, "getter-" + i);
            getter.start();
            getters.add(getter);
        }
        Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> signal.waiterCount() >= threads);
        getters.forEach(Thread::interrupt);
        assertThat(interrupted.await(30, TimeUnit.SECONDS)).isTrue();
        for (Thread getter : getters) {
            getter.join(TimeUnit.SECONDS.toMillis(10));
        }
        // No push after the give-ups: what they left must already be gone.
        assertThat(signal.waiterCount())
                .as("waiters on a pending handle after %d blocked gets were all interrupted", threads)
                .isLessThanOrEqualTo(BOUND);
    }
}
