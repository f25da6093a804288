package io.asyncruntime.task;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.lang.ref.Reference;
import java.lang.ref.WeakReference;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 60, unit = TimeUnit.SECONDS)
class CancellationTokenTest {

    /** Nodes a stack may keep beyond its live listeners: the compaction slack (see ListenerStack). */
    private static final int COMPACTION_SLACK = 2 * ListenerStack.MIN_PUSHES_BETWEEN_COMPACTIONS + 2;

    @Test
    void aNewTokenIsNotCancelledAndCancelIsIdempotent() {
        CancellationToken token = new CancellationToken();
        assertThat(token.isCancelled()).isFalse();
        token.cancel();
        token.cancel();
        assertThat(token.isCancelled()).isTrue();
        assertThat(token).hasToString("CancellationToken[cancelled, root]");
    }

    @Test
    void aChildIsCancelledWithItsParentNeverTheReverse() {
        CancellationToken parent = new CancellationToken();
        CancellationToken child = parent.child();
        CancellationToken sibling = parent.child();
        child.cancel();
        assertThat(child.isCancelled()).isTrue();
        assertThat(parent.isCancelled()).isFalse();
        assertThat(sibling.isCancelled()).isFalse();
        parent.cancel();
        assertThat(sibling.isCancelled()).isTrue();
        assertThat(sibling.child().isCancelled()).as("a child of a cancelled token").isTrue();
    }

    @Test
    void cancelledCompletesWhenTheTokenIsCancelledAndWakesItsWaiterOnce() throws Exception {
        CancellationToken root = new CancellationToken();
        CancellationToken grandchild = root.child().child();
        Task<Void> wait = grandchild.cancelled();
        ManualContext cx = new ManualContext();
        assertThat(wait.poll(cx).isPending()).isTrue();
        assertThat(wait.poll(cx).isPending()).as("polled again: still one registration").isTrue();
        assertThat(grandchild.waitingTasks()).isEqualTo(1);
        root.cancel();
        assertThat(cx.wakes).hasValue(1);
        assertThat(wait.poll(cx).isReady()).isTrue();
        assertThat(grandchild.cancelled().poll(new ManualContext()).isReady()).as("already cancelled").isTrue();
    }

    @Test
    void aWaitRegisteredUnderAnAlreadyCancelledAncestorIsReadyWithoutAWake() throws Exception {
        CancellationToken root = new CancellationToken();
        CancellationToken middle = root.child();
        CancellationToken leaf = middle.child();
        root.cancel(); // nothing waited: middle and leaf were never attached, so not marked yet
        ManualContext cx = new ManualContext();
        assertThat(leaf.cancelled().poll(cx).isReady()).isTrue();
        assertThat(cx.wakes).hasValue(0);
        assertThat(middle.isCancelled()).isTrue();
    }

    @Test
    void aCancelledWaitLeavesNothingRegistered() throws Exception {
        CancellationToken root = new CancellationToken();
        CancellationToken child = root.child();
        Task<Void> wait = child.cancelled();
        ManualContext cx = new ManualContext();
        assertThat(wait.poll(cx).isPending()).isTrue();
        assertThat(child.waitingTasks()).isEqualTo(1);
        assertThat(child.isAttached()).isTrue();

        wait.cancel();
        assertThat(child.waitingTasks()).isZero();
        root.cancel();
        assertThat(cx.wakes).as("an abandoned wait is never woken").hasValue(0);
    }

    @Test
    void aWaitThatLosesASelectIsDeregistered() throws Exception {
        CancellationToken token = new CancellationToken();
        Task<String> raced = Task.select(token.cancelled(), v -> "cancelled", Task.completed(7), v -> "value " + v);
        assertThat(ManualContext.runToCompletion(raced)).isEqualTo("value 7");
        assertThat(token.waitingTasks()).isZero();
        Task<String> pending = Task.select(token.cancelled(), v -> "cancelled", Task.<Integer>never(), v -> "value");
        assertThat(pending.poll(new ManualContext()).isPending()).isTrue();
        assertThat(token.waitingTasks()).isEqualTo(1);
        pending.cancel();
        assertThat(token.waitingTasks()).isZero();
    }

