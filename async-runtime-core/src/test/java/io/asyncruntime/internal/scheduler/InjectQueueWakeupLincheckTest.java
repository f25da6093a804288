package io.asyncruntime.internal.scheduler;

import io.asyncruntime.internal.scheduler.SchedulerLincheckSupport.Scenario;
import java.lang.invoke.VarHandle;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;
import org.jetbrains.lincheck.datastructures.Operation;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The scheduler's no-lost-wake-up protocol on the inject queue, reduced to its Dekker core.
 * A spawner pushes, runs a full fence, then reads the idle flag (if it sees a worker idle it would
 * wake it). The worker sets the idle flag, runs a full fence, then checks isEmpty() (if empty, it
 * would park). A lost wake-up is a worker parking on "empty" while a spawner that saw no idle
 * worker has a task still queued. Spawners run on several threads; the worker also pops, so the
 * queue passes through its stub re-append and producer-mid-link states. A spawn from outside the
 * workers counts itself in the queue's spawn word instead of {@code pushed} (remote10, issue 10):
 * {@code spawnFromOutside} checks that isEmpty() counts those too.
 */
public class InjectQueueWakeupLincheckTest {

    private static final Scenario SCENARIO = new Scenario(3, 3, 2, 0);
    private static final Scenario LONG_SCENARIO = new Scenario(3, 4, 3, 0);

    private static final int MAX_TASKS = 64;

    private final InjectQueue inject = new InjectQueue();
    private final AtomicInteger nextId = new AtomicInteger();
    /** 1 for each task whose spawner saw no idle worker, so would not wake anyone. */
    private final AtomicIntegerArray spawnedUnnoticed = new AtomicIntegerArray(MAX_TASKS);
    /** 1 for each task the worker popped. */
    private final AtomicIntegerArray taken = new AtomicIntegerArray(MAX_TASKS);
    /** Set once by the worker, never cleared within a scenario: every later spawner sees it. */
    private volatile boolean workerIdle;

    @Operation
    public void spawn() {
        int id = nextId.getAndIncrement();
        inject.push(new TestTask(id));
        VarHandle.fullFence();
        if (!workerIdle) {
            spawnedUnnoticed.set(id, 1);
        }
    }

    /** {@code OutsideSpawns.spawn}: counted and pushed by one CAS of the spawn word, then the fence. */
    @Operation
    public void spawnFromOutside() {
        int id = nextId.getAndIncrement();
        if (inject.pushSpawn(new TestTask(id), true) != InjectQueue.SPAWN_ACCEPTED) {
            throw new AssertionError("refused, with no refusal");
        }
        VarHandle.fullFence();
        if (!workerIdle) {
            spawnedUnnoticed.set(id, 1);
        }
    }

    @Operation(nonParallelGroup = "worker")
    public void pop() {
        ScheduledTask t = inject.pop();
        if (t != null) {
            taken.set(((TestTask) t).id, 1);
        }
    }

    @Operation(nonParallelGroup = "worker")
    public void parkIfEmpty() {
        workerIdle = true;
        VarHandle.fullFence();
        if (inject.isEmpty()) {
            for (int id = 0, n = nextId.get(); id < n; id++) {
                if (spawnedUnnoticed.get(id) == 1 && taken.get(id) == 0) {
                    throw new AssertionError("lost wake-up: task " + id + " is queued, its spawner "
                            + "saw no idle worker, and the worker saw an empty queue");
                }
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
