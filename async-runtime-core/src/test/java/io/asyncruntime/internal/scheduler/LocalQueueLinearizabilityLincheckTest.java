package io.asyncruntime.internal.scheduler;

import io.asyncruntime.internal.scheduler.SchedulerLincheckSupport.Scenario;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import org.jetbrains.lincheck.datastructures.Operation;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * (a) The local queue is linearizable against a FIFO deque when one owner pushes and pops and one
 * thief steals: a steal takes the oldest ceil(n/2) tasks atomically. The ring (16) is larger than
 * any scenario's pushes, so overflow cannot happen here (see the conservation test for that).
 */
public class LocalQueueLinearizabilityLincheckTest {

    private static final Scenario SCENARIO = new Scenario(2, 3, 3, 1);
    private static final Scenario LONG_SCENARIO = new Scenario(2, 4, 4, 2);

    private static final Overflow NO_OVERFLOW = new Overflow() {
        @Override
        public void push(ScheduledTask task) {
            throw new AssertionError("scenario too large: overflow");
        }

        @Override
        public void pushBatch(ScheduledTask first, ScheduledTask last, int count) {
            throw new AssertionError("scenario too large: overflow");
        }
    };

    private final LocalQueue queue = new LocalQueue(16);
    private final LocalQueue thiefQueue = new LocalQueue(16);
    private int nextId;

    @Operation(nonParallelGroup = "owner")
    public void push() {
        queue.pushBackOrOverflow(new TestTask(nextId++), NO_OVERFLOW);
    }

    @Operation(nonParallelGroup = "owner")
    public Integer pop() {
        TestTask t = (TestTask) queue.pop();
        return t == null ? null : t.id;
    }

    /** Everything one steal got, oldest first: what the thief's queue received, then the task to run. */
    @Operation(nonParallelGroup = "thief")
    public List<Integer> steal() {
        TestTask runNow = (TestTask) queue.stealInto(thiefQueue);
        List<Integer> got = LocalQueueTest.drain(thiefQueue);
        if (runNow != null) {
            got.add(runNow.id);
        }
        return got;
    }

    @Operation
    public boolean isEmpty() {
        return queue.isEmpty();
    }

    /** The sequential specification: a deque. */
    public static final class Model {
        private final ArrayDeque<Integer> deque = new ArrayDeque<>();
        private int nextId;

        public void push() {
            deque.addLast(nextId++);
        }

        public Integer pop() {
            return deque.pollFirst();
        }

        public List<Integer> steal() {
            int n = deque.size() - deque.size() / 2;
            List<Integer> got = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                got.add(deque.pollFirst());
            }
            return got;
        }

        public boolean isEmpty() {
            return deque.isEmpty();
        }
    }

    @Test
    void modelChecking() {
        SCENARIO.modelChecking(8, 300).sequentialSpecification(Model.class).check(getClass());
    }

    @Test
    void stress() {
        SCENARIO.stress(5, 300).sequentialSpecification(Model.class).check(getClass());
    }

    @Test
    @Tag("long")
    void modelCheckingLong() {
        LONG_SCENARIO.modelChecking(200, 5_000).sequentialSpecification(Model.class).check(getClass());
    }
}