    @Test
    void aMillionAbandonedWaitsDoNotGrowALongLivedToken() throws Exception {
        CancellationToken token = new CancellationToken();
        ManualContext cx = new ManualContext();
        for (int i = 0; i < 1_000_000; i++) {
            Task<Void> wait = token.cancelled();
            wait.poll(cx);
            wait.cancel();
        }
        assertThat(token.waitingTasks()).isZero();
        assertThat(token.physicalSize()).isLessThanOrEqualTo(COMPACTION_SLACK);
    }

    @Test
    void childrenWaitedOnThenAbandonedOrCancelledArePrunedFromTheirParent() throws Exception {
        CancellationToken parent = new CancellationToken();
        Task<Void> longWait = parent.child().cancelled(); // one child stays waited on throughout
        ManualContext longCx = new ManualContext();
        longWait.poll(longCx);
        for (int i = 0; i < 100_000; i++) {
            CancellationToken child = parent.child();
            Task<Void> wait = child.cancelled();
            wait.poll(new ManualContext());
            if (i % 2 == 0) {
                wait.cancel();
            } else {
                child.cancel();
            }
        }
        assertThat(parent.physicalSize()).isLessThanOrEqualTo(COMPACTION_SLACK);
        parent.cancel();
        assertThat(longCx.wakes).as("the child still waited on was kept").hasValue(1);
    }

    @Test
    void aDroppedChildIsGarbageCollectedWhileItsParentLives() throws Exception {
        CancellationToken parent = new CancellationToken();
        WeakReference<CancellationToken> neverWaited = new WeakReference<>(parent.child());
        CancellationToken abandoned = parent.child();
        Task<Void> wait = abandoned.cancelled();
        wait.poll(new ManualContext());
        wait.cancel();
        WeakReference<CancellationToken> abandonedRef = new WeakReference<>(abandoned);
        abandoned = null;
        wait = null;
        // The abandoned child is still linked until the parent compacts: new children do that.
        for (int i = 0; i < 4 * ListenerStack.MIN_PUSHES_BETWEEN_COMPACTIONS; i++) {
            Task<Void> w = parent.child().cancelled();
            w.poll(new ManualContext());
            w.cancel();
        }
        await().atMost(Duration.ofSeconds(20)).until(() -> {
            System.gc();
            return neverWaited.get() == null && abandonedRef.get() == null;
        });
        Reference.reachabilityFence(parent);
    }

    @Test
    void cancellingATreeOf100000TokensWakesEachWaiterOnce() throws Exception {
        Random random = new Random(42);
        List<CancellationToken> tokens = new ArrayList<>();
        CancellationToken root = new CancellationToken();
        tokens.add(root);
        for (int i = 1; i < 100_000; i++) {
            tokens.add(tokens.get(random.nextInt(tokens.size())).child());
        }
        assertEachWaiterWokenOnceByCancellingTheRoot(tokens);
    }

    @Test
    void cancellingAChainOf100000TokensIsIterativeAndWakesEachWaiterOnce() throws Exception {
        List<CancellationToken> chain = new ArrayList<>();
        CancellationToken token = new CancellationToken();
        for (int i = 0; i < 100_000; i++) {
            chain.add(token);
            token = token.child();
        }
        assertEachWaiterWokenOnceByCancellingTheRoot(chain);

        // Unwatched, a chain is marked lazily: the deepest token finds the cancelled root once.
        CancellationToken top = new CancellationToken();
        CancellationToken deepest = top;
        for (int i = 0; i < 100_000; i++) {
            deepest = deepest.child();
        }
        top.cancel();
        assertThat(deepest.isCancelled()).isTrue();
        assertThat(deepest.parent().isClosed()).as("marked on the way up").isTrue();
    }

    private static void assertEachWaiterWokenOnceByCancellingTheRoot(List<CancellationToken> tokens) throws Exception {
        AtomicInteger[] wakes = new AtomicInteger[tokens.size()];
        for (int i = tokens.size() - 1; i >= 0; i--) {
            AtomicInteger count = new AtomicInteger();
            wakes[i] = count;
            Context cx = new CountingContext(count);
            assertThat(tokens.get(i).cancelled().poll(cx).isPending()).isTrue();
        }
        tokens.get(0).cancel();
        for (int i = 0; i < tokens.size(); i++) {
            if (wakes[i].get() != 1) {
                throw new AssertionError("waiter " + i + " was woken " + wakes[i].get() + " times");
            }
            if (!tokens.get(i).isClosed()) {
                throw new AssertionError("token " + i + " is not marked cancelled");
            }
        }
    }

