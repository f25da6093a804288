package io.asyncruntime.internal.scheduler;

import io.asyncruntime.internal.scheduler.SchedulerLincheckSupport.Scenario;
import java.util.ArrayDeque;
import java.util.List;
import org.jetbrains.lincheck.datastructures.IntGen;
import org.jetbrains.lincheck.datastructures.Operation;
import org.jetbrains.lincheck.datastructures.Param;
import org.junit.jupiter.api.Test;

/**
 * isEmpty is linearizable when no push is in flight concurrently with it: here one producer
 * thread pushes and asks isEmpty (the spawner's "after my push" question), while a consumer
 * thread pops. (With a push in flight on another thread, isEmpty may answer "non-empty" before
 * that push's CAS: the conservative side, by design; see InjectQueue's class comment.)
 */
@Param(name = "v", gen = IntGen.class, conf = "0:7")
@Param(name = "n", gen = IntGen.class, conf = "1:3")
public class InjectQueueIsEmptyLincheckTest {

    private static final Scenario SCENARIO = new Scenario(2, 3, 2, 1);

    private final InjectQueue inject = new InjectQueue();
    private final LocalQueue consumerQueue = new LocalQueue(4);

    @Operation(nonParallelGroup = "producer", params = {"v"})
    public void push(int v) {
        inject.push(new TestTask(v));
    }

    @Operation(nonParallelGroup = "producer")
    public boolean isEmpty() {
        return inject.isEmpty();
    }

    @Operation(nonParallelGroup = "consumer")
    public Integer pop() {
        ScheduledTask t = inject.pop();
        return t == null ? null : InjectQueueLinearizabilityLincheckTest.checkedId(t);
    }

    @Operation(nonParallelGroup = "consumer", params = {"n"})
    public List<Integer> popBatch(int n) {
        return InjectQueueLinearizabilityLincheckTest.popBatch(inject, consumerQueue, n);
    }

    /** The FIFO model plus emptiness. */
    public static final class Model extends InjectQueueLinearizabilityLincheckTest.Model {
        public boolean isEmpty() {
            return fifo.isEmpty();
        }
    }

    @Test
    void modelChecking() {
        SCENARIO.modelChecking(10, 300).sequentialSpecification(Model.class).check(getClass());
    }

    @Test
    void stress() {
        SCENARIO.stress(5, 300).sequentialSpecification(Model.class).check(getClass());
    }
}
