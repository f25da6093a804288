package io.asyncruntime;

import static org.assertj.core.api.Assertions.assertThat;

import io.asyncruntime.task.JoinHandle;
import io.asyncruntime.task.Task;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicIntegerArray;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Review of issue 15 (defect 6 as fixed by {@code CompletionWakes}, now {@code CompletionCascade}): the per-thread trampoline
 * queues the waiter list of every completion that happens on a thread while that thread is already
 * delivering wakes, and delivers it only when the outermost delivery returns. A waker runs user
 * code (a {@code CompletionStage} callback of a handle runs inline in the completer's delivery), so
 * if that code completes a handle inline ({@code abort()} of an idle task) and then waits for
 * something that needs that completion's wakes, it waits for itself: the wakes are held until it
 * returns. Before the trampoline they were delivered at once (recursively).
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class CompletionCascadeDeferredWhileCallbackBlocksTest {

    private final AsyncRuntime runtime = AsyncRuntime.builder().workerThreads(2).build();

    @AfterEach
    void close() {
        runtime.close();
    }

    private static void awaitIdle(JoinHandle<?> handle) {
        // The handle's toString shows its state word: "idle" once polled and parked.
        Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> handle.toString().contains("idle"));
    }

    @Test
    void aStageCallbackThatAbortsAHandleAndWaitsForItsAwaiterIsNotDeadlocked() throws Exception {
        JoinHandle<Void> y = runtime.spawn(Task.never());
        // z awaits y and reports how y ended.
        JoinHandle<String> z = runtime.spawn(y.map(v -> "y finished").recover(e -> "z saw " + e.getClass().getSimpleName()));
        JoinHandle<Void> a = runtime.spawn(Task.never());
        awaitIdle(y);
        awaitIdle(z);
        awaitIdle(a);

        // When a ends, abort y and wait (bounded) for z: y's abort completes y inline on this thread.
        CompletableFuture<String> seenByCallback = a.handle((v, e) -> {
            y.abort();
            try {
                return z.get(3, TimeUnit.SECONDS);
            } catch (Exception waited) {
                return "callback: z.get failed with " + waited;
            }
        }).toCompletableFuture();

        a.abort(); // a is idle: completed inline here, its stage callback runs inside the delivery

        assertThat(seenByCallback.get(10, TimeUnit.SECONDS)).isEqualTo("z saw TaskCancelledException");
    }

    /**
     * The other side of running stage callbacks outside the delivery: a chain of callbacks, each
     * aborting the next idle handle inline, must not recurse once per link. Fresh frames nest at
     * most {@code CompletionCascade.MAX_USER_FRAMES} deep on a thread; past that, the callback is
     * handed to a thread of its own (so it may block, see DeepCallbackChainDeliveryDeadlockTest),
     * which is why the chain is awaited rather than finished when the first abort returns. Every
     * callback runs exactly once.
     */
    @Test
    void aLongChainOfStageCallbacksEachAbortingTheNextHandleDoesNotOverflowTheStack() throws Exception {
        int links = 20_000;
        List<JoinHandle<Void>> chain = new ArrayList<>(links);
        for (int i = 0; i < links; i++) {
            chain.add(runtime.spawn(Task.never()));
        }
        Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> chain.stream().allMatch(h -> h.toString().contains("idle")));
        AtomicIntegerArray runs = new AtomicIntegerArray(links);
        Set<String> callbackThreads = ConcurrentHashMap.newKeySet();
        for (int i = 0; i < links; i++) {
            int index = i;
            JoinHandle<Void> next = i + 1 < links ? chain.get(i + 1) : null;
            chain.get(i).whenComplete((v, e) -> {
                runs.incrementAndGet(index);
                callbackThreads.add(Thread.currentThread().getName());
                if (next != null) {
                    next.abort();
                }
            });
        }

        chain.get(0).abort(); // idle: completed here, and so is every later link, through the callbacks

        Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> runs.get(links - 1) > 0);
        for (JoinHandle<Void> handle : chain) {
            assertThat(handle.isFinished()).isTrue();
            assertThat(handle.isCancelled()).isTrue();
        }
        for (int i = 0; i < links; i++) {
            assertThat(runs.get(i)).as("runs of callback %d", i).isEqualTo(1);
        }
        assertThat(callbackThreads).as("threads the callbacks ran on")
                .contains(Thread.currentThread().getName())
                .anyMatch(name -> name.startsWith("async-runtime-stage-callback-"));
    }
}
