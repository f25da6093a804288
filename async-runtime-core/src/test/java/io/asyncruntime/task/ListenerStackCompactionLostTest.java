package io.asyncruntime.task;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Regression (review of issue 10): {@link ListenerStack} triggered a compaction only when its
 * push counter equalled {@code compactAfter} exactly. A compaction resets the counter to 0 when it starts and
 * writes the new (smaller, once the live listeners are gone) threshold when it ends; pushes made
 * by other threads during its walk move the counter past that new threshold, and from then on the
 * counter never equalled it again (until it wrapped after 2^32 pushes). The stack then grew with
 * every abandoned wait: a long-lived token (the runtime's root token, waited on and abandoned by
 * every request in a {@code select}) leaked one node per abandoned wait, forever. Now any count at
 * or past the threshold triggers, and one pusher claims the compaction.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ListenerStackCompactionLostTest {

    /**
     * Control (passed before the fix too): the same churn from one thread stays bounded, so what the test
     * below sees is the concurrent pushes during a compaction, not the bound itself.
     */
    @Test
    void controlAbandonedWaitsFromOneThreadStayBounded() throws Exception {
        CancellationToken token = new CancellationToken();
        List<Task<Void>> live = new ArrayList<>();
        ManualContext cx = new ManualContext();
        for (int i = 0; i < 200_000; i++) {
            Task<Void> wait = token.cancelled();
            wait.poll(cx);
            live.add(wait);
        }
        live.forEach(Task::cancel);
        live.clear();
        for (int i = 0; i < 800_000; i++) {
            Task<Void> wait = token.cancelled();
            wait.poll(cx);
            wait.cancel();
        }
        assertThat(token.physicalSize()).isLessThanOrEqualTo(1_000);
    }

    /**
     * Deterministic form: a listener whose compaction check pushes 40 nodes stands for other
     * threads pushing while a compaction walks (the interleaving the two-thread test below gets by
     * chance). The compaction started with a threshold of ~600 (300 live listeners before) and ends
     * with 16 (one live listener); the counter is at 40 by then and never equals 16 again.
     */
    @Test
    void pushesDuringACompactionThatLowersTheThresholdStopCompactionForGood() {
        ListenerStack stack = new ListenerStack();
        Waker nothing = () -> { };
        PushesWhileCompacting hook = new PushesWhileCompacting(stack, 40);
        stack.push(hook);
        List<ListenerStack.Waiter> waiting = new ArrayList<>();
        for (int i = 0; i < 300; i++) {
            waiting.add(stack.pushWaiter(nothing));
        }
        waiting.forEach(ListenerStack.Waiter::remove);
        hook.armed = true; // the next compaction's walk meets concurrent pushes
        for (int i = 0; i < 10_000; i++) {
            stack.pushWaiter(nothing).remove();
        }
        assertThat(hook.fired).as("a compaction ran with pushes during its walk").isTrue();
        assertThat(stack.liveListeners()).isEqualTo(1);
        assertThat(stack.physicalSize()).as("nodes in a stack with one live listener after 10,000 abandoned waits")
                .isLessThanOrEqualTo(1_000);
    }

    /** Live; when armed, pushes (and abandons) {@code pushes} waiters the first time a compaction asks about it. */
    private static final class PushesWhileCompacting extends ListenerStack.Listener {
        private final ListenerStack stack;
        private final int pushes;
        boolean armed;
        boolean fired;

        PushesWhileCompacting(ListenerStack stack, int pushes) {
            this.stack = stack;
            this.pushes = pushes;
        }

        @Override
        boolean isLive() {
            return true;
        }

        @Override
        boolean survivesCompaction() {
            if (armed && !fired) {
                fired = true;
                for (int i = 0; i < pushes; i++) {
                    stack.pushWaiter(() -> { }).remove();
                }
            }
            return true;
        }
    }

    /** The same with real threads: a few rounds, since the overlap is up to the OS scheduler. */
    @Test
    void abandonedWaitsFromTwoThreadsDuringACompactionStayBounded() throws Exception {
        for (int round = 1; round <= 4; round++) {
            churnFromTwoThreads(round);
        }
    }

    private void churnFromTwoThreads(int round) throws Exception {
        CancellationToken token = new CancellationToken();
        // Many live waiters first, so the threshold grows and the next compaction walks a long stack.
        List<Task<Void>> live = new ArrayList<>();
        ManualContext cx = new ManualContext();
        for (int i = 0; i < 200_000; i++) {
            Task<Void> wait = token.cancelled();
            assertThat(wait.poll(cx).isPending()).isTrue();
            live.add(wait);
        }
        for (Task<Void> wait : live) {
            wait.cancel(); // every one of them abandoned: nothing is live any more
        }
        live.clear();

        // Two threads each wait and abandon, as two workers running requests in a select would.
        int perThread = 400_000;
        CyclicBarrier start = new CyclicBarrier(2);
        Runnable churn = () -> {
            try {
                start.await();
            } catch (Exception e) {
                throw new AssertionError(e);
            }
            ManualContext own = new ManualContext();
            for (int i = 0; i < perThread; i++) {
                Task<Void> wait = token.cancelled();
                try {
                    wait.poll(own);
                } catch (Exception e) {
                    throw new AssertionError(e);
                }
                wait.cancel();
            }
        };
        Thread a = new Thread(churn, "churn-a");
        Thread b = new Thread(churn, "churn-b");
        a.start();
        b.start();
        a.join(30_000);
        b.join(30_000);
        assertThat(a.isAlive() || b.isAlive()).as("churn threads finished").isFalse();

        // Nothing is live: a bounded stack holds at most its compaction slack (a few dozen nodes),
        // plus whatever the last threshold allows (2 x live at the last compaction, live <= 2 here).
        assertThat(token.liveListeners()).isZero();
        assertThat(token.physicalSize())
                .as("round %d: nodes kept by a token nothing waits on, after %d abandoned waits", round, 2 * perThread)
                .isLessThanOrEqualTo(1_000);
    }
}
