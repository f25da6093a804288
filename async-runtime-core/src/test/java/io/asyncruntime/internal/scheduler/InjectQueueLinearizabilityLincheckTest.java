package io.asyncruntime.internal.scheduler;

import io.asyncruntime.internal.scheduler.SchedulerLincheckSupport.Scenario;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import org.jetbrains.lincheck.datastructures.IntGen;
import org.jetbrains.lincheck.datastructures.Operation;
import org.jetbrains.lincheck.datastructures.Param;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * (c, linearizable part) The inject queue against a FIFO model: producers on two threads, one
 * consumer thread. With one consumer at a time every operation is linearizable.
 *
 * <p>Not here: several consumers (a pop returns null at once while another worker holds the
 * consumer role, by design, so it is not linearizable: see
 * {@link InjectQueueConservationLincheckTest}); and isEmpty, which counts a push in flight as
 * non-empty (see {@link InjectQueueIsEmptyLincheckTest} and {@link InjectQueueWakeupLincheckTest}).
 *
 * <p>Task ids are operation parameters (the model must see the same values whatever order the
 * producers' pushes linearize in); a batch of n pushes v, v + 100, v + 200.
 */
@Param(name = "v", gen = IntGen.class, conf = "0:7")
@Param(name = "n", gen = IntGen.class, conf = "1:3")
public class InjectQueueLinearizabilityLincheckTest {

    private static final Scenario SCENARIO = new Scenario(3, 2, 2, 1);
    private static final Scenario LONG_SCENARIO = new Scenario(3, 3, 3, 2);

    private final InjectQueue inject = new InjectQueue();
    private final LocalQueue consumerQueue = new LocalQueue(4);

    @Operation(params = {"v"})
    public void push(int v) {
        inject.push(new TestTask(v));
    }

    @Operation(params = {"v", "n"})
    public void pushBatch(int v, int n) {
        TestTask first = new TestTask(v);
        TestTask last = first;
        for (int i = 1; i < n; i++) {
            TestTask next = new TestTask(v + 100 * i);
            last.queueNext = next;
            last = next;
        }
        inject.pushBatch(first, last, n);
    }

    @Operation(nonParallelGroup = "consumer")
    public Integer pop() {
        ScheduledTask t = inject.pop();
        return t == null ? null : checkedId(t);
    }

    /** The ids one popBatchInto handed out, oldest first. */
    @Operation(nonParallelGroup = "consumer", params = {"n"})
    public List<Integer> popBatch(int n) {
        return popBatch(inject, consumerQueue, n);
    }

    static List<Integer> popBatch(InjectQueue inject, LocalQueue dst, int n) {
        List<Integer> got = new ArrayList<>();
        ScheduledTask first = inject.popBatchInto(dst, n);
        if (first != null) {
            got.add(checkedId(first));
            ScheduledTask t;
            while ((t = dst.pop()) != null) {
                got.add(checkedId(t));
            }
        }
        return got;
    }

    static int checkedId(ScheduledTask t) {
        if (t.queueNext != null) {
            throw new AssertionError("taken task still linked: " + t + " -> " + t.queueNext);
        }
        return ((TestTask) t).id;
    }

    /** The sequential specification: a FIFO queue. */
    public static class Model {
        final ArrayDeque<Integer> fifo = new ArrayDeque<>();

        public void push(int v) {
            fifo.addLast(v);
        }

        public void pushBatch(int v, int n) {
            for (int i = 0; i < n; i++) {
                fifo.addLast(v + 100 * i);
            }
        }

        public Integer pop() {
            return fifo.pollFirst();
        }

        public List<Integer> popBatch(int n) {
            List<Integer> got = new ArrayList<>();
            for (int i = 0; i < n && !fifo.isEmpty(); i++) {
                got.add(fifo.pollFirst());
            }
            return got;
        }
    }

    @Test
    void modelChecking() {
        SCENARIO.modelChecking(10, 300).sequentialSpecification(Model.class).check(getClass());
    }

    @Test
    void stress() {
        SCENARIO.stress(10, 300).sequentialSpecification(Model.class).check(getClass());
    }

    @Test
    @Tag("long")
    void modelCheckingLong() {
        LONG_SCENARIO.modelChecking(200, 5_000).sequentialSpecification(Model.class).check(getClass());
    }
}
