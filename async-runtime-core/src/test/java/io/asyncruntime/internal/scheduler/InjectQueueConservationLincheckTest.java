package io.asyncruntime.internal.scheduler;

import io.asyncruntime.internal.scheduler.SchedulerLincheckSupport.Scenario;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;
import org.jetbrains.lincheck.datastructures.IntGen;
import org.jetbrains.lincheck.datastructures.Operation;
import org.jetbrains.lincheck.datastructures.Param;
import org.jetbrains.lincheck.datastructures.Validate;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * (c, conservation part) Several producers and several consumers at once. Pop is not linearizable
 * here by design (it returns null at once while another consumer holds the queue), so operations
 * record and return nothing, and the check is that no task is lost or handed out twice, and that
 * every task taken out is unlinked.
 */
@Param(name = "n", gen = IntGen.class, conf = "1:3")
public class InjectQueueConservationLincheckTest {

    private static final Scenario SCENARIO = new Scenario(3, 2, 2, 1);
    private static final Scenario STRESS_SCENARIO = new Scenario(3, 3, 2, 1);
    private static final Scenario LONG_SCENARIO = new Scenario(3, 4, 3, 2);

    private static final int MAX_TASKS = 128;

    private final InjectQueue inject = new InjectQueue();
    private final LocalQueue batchQueue = new LocalQueue(4);
    private final AtomicInteger nextId = new AtomicInteger();
    private final AtomicIntegerArray taken = new AtomicIntegerArray(MAX_TASKS);

    @Operation
    public void push() {
        inject.push(new TestTask(nextId.getAndIncrement()));
    }

    @Operation(params = {"n"})
    public void pushBatch(int n) {
        TestTask first = new TestTask(nextId.getAndIncrement());
        TestTask last = first;
        for (int i = 1; i < n; i++) {
            TestTask next = new TestTask(nextId.getAndIncrement());
            last.queueNext = next;
            last = next;
        }
        inject.pushBatch(first, last, n);
    }

    @Operation
    public void pop() {
        record(inject.pop());
    }

    /** One thread owns batchQueue, so batches come from one group; pops above from any thread. */
    @Operation(nonParallelGroup = "batch", params = {"n"})
    public void popBatch(int n) {
        record(inject.popBatchInto(batchQueue, n));
        ScheduledTask t;
        while ((t = batchQueue.pop()) != null) {
            record(t);
        }
    }

    private void record(ScheduledTask t) {
        if (t == null) {
            return;
        }
        if (t.queueNext != null) {
            throw new AssertionError("taken task still linked: " + t + " -> " + t.queueNext);
        }
        taken.incrementAndGet(((TestTask) t).id);
    }

    @Validate
    public void everyTaskIsTakenOrQueuedExactlyOnce() {
        List<TestTask> queued = new ArrayList<>();
        ScheduledTask t;
        while ((t = inject.pop()) != null) { // quiescent: no producer is mid-push
            queued.add((TestTask) t);
        }
        int[] seen = new int[MAX_TASKS];
        int pushed = nextId.get();
        for (int id = 0; id < pushed; id++) {
            seen[id] = taken.get(id);
        }
        for (TestTask task : queued) {
            seen[task.id]++;
            inject.push(task); // leave the queue as found
        }
        if (inject.len() != queued.size()) {
            throw new AssertionError("len " + inject.len() + " with " + queued.size() + " queued");
        }
        for (int id = 0; id < pushed; id++) {
            if (seen[id] != 1) {
                throw new AssertionError("task " + id + " seen " + seen[id] + " times");
            }
        }
    }

    @Test
    void modelChecking() {
        SCENARIO.modelChecking(6, 300).check(getClass());
    }

    @Test
    void stress() {
        STRESS_SCENARIO.stress(10, 300).check(getClass());
    }

    @Test
    @Tag("long")
    void modelCheckingLong() {
        LONG_SCENARIO.modelChecking(200, 5_000).check(getClass());
    }
}
