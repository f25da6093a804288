package io.asyncruntime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.asyncruntime.task.Context;
import io.asyncruntime.task.JoinHandle;
import io.asyncruntime.task.Poll;
import io.asyncruntime.task.Task;
import io.asyncruntime.task.TaskCancelledException;
import io.asyncruntime.task.Waker;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Issue 15, defect 6: a completion cascade (each task awaiting the previous one; completing one
 * wakes the next, which after {@code close()} completes it as cancelled at once), or a cascade of
 * cancels that wake the next task, runs in constant stack, whichever thread starts it, and every
 * handle completes. Before the fix it recursed once
 * per link: the thread that called {@code wake()} overflowed its stack at about 900 links and the
 * rest of the chain never completed.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class CompletionCascadeTest {

    private static final long BOUND_SECONDS = 10;
    private static final int LINKS = 100_000;
    /** close() drains for the shutdown timeout (issue 10); the parked chains never end on their own. */
    private static final Duration SHORT_DRAIN = Duration.ofMillis(100);

    /** Spawns a chain: link 0 waits on {@code first}, link i awaits link i-1; waits until all are parked. */
    private static List<JoinHandle<Integer>> parkedChain(AsyncRuntime runtime, Gate first, int links) throws InterruptedException {
        CountDownLatch allPolled = new CountDownLatch(links);
        List<JoinHandle<Integer>> chain = new ArrayList<>(links + 1);
        chain.add(runtime.spawn(first.map(v -> 0)));
        for (int i = 1; i <= links; i++) {
            JoinHandle<Integer> previous = chain.get(i - 1);
            chain.add(runtime.spawn(Task.run(allPolled::countDown).flatMap(v -> previous).map(v -> v + 1)));
        }
        first.polled.await();
        assertThat(allPolled.await(60, TimeUnit.SECONDS)).isTrue();
        return chain;
    }

    private static void assertAllCancelled(List<JoinHandle<Integer>> chain) {
        for (JoinHandle<Integer> link : chain) {
            assertThatThrownBy(() -> link.get(BOUND_SECONDS, TimeUnit.SECONDS))
                    .as("link %s", link)
                    .isInstanceOf(TaskCancelledException.class);
        }
    }

    @Test
    void aWakeAfterCloseCompletesALongAwaitChainWithoutRecursion() throws Exception {
        AsyncRuntime runtime = AsyncRuntime.builder().workerThreads(2).shutdownTimeout(SHORT_DRAIN).build();
        Gate first = new Gate();
        List<JoinHandle<Integer>> chain = parkedChain(runtime, first, LINKS);
        runtime.close();
        // The wake comes after close, from this (non-worker) thread: every link completes as
        // cancelled, none is polled again, and the stack does not grow with the chain.
        first.wake();
        assertAllCancelled(chain);
    }

    @Test
    void anAbortAfterCloseCompletesALongAwaitChainWithoutRecursion() throws Exception {
        AsyncRuntime runtime = AsyncRuntime.builder().workerThreads(2).shutdownTimeout(SHORT_DRAIN).build();
        Gate first = new Gate();
        List<JoinHandle<Integer>> chain = parkedChain(runtime, first, LINKS);
        runtime.close();
        chain.get(0).abort();
        assertAllCancelled(chain);
        assertThat(first.cancelled).isTrue();
    }

    /**
     * A cascade through {@code cancel()} rather than through completion: each task waits on a
     * leaf whose cancel wakes the next task (as a released permit or a closed channel would).
     * After close every wake cancels its task at once, whose cancel wakes the next one.
     */
    @Test
    void aCancelThatWakesTheNextTaskAfterCloseDoesNotRecurse() throws Exception {
        AsyncRuntime runtime = AsyncRuntime.builder().workerThreads(2).shutdownTimeout(SHORT_DRAIN).build();
        List<WakesNextOnCancel> leaves = new ArrayList<>(LINKS);
        List<JoinHandle<Void>> handles = new ArrayList<>(LINKS);
        CountDownLatch allPolled = new CountDownLatch(LINKS);
        for (int i = 0; i < LINKS; i++) {
            WakesNextOnCancel leaf = new WakesNextOnCancel(allPolled);
            leaves.add(leaf);
        }
        for (int i = 0; i < LINKS - 1; i++) {
            leaves.get(i).next = leaves.get(i + 1);
        }
        for (WakesNextOnCancel leaf : leaves) {
            handles.add(runtime.spawn(leaf));
        }
        assertThat(allPolled.await(60, TimeUnit.SECONDS)).isTrue();
        runtime.close();
        leaves.get(0).waker.wake();
        for (JoinHandle<Void> handle : handles) {
            assertThatThrownBy(() -> handle.get(BOUND_SECONDS, TimeUnit.SECONDS))
                    .as("task %s", handle)
                    .isInstanceOf(TaskCancelledException.class);
        }
    }

    /** Pending forever; its cancel wakes the task of the next leaf. */
    private static final class WakesNextOnCancel implements Task<Void> {
        private final CountDownLatch polled;
        volatile WakesNextOnCancel next;
        volatile Waker waker;

        WakesNextOnCancel(CountDownLatch polled) {
            this.polled = polled;
        }

        @Override
        public Poll<Void> poll(Context cx) {
            if (waker == null) {
                waker = cx.waker();
                polled.countDown();
            }
            return Poll.pending();
        }

        @Override
        public void cancel() {
            WakesNextOnCancel n = next;
            if (n != null) {
                n.waker.wake();
            }
        }
    }

    /** Not a defect of its own: a chain woken before close still completes normally, in order. */
    @Test
    void aLongAwaitChainWokenBeforeCloseCompletesWithItsValues() throws Exception {
        try (AsyncRuntime runtime = AsyncRuntime.builder().workerThreads(2).build()) {
            Gate first = new Gate();
            int links = 20_000;
            List<JoinHandle<Integer>> chain = parkedChain(runtime, first, links);
            first.open();
            assertThat(chain.get(links).get(60, TimeUnit.SECONDS)).isEqualTo(links);
        } catch (ExecutionException | TimeoutException e) {
            throw new AssertionError(e);
        }
    }
}
