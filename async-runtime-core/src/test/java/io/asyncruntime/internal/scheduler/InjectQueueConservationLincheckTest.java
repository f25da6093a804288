package io.asyncruntime.internal.scheduler;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;
import org.jetbrains.lincheck.datastructures.IntGen;
import org.jetbrains.lincheck.datastructures.ModelCheckingOptions;
import org.jetbrains.lincheck.datastructures.Operation;
import org.jetbrains.lincheck.datastructures.Param;
import org.jetbrains.lincheck.datastructures.StressOptions;
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
        new ModelCheckingOptions()
                .iterations(6)
                .invocationsPerIteration(300)
                .threads(3)
                .actorsPerThread(2)
                .actorsBefore(2)
                .actorsAfter(1)
                .check(getClass());
    }

    @Test
    void stress() {
        new StressOptions()
                .iterations(10)
                .invocationsPerIteration(300)
                .threads(3)
                .actorsPerThread(3)
                .actorsBefore(2)
                .actorsAfter(1)
                .check(getClass());
    }

    @Test
    @Tag("long")
    void modelCheckingLong() {
        new ModelCheckingOptions()
                .iterations(200)
                .invocationsPerIteration(5_000)
                .threads(3)
                .actorsPerThread(4)
                .actorsBefore(3)
                .actorsAfter(2)
                .check(getClass());
    }
}
