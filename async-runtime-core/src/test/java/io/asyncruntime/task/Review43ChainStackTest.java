package io.asyncruntime.task;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/**
 * review43: probes of alloc24 (75b4c46: {@code Chain}'s run-loop stack starts at two frames and
 * doubles; value-less {@code Step}s are shared).
 *
 * <p>Four tests are probes of the stack's correctness at every depth (cancel after growth, a
 * failure unwinding a grown stack, a second run loop on the same thread inside a step, popped
 * frames not retained): they pass on alloc24. The retention probe also fails against a mutant whose
 * {@code pop()} keeps its slot, which {@code ChainStackAndSharedStepsTest} does not catch. One test
 * measures the stack's bytes by depth: on main a run loop of
 * one to eight frames allocated one {@code Chain[8]} (48 B); alloc24's first version allocated a
 * {@code Chain[2]} (24 B) for one to two frames but {@code Chain[2]} + {@code Chain[4]} (56 B) for
 * three to four and 104 B for five to eight (review43's finding 1); the stack is now sized at the
 * first poll, one array of the chain's depth, never more than main's.
 */
class Review43ChainStackTest {

    private static Task<Integer> maps(Task<Integer> leaf, int depth, Function<Integer, Integer> f) {
        Task<Integer> task = leaf;
        for (int i = 0; i < depth; i++) {
            task = task.map(f);
        }
        return task;
    }

    @Test
    void cancelAfterTheStackGrewCancelsThePendingLeafOnceAndEndsTheChain() throws Exception {
        for (int depth : new int[] {1, 2, 3, 5, 9, 17, 33}) {
            PendingOnce leaf = new PendingOnce(7);
            List<Integer> ran = new ArrayList<>();
            Task<Integer> chain = maps(leaf, depth, x -> {
                ran.add(x);
                return x + 1;
            });
            assertThat(chain.poll(new ManualContext()).isPending()).as("depth %d", depth).isTrue();
            chain.cancel();
            chain.cancel(); // idempotent: the leaf is cancelled once
            assertThat(leaf.cancels.get()).as("depth %d", depth).isEqualTo(1);
            assertThat(ran).as("depth %d: no continuation runs after cancel", depth).isEmpty();
            assertThatThrownBy(() -> chain.poll(new ManualContext())).isInstanceOf(IllegalStateException.class);
        }
    }

    @Test
    void aFailureUnwindsAGrownStackSkippingMapsToTheNearestRecoverThenRegrows() throws Exception {
        AtomicInteger mapsRun = new AtomicInteger();
        // recover at the bottom, 17 maps above it that the failure skips, then a flatMap whose
        // inner chain (9 deep, pending once) regrows the stack after the unwind.
        Task<Integer> failingLeaf = new Task<>() {
            private boolean polled;

            @Override
            public Poll<Integer> poll(Context cx) {
                if (!polled) {
                    polled = true;
                    cx.waker().wake();
                    return Poll.pending();
                }
                throw new IllegalArgumentException("boom");
            }
        };
        Task<Integer> chain = maps(failingLeaf, 17, x -> {
            mapsRun.incrementAndGet();
            return x + 1;
        }).recover(t -> t instanceof IllegalArgumentException ? 100 : -1)
                .flatMap(x -> maps(new PendingOnce(x), 9, y -> y + 1))
                .map(x -> x * 2);
        assertThat(ManualContext.runToCompletion(chain)).isEqualTo((100 + 9) * 2);
        assertThat(mapsRun.get()).isZero();
    }

    @Test
    void aRunLoopStartedInsideAStepOfAnotherKeepsItsOwnStack() throws Exception {
        // The outer run loop's stack has grown (17 frames, leaf pending); inside one of its steps
        // a second, independent chain is run to completion on the same thread. Both must end with
        // every step run once and in order: a shared or aliased frames array would mix them up.
        List<String> order = new ArrayList<>();
        Task<Integer> outer = pendingMaps("outer", 17, order).flatMap(x -> {
            try {
                int inner = ManualContext.runToCompletion(pendingMaps("inner", 17, order));
                return Task.completed(x + inner);
            } catch (Exception e) {
                return Task.failed(e);
            }
        }).map(x -> x + 1);
        assertThat(ManualContext.runToCompletion(outer)).isEqualTo(17 + 17 + 1);
        List<String> expected = new ArrayList<>();
        for (int i = 1; i <= 17; i++) {
            expected.add("outer" + i);
        }
        for (int i = 1; i <= 17; i++) {
            expected.add("inner" + i);
        }
        assertThat(order).isEqualTo(expected);
    }