    @Test
    void runUntilCancelledCompletesWithTheTaskWhenItFinishesFirst() throws Exception {
        CancellationToken token = new CancellationToken();
        assertThat(ManualContext.runToCompletion(token.runUntilCancelled(Task.completed(5)))).isEqualTo(5);
        assertThat(token.waitingTasks()).isZero();
        Task<Integer> failing = token.runUntilCancelled(Task.failed(new IOException("disk")));
        assertThatThrownBy(() -> ManualContext.runToCompletion(failing)).isInstanceOf(IOException.class);
        assertThat(token.waitingTasks()).isZero();
    }

    @Test
    void runUntilCancelledCancelsTheTaskAndFailsWhenTheTokenIsCancelledFirst() throws Exception {
        CancellationToken token = new CancellationToken();
        Probe<Integer> inner = new Probe<>();
        Task<Integer> run = token.runUntilCancelled(inner);
        ManualContext cx = new ManualContext();
        assertThat(run.poll(cx).isPending()).isTrue();
        token.cancel();
        assertThat(cx.wakes).hasValue(1);
        assertThatThrownBy(() -> run.poll(cx)).isInstanceOf(TaskCancelledException.class)
                .hasMessageContaining("CancellationToken was cancelled");
        assertThat(inner.cancelled).isTrue();

        Probe<Integer> never = new Probe<>();
        assertThatThrownBy(() -> token.runUntilCancelled(never).poll(new ManualContext()))
                .as("already cancelled: the task is not even polled").isInstanceOf(TaskCancelledException.class);
        assertThat(never.polls).isZero();
    }

    @Test
    void cancellingRunUntilCancelledCancelsTheTaskAndDeregisters() throws Exception {
        CancellationToken token = new CancellationToken();
        Probe<Integer> inner = new Probe<>();
        Task<Integer> run = token.runUntilCancelled(inner);
        run.poll(new ManualContext());
        assertThat(token.waitingTasks()).isEqualTo(1);
        run.cancel();
        assertThat(inner.cancelled).isTrue();
        assertThat(token.waitingTasks()).isZero();
        assertThatThrownBy(() -> token.runUntilCancelled(null))
                .isInstanceOf(NullPointerException.class).hasMessage("task must not be null");
    }

    @Test
    void aGuardCancelsOnCloseUnlessDisarmed() {
        CancellationToken token = new CancellationToken();
        try (CancellationToken.Guard guard = token.guard()) {
            assertThat(guard.token()).isSameAs(token);
        }
        assertThat(token.isCancelled()).isTrue();
        CancellationToken kept = new CancellationToken();
        try (CancellationToken.Guard guard = kept.guard()) {
            assertThat(guard.disarm()).isSameAs(kept);
        }
        assertThat(kept.isCancelled()).isFalse();
    }

    @Test
    void aThrowingWakerDoesNotKeepTheOthersAsleep() throws Exception {
        CancellationToken token = new CancellationToken();
        AtomicInteger good = new AtomicInteger();
        token.cancelled().poll(new CountingContext(good));
        token.cancelled().poll(new Context() {
            @Override
            public Waker waker() {
                return () -> {
                    throw new IllegalStateException("bad waker");
                };
            }

            @Override
            public boolean consumeBudget() {
                return true;
            }

            @Override
            public void requestYield() {
            }
        });
        token.child().cancelled().poll(new CountingContext(good));
        assertThatThrownBy(token::cancel).isInstanceOf(IllegalStateException.class).hasMessage("bad waker");
        assertThat(good).hasValue(2);
        assertThat(token.isCancelled()).isTrue();
    }

    /** A context whose waker counts into a given counter. */
    static final class CountingContext implements Context {
        private final AtomicInteger wakes;
        private final Waker waker;

        CountingContext(AtomicInteger wakes) {
            this.wakes = wakes;
            this.waker = wakes::incrementAndGet;
        }

        @Override
        public Waker waker() {
            return waker;
        }

        @Override
        public boolean consumeBudget() {
            return true;
        }

        @Override
        public void requestYield() {
        }
    }
}
