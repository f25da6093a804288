package io.asyncruntime.internal.scheduler;

import io.asyncruntime.internal.scheduler.SchedulerLincheckSupport.Scenario;
import java.util.concurrent.atomic.AtomicIntegerArray;
import org.jetbrains.lincheck.datastructures.Operation;
import org.jetbrains.lincheck.datastructures.Validate;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The LIFO slot ({@link LifoSlot}) is linearizable against a one-task register when its owner
 * fills and takes it while two other threads empty it: a thief of a stalled worker
 * ({@code WorkerHandOver.stealFromStalledLifoSlot}) and the shutdown cancelling a stuck worker's
 * queues ({@code Scheduler.cancelQueuedOfStuckWorker}). The owner also empties it as its own
 * shutdown drain does ({@code WorkerQueues.cancelQueuedOnShutdown}). {@link #everyTaskExactlyOnce}
 * checks conservation besides: every task put in the slot came out exactly once (displaced to the
 * ring by the next fill, taken, stolen) or is still there.
 *
 * <p>Lincheck's model checker runs sequentially consistent interleavings, so it checks the
 * protocol (which thread may write what, in which order), not the memory modes; those are argued
 * in {@link LifoSlot}. The stress mode runs the real code on the machine's memory model.
 */
public class LifoSlotLincheckTest {

    private static final Scenario SCENARIO = new Scenario(3, 3, 2, 1);
    private static final Scenario LONG_SCENARIO = new Scenario(3, 4, 3, 2);

    private static final int MAX_TASKS = 64;

    private final LifoSlot slot = new LifoSlot() {
    };
    /** How many times each task id came out of the slot. */
    private final AtomicIntegerArray out = new AtomicIntegerArray(MAX_TASKS);
    /** Owner only (its operations are one group). */
    private int nextId;

    /** The owner's poll wakes a task into the slot; what the slot held goes to the ring. */
    @Operation(nonParallelGroup = "owner")
    public Integer fill() {
        return record(slot.swapLifoSlot(new TestTask(nextId++)));
    }

    /** The owner's run loop takes the slot after a poll. */
    @Operation(nonParallelGroup = "owner")
    public Integer take() {
        return record(slot.takeLifoSlot());
    }

    /** The owner's own shutdown drain. */
    @Operation(nonParallelGroup = "owner")
    public Integer ownerDrain() {
        return record(slot.stealLifoSlot());
    }

    /** A thief of a stalled worker. */
    @Operation(nonParallelGroup = "thief")
    public Integer steal() {
        return record(slot.stealLifoSlot());
    }

    /** The shutdown cancelling a stuck worker's queues. */
    @Operation(nonParallelGroup = "shutdown")
    public Integer shutdownDrain() {
        return record(slot.stealLifoSlot());
    }

    /** The idle check and the lane check read the slot from any thread. */
    @Operation(nonParallelGroup = "shutdown")
    public boolean hasTask() {
        return slot.hasTaskInLifoSlot();
    }

    private Integer record(ScheduledTask task) {
        if (task == null) {
            return null;
        }
        int id = ((TestTask) task).id;
        out.incrementAndGet(id);
        return id;
    }

    /** Runs between the scenario's parts, with nothing in flight. Leaves the slot as found. */
    @Validate
    public void everyTaskExactlyOnce() {
        ScheduledTask held = slot.stealLifoSlot();
        int inSlot = held != null ? ((TestTask) held).id : -1;
        if (held != null && slot.swapLifoSlot(held) != null) { // put back, as found
            throw new AssertionError("the slot filled while nothing ran");
        }
        for (int id = 0; id < nextId; id++) {
            int seen = out.get(id) + (id == inSlot ? 1 : 0);
            if (seen != 1) {
                throw new AssertionError("task " + id + " came out " + out.get(id) + " times"
                        + (id == inSlot ? " and is still in the slot" : ""));
            }
        }
    }

    /** The sequential specification: a register holding at most one task. */
    public static final class Model {
        private Integer held;
        private int nextId;

        public Integer fill() {
            Integer previous = held;
            held = nextId++;
            return previous;
        }

        public Integer take() {
            Integer taken = held;
            held = null;
            return taken;
        }

        public Integer ownerDrain() {
            return take();
        }

        public Integer steal() {
            return take();
        }

        public Integer shutdownDrain() {
            return take();
        }

        public boolean hasTask() {
            return held != null;
        }
    }

    @Test
    void modelChecking() {
        SCENARIO.modelChecking(20, 1_000).sequentialSpecification(Model.class).check(getClass());
    }

    @Test
    void stress() {
        SCENARIO.stress(20, 1_000).sequentialSpecification(Model.class).check(getClass());
    }

    @Test
    @Tag("long")
    void modelCheckingLong() {
        LONG_SCENARIO.modelChecking(200, 5_000).sequentialSpecification(Model.class).check(getClass());
    }
}
