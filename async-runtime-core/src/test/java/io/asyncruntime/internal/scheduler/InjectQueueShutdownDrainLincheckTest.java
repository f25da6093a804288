package io.asyncruntime.internal.scheduler;

import io.asyncruntime.internal.scheduler.SchedulerLincheckSupport.Scenario;
import java.lang.invoke.VarHandle;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;
import org.jetbrains.lincheck.datastructures.Operation;
import org.jetbrains.lincheck.datastructures.Validate;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Issue 15, defect 7: shutdown never leaves a task in the inject queue. The scheduler's protocol,
 * reduced to the queue: {@code close()} sets the shutdown flag, then drains; a spawner that passed
 * the shutdown check pushes, fences, and if it now sees the flag drains too (the task it pushed
 * must not stay queued); a worker that has not yet noticed the shutdown takes a batch, holding
 * the queue's consumer flag meanwhile. Before the fix a drain was "pop until null", and pop
 * returns null while another thread holds the consumer flag: with the worker holding it, both the
 * closer's and the spawner's drains ended at once and the spawner's task stayed queued forever.
 * The invariant: once every operation has returned, a closed queue is empty, and every task was
 * taken exactly once.
 */
public class InjectQueueShutdownDrainLincheckTest {

    private static final Scenario SCENARIO = new Scenario(3, 2, 1, 0);
    private static final Scenario LONG_SCENARIO = new Scenario(3, 3, 2, 1);

    private static final int MAX_TASKS = 64;

    private final InjectQueue inject = new InjectQueue();
    /** The worker's ring, shrunk so a batch fills it. */
    private final LocalQueue ring = new LocalQueue(2);
    private final AtomicInteger nextId = new AtomicInteger();
    private final AtomicIntegerArray taken = new AtomicIntegerArray(MAX_TASKS);
    private volatile boolean shutdown;

    /** {@code Scheduler.scheduleRemote} after {@code spawnBody}'s shutdown check passed. */
    @Operation
    public void spawn() {
        inject.push(new TestTask(nextId.getAndIncrement()));
        VarHandle.fullFence(); // notifyParked's fence
        if (shutdown) {
            drain();
        }
    }

    /** {@code Scheduler.shutdown}: the flag, then the drain. */
    @Operation(nonParallelGroup = "closer")
    public void close() {
        shutdown = true;
        drain();
    }

    /** A worker's tick that has not seen the shutdown yet: a batch into its ring, all of it "run". */
    @Operation(nonParallelGroup = "worker")
    public void workerTakesABatch() {
        record(inject.popBatchInto(ring, 2));
        for (ScheduledTask t = ring.pop(); t != null; t = ring.pop()) {
            record(t);
        }
    }

    private void drain() {
        inject.drainForShutdown(this::record);
    }

    private void record(ScheduledTask t) {
        if (t == null) {
            return;
        }
        if (t.queueNext != null) {
            throw new AssertionError("taken task still linked: " + t + " -> " + t.queueNext);
        }
        if (taken.getAndIncrement(((TestTask) t).id) != 0) {
            throw new AssertionError("task " + t + " taken twice");
        }
    }

    @Validate
    public void aClosedQueueIsEmpty() {
        if (shutdown && !inject.isEmpty()) {
            throw new AssertionError("closed, but " + inject.len() + " task(s) stay queued forever");
        }
        for (int id = 0, n = nextId.get(); id < n; id++) {
            if (taken.get(id) == 0 && !shutdown) {
                continue; // still queued in a queue that is not closed: fine
            }
            if (taken.get(id) != 1) {
                throw new AssertionError("task " + id + " taken " + taken.get(id) + " times");
            }
        }
    }

    @Test
    void modelChecking() {
        SCENARIO.modelChecking(10, 300).check(getClass());
    }

    @Test
    void stress() {
        SCENARIO.stress(10, 300).check(getClass());
    }

    @Test
    @Tag("long")
    void modelCheckingLong() {
        LONG_SCENARIO.modelChecking(200, 5_000).check(getClass());
    }
}
