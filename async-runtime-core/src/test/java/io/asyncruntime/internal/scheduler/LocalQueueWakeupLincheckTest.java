package io.asyncruntime.internal.scheduler;

import io.asyncruntime.internal.scheduler.SchedulerLincheckSupport.Scenario;
import java.lang.invoke.VarHandle;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import org.jetbrains.lincheck.datastructures.Operation;
import org.jetbrains.lincheck.datastructures.Validate;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The worker's rule for waking a peer after a local push ({@code WorkerQueues.pushLocal}), reduced to
 * its core: the owner wakes a parked peer only when a push finds its ring empty or overflows it
 * (full fence first); pushes into a ring that already held work wake nobody; and every event
 * interval the owner wakes a peer if its ring holds more than the one task it runs next
 * ({@code WorkerPark.notifyIfOthersCouldHelp}, which counts the LIFO slot too, so it wakes in every
 * case this model does).
 * The peer steals half the ring and runs it, or parks: it says it is parking, fences, re-checks
 * the ring and the overflow (the inject queue), and parks only if both are empty; a wake while
 * it is parking cancels the park (the parker's permit).
 *
 * <p>The property: no peer stays parked while the overflow holds work or the owner's ring holds
 * more than the task the (awake) owner runs next, once the owner has passed its next event
 * interval ({@link #noPeerParkedBesideWork()} runs that interval first). Without the interval a
 * thief that empties the ring between the owner's emptiness check and its push leaves such a peer
 * until the ring empties (the model checker finds that interleaving when {@code eventInterval} is
 * left out of the validation). The ring is shrunk to 4 slots, so pushes overflow.
 */
public class LocalQueueWakeupLincheckTest {

    private static final Scenario SCENARIO = new Scenario(2, 4, 1, 0);
    private static final Scenario LONG_SCENARIO = new Scenario(2, 6, 2, 0);

    private static final int RUNNING = 0;
    private static final int PARKING = 1;
    private static final int PARKED = 2;

    private final LocalQueue ring = new LocalQueue(4);
    private final LocalQueue peerRing = new LocalQueue(4);
    private final ConcurrentLinkedQueue<ScheduledTask> injected = new ConcurrentLinkedQueue<>();
    private final Overflow overflow = new Overflow() {
        @Override
        public void push(ScheduledTask task) {
            injected.add(task);
        }

        @Override
        public void pushBatch(ScheduledTask first, ScheduledTask last, int count) {
            for (ScheduledTask t = first; t != null; ) {
                ScheduledTask next = t.queueNext;
                t.queueNext = null;
                injected.add(t);
                t = next;
            }
        }
    };
    private final AtomicInteger peer = new AtomicInteger(RUNNING);
    private int nextId;

    /** Starts with the peer parked on an empty runtime. */
    public LocalQueueWakeupLincheckTest() {
        peer.set(PARKED);
    }

    /** The owner's push, with WorkerQueues.pushLocal's rule. */
    @Operation(nonParallelGroup = "owner")
    public void push() {
        boolean wasEmpty = ring.isEmpty();
        int moved = ring.pushBackOrOverflow(new TestTask(nextId++), overflow);
        if (wasEmpty || moved > 0) {
            VarHandle.fullFence();
            wakePeer();
        }
    }

    @Operation(nonParallelGroup = "owner")
    public void pop() {
        ring.pop();
    }

    /** The owner's event interval: WorkerPark.notifyIfOthersCouldHelp (ring only). */
    @Operation(nonParallelGroup = "owner")
    public void eventInterval() {
        if (ring.len() > 1) {
            wakePeer();
        }
    }

    /** An awake peer steals half the ring (else takes from the overflow) and runs what it took. */
    @Operation(nonParallelGroup = "peer")
    public void stealAndRun() {
        if (peer.get() != RUNNING) {
            return;
        }
        if (ring.stealInto(peerRing) == null) {
            injected.poll();
        }
        while (peerRing.pop() != null) {
            // run it
        }
    }

    /** An awake peer that found nothing parks: announce, fence, re-check, park. */
    @Operation(nonParallelGroup = "peer")
    public void park() {
        if (peer.get() != RUNNING) {
            return;
        }
        peer.set(PARKING);
        VarHandle.fullFence();
        if (ring.isEmpty() && injected.isEmpty()) {
            peer.compareAndSet(PARKING, PARKED); // fails if woken meanwhile: the permit
        } else {
            peer.compareAndSet(PARKING, RUNNING);
        }
    }

    /** A notifier that sees the peer parking or parked wakes it. */
    private void wakePeer() {
        int state = peer.get();
        if (state != RUNNING) {
            peer.compareAndSet(state, RUNNING);
        }
    }

    @Validate
    public void noPeerParkedBesideWork() {
        eventInterval();
        if (peer.get() == PARKED && (ring.len() > 1 || !injected.isEmpty())) {
            throw new AssertionError("the peer is parked while work waits: ring " + ring.len()
                    + ", overflow " + injected.size());
        }
    }

    @Test
    void modelChecking() {
        SCENARIO.modelChecking(10, 400).check(getClass());
    }

    @Test
    void stress() {
        SCENARIO.stress(8, 400).check(getClass());
    }

    @Test
    @Tag("long")
    void modelCheckingLong() {
        LONG_SCENARIO.modelChecking(300, 5_000).check(getClass());
    }
}