    private static Task<Integer> pendingMaps(String name, int depth, List<String> order) {
        Task<Integer> task = new PendingOnce(0);
        for (int i = 1; i <= depth; i++) {
            String label = name + i;
            task = task.map(x -> {
                order.add(label);
                return x + 1;
            });
        }
        return task;
    }

    /**
     * Bytes a run loop of {@code depth} frames allocates while it runs: the chains are built
     * before measuring, so what is measured is the run loop's stack plus what every run
     * allocates regardless of depth (the leaf's and the chain's ready {@code Poll}).
     */
    private static long bytesPerRun(int depth, int runs) throws Exception {
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long thread = Thread.currentThread().getId();
        Function<Integer, Integer> plusOne = x -> x + 1;
        long best = Long.MAX_VALUE;
        for (int round = 0; round < 5; round++) {
            List<Task<Integer>> chains = new ArrayList<>(runs);
            for (int i = 0; i < runs; i++) {
                chains.add(maps(Task.completed(1), depth, plusOne));
            }
            ManualContext cx = new ManualContext();
            long before = threads.getThreadAllocatedBytes(thread);
            for (int i = 0; i < runs; i++) {
                chains.get(i).poll(cx);
            }
            long after = threads.getThreadAllocatedBytes(thread);
            best = Math.min(best, (after - before) / runs);
        }
        return best;
    }

    @Test
    void aRunLoopOfUpToEightFramesAllocatesNoMoreStackThanMainsOneEightSlotArray() throws Exception {
        // Warm up every depth first so that what is measured is compiled code.
        for (int depth = 1; depth <= 8; depth++) {
            bytesPerRun(depth, 20_000);
        }
        Map<Integer, Long> bytes = new LinkedHashMap<>();
        for (int depth = 1; depth <= 8; depth++) {
            bytes.put(depth, bytesPerRun(depth, 20_000));
        }
        // 2c1de30 allocated one Chain[8] (48 B) at every depth from 1 to 8; alloc24's doubling
        // stack allocated Chain[2] + Chain[4] (+ Chain[8]) from depth 3 on (56, 104 B). Sized at the
        // first poll, depth d allocates one Chain[max(2, d)]: 24 B at depths 1-2, at most 48 B at 8.
        assertThat(bytes.get(2)).as("bytes per run by depth: %s", bytes).isEqualTo(bytes.get(1));
        for (int depth = 3; depth <= 8; depth++) {
            assertThat(bytes.get(depth)).as("bytes per run at depth %d against depth 1, all: %s", depth, bytes)
                    .isLessThanOrEqualTo(bytes.get(1) + 24);
        }
    }

    @Test
    void framesPoppedFromAGrownStackAreNotRetainedWhileTheRunLoopWaitsOnALaterStep() throws Exception {
        // ChainStackAndSharedStepsTest says the stack "shrinks" correctly but nothing pins that a
        // popped slot is cleared: with pop() keeping its slot it still passes. Here a 9-deep inner
        // chain whose steps capture a payload runs to its end and is popped while the outer run
        // loop then waits on a later leaf: the payload must be collectable.
        Object[] payload = {new byte[1 << 20]};
        java.lang.ref.WeakReference<Object> weak = new java.lang.ref.WeakReference<>(payload[0]);
        PendingForever later = new PendingForever();
        Task<Integer> outer = new PendingOnce(0)
                .flatMap(x -> capturing(payload[0], 9))
                .flatMap(x -> later)
                .map(x -> x + 1);
        ManualContext cx = new ManualContext();
        for (int i = 0; i < 3; i++) {
            assertThat(outer.poll(cx).isPending()).isTrue();
        }
        assertThat(later.polls).as("the run loop has moved on to the later leaf").isPositive();
        payload[0] = null;
        for (int i = 0; i < 50 && weak.get() != null; i++) {
            System.gc(); // a full collection, which clears the weak reference if nothing else holds the payload
        }
        assertThat(weak.get()).as("payload captured by popped frames").isNull();
        java.lang.ref.Reference.reachabilityFence(outer);
    }

    private static Task<Integer> capturing(Object payload, int depth) {
        Task<Integer> task = new PendingOnce(0);
        for (int i = 0; i < depth; i++) {
            task = task.map(x -> payload.hashCode() == 0 ? x : x + 1);
        }
        return task;
    }

    /** Never ready; counts its polls. */
    private static final class PendingForever implements Task<Integer> {
        int polls;

        @Override
        public Poll<Integer> poll(Context cx) {
            polls++;
            return Poll.pending();
        }
    }
}
