package io.asyncruntime.internal.scheduler;

import io.asyncruntime.internal.scheduler.SchedulerLincheckSupport.Scenario;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicIntegerArray;
import org.jetbrains.lincheck.datastructures.Operation;
import org.jetbrains.lincheck.datastructures.Validate;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * (b) A ring shrunk to 4, an owner that overflows, and two thieves stealing at once. Which thief
 * backs off, and whether a push during a steal sends one task or half the ring to the overflow,
 * depends on timing, so the operations return nothing and record what they got. The check is
 * conservation: every pushed task is, exactly once, popped by the owner, run by a thief, waiting
 * in a thief's queue, in the overflow, or still in the ring. (Exceptions inside an operation,
 * e.g. a null task handed out, fail the run as well.)
 */
public class LocalQueueConservationLincheckTest {

    private static final Scenario SCENARIO = new Scenario(3, 2, 1, 1);
    private static final Scenario STRESS_SCENARIO = new Scenario(3, 3, 4, 1);
    private static final Scenario LONG_SCENARIO = new Scenario(3, 4, 5, 2);

    private static final int MAX_TASKS = 64;

    private final LocalQueue queue = new LocalQueue(4);
    private final LocalQueue thief1 = new LocalQueue(4);
    private final LocalQueue thief2 = new LocalQueue(4);
    private final RecordingOverflow overflow = new RecordingOverflow();
    /** How many times each task id was handed out by a pop or a steal. */
    private final AtomicIntegerArray taken = new AtomicIntegerArray(MAX_TASKS);
    private int nextId;
    private int overflowReported;

    /**
     * Starts full, so that short scenarios reach the interesting races: a push that overflows
     * while a thief claims, two thieves at once, a push during a steal.
     */
    public LocalQueueConservationLincheckTest() {
        for (int i = 0; i < 4; i++) {
            push();
        }
    }

    @Operation(nonParallelGroup = "owner")
    public void push() {
        int moved = queue.pushBackOrOverflow(new TestTask(nextId++), overflow);
        if (moved != 0 && moved != 1 && moved != 3) {
            throw new AssertionError("moved " + moved + " tasks to the overflow");
        }
        overflowReported += moved;
    }

    @Operation(nonParallelGroup = "owner")
    public void pop() {
        record(queue.pop());
    }

    @Operation(nonParallelGroup = "thief1")
    public void steal1() {
        record(queue.stealInto(thief1));
    }

    @Operation(nonParallelGroup = "thief1")
    public void thief1Pop() {
        record(thief1.pop());
    }

    @Operation(nonParallelGroup = "thief2")
    public void steal2() {
        record(queue.stealInto(thief2));
    }

    /** Thieves steal from each other too: a queue that is both a thief and a victim. */
    @Operation(nonParallelGroup = "thief2")
    public void steal2FromThief1() {
        record(thief1.stealInto(thief2));
    }

    private void record(ScheduledTask task) {
        if (task != null) {
            taken.incrementAndGet(((TestTask) task).id);
        }
    }

    /** Runs between the scenario's parts, with no operation in flight. Leaves the state as found. */
    @Validate
    public void everyTaskIsSomewhereExactlyOnce() {
        int[] seen = new int[MAX_TASKS];
        for (int id = 0; id < nextId; id++) {
            seen[id] = taken.get(id);
        }
        List<Integer> overflowed = overflow.allIds();
        if (overflowed.size() != overflowReported) {
            throw new AssertionError("push reported " + overflowReported + " overflowed, overflow got "
                    + overflowed);
        }
        overflowed.forEach(id -> seen[id]++);
        for (LocalQueue q : List.of(queue, thief1, thief2)) {
            for (int id : peek(q)) {
                seen[id]++;
            }
        }
        for (int id = 0; id < nextId; id++) {
            if (seen[id] != 1) {
                throw new AssertionError("task " + id + " seen " + seen[id] + " times; overflow "
                        + overflowed + ", taken " + taken + ", queues " + queue + thief1 + thief2);
            }
        }
    }

    /** The queue's content, oldest first, by popping it and pushing it back. */
    private static List<Integer> peek(LocalQueue q) {
        List<TestTask> tasks = new ArrayList<>();
        ScheduledTask t;
        while ((t = q.pop()) != null) {
            tasks.add((TestTask) t);
        }
        if (!q.isEmpty()) {
            throw new AssertionError("pop returned null but " + q + " is not empty");
        }
        List<Integer> ids = new ArrayList<>();
        for (TestTask task : tasks) {
            ids.add(task.id);
            if (q.pushBackOrOverflow(task, null) != 0) {
                throw new AssertionError("re-push overflowed");
            }
        }
        return ids;
    }

    @Test
    void modelChecking() {
        SCENARIO.modelChecking(10, 300).check(getClass());
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
