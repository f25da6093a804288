package io.asyncruntime.internal.scheduler;

import io.asyncruntime.internal.scheduler.SchedulerLincheckSupport.Scenario;
import io.asyncruntime.task.Priority;
import io.asyncruntime.task.Task;
import java.util.concurrent.atomic.AtomicIntegerArray;
import org.jetbrains.lincheck.datastructures.IntGen;
import org.jetbrains.lincheck.datastructures.Operation;
import org.jetbrains.lincheck.datastructures.Param;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The live-task registry's shards under concurrent spawns (links), completions (counted on the
 * completing thread, the cell left for a sweep), sweeps (the owner's driver-turn and park sweeps,
 * and the spawn path's), a shutdown refusing spawns, and the reads a shutdown and a dump make: the
 * registry-wide two-pass emptiness check, the counts' split, and the whole-shard walk. One worker
 * shard (index 0, cells 0 and 2) and an outside shard (index 1, cell 1), so that the worker's own
 * counters and the shared stranger counters, head and middle unlinks, and the cross-shard sums are
 * all reachable; a sweep slack of 1 makes every owner spawn sweep too.
 *
 * <p>What a worker's thread does (its spawns, completions counted in its own counters, its sweeps)
 * runs in one non-parallel group, "owner": the registry's rule that only the worker's thread
 * inserts into its shard and writes its counters. Any thread may spawn into the outside shard,
 * complete any cell (as a stranger), refuse, and read.
 *
 * <p>The harness keeps the runtime's one ordering rule: a cell completes only after its spawn
 * returned, and once. A completion of a cell whose spawn or whose other completion is in progress
 * waits for it; one of a cell never spawned (or refused) or already completed returns false. A
 * completion is what {@code TaskCell.complete} does: count ({@code unregister}), publish COMPLETE,
 * then tell the shard ({@code finished}).
 *
 * <p>The walk is checked as a property that holds in every sequential run (so linearizability
 * demands it of every concurrent one): a cell live (spawned, its completion not begun) both before
 * and after a walk is in the walk.
 */
@Param(name = "cell", gen = IntGen.class, conf = "0:2")
@Param(name = "own", gen = IntGen.class, conf = "0:1")
public class TaskRegistryLincheckTest {

    private static final Scenario SCENARIO = new Scenario(3, 3, 2, 2);
    private static final Scenario LONG_SCENARIO = new Scenario(3, 4, 2, 3);

    private static final int NEW = 0;
    private static final int LINKING = 1;
    private static final int LINKED = 2;
    private static final int UNLINKING = 3;
    private static final int GONE = 4;

    static {
        // Initialise the classes the operations use before Lincheck tracks memory (3.7 trips on
        // a class initialised inside an invocation).
        TaskRegistry warm = new TaskRegistry(null, 1, 1);
        TaskCell<Void> cell = new TaskCell<>(warm.shard(0), Task.never(), Priority.NORMAL);
        warm.shard(0).register(cell, false);
        warm.shard(0).unregister(cell);
        CancellableCell.STATE.getAndBitwiseOr(cell, TaskState.COMPLETE);
        warm.shard(0).finished(cell);
        warm.countCompletion(0, true);
        warm.sweep(0, true);
        warm.shard(0).sweepIfDirty(1);
        warm.isEmpty();
        warm.counts();
        warm.shard(0).snapshotAll();
        warm.refuseRemote();
        warm.refuseAll();
        try {
            warm.shard(0).register(cell, true);
        } catch (IllegalStateException expected) {
            // the refusal path, initialised
        }
    }

    private final TaskRegistry registry = new TaskRegistry(null, 1, 1);
    private final TaskCell<?>[] cells = new TaskCell<?>[3];
    private final AtomicIntegerArray phase = new AtomicIntegerArray(3);

    public TaskRegistryLincheckTest() {
        for (int i = 0; i < cells.length; i++) {
            cells[i] = new TaskCell<>(shardOf(i), Task.never(), Priority.NORMAL);
        }
    }

    private TaskShard shardOf(int cell) {
        return registry.shard(cell % 2);
    }

    /** The worker spawns cell 0 or 2 into its own shard: true if linked, false if refused or already spawned. */
    @Operation(params = {"own"}, nonParallelGroup = "owner")
    public boolean ownerSpawn(int own) {
        return spawn(own * 2, false);
    }

    /** A thread outside the workers spawns cell 1 into the outside shard. */
    @Operation
    public boolean outsideSpawn() {
        return spawn(1, true);
    }

    private boolean spawn(int cell, boolean remote) {
        if (!phase.compareAndSet(cell, NEW, LINKING)) {
            while (phase.get(cell) == LINKING) {
                Thread.onSpinWait(); // "already spawned" only once that spawn is over
            }
            return false;
        }
        try {
            shardOf(cell).register(cells[cell], remote);
        } catch (IllegalStateException refused) {
            phase.set(cell, GONE);
            return false;
        }
        phase.set(cell, LINKED);
        return true;
    }

    /** The cell's task completes on a thread that runs no worker: true if it was live. */
    @Operation(params = {"cell"})
    public boolean complete(int cell) {
        return complete(cell, -1);
    }

    /** The cell's task completes on the worker (cell 2's with a cancellation): true if it was live. */
    @Operation(params = {"cell"}, nonParallelGroup = "owner")
    public boolean ownerComplete(int cell) {
        return complete(cell, 0);
    }

    /**
     * A completion that finds another one in progress waits for it, so that "already completed" is
     * only ever answered after the cell's completion is over (the harness must not run ahead).
     */
    private boolean complete(int cell, int workerIndex) {
        for (;;) {
            int p = phase.get(cell);
            if (p == LINKING || p == UNLINKING) {
                Thread.onSpinWait();
                continue;
            }
            if (p != LINKED) {
                return false; // never spawned, refused, or gone
            }
            if (!phase.compareAndSet(cell, LINKED, UNLINKING)) {
                continue; // another completion won: wait for it, then answer false
            }
            TaskCell<?> c = cells[cell];
            if (workerIndex < 0) {
                shardOf(cell).unregister(c);
            } else {
                registry.countCompletion(workerIndex, cell == 2);
            }
            CancellableCell.STATE.getAndBitwiseOr(c, TaskState.COMPLETE);
            shardOf(cell).finished(c);
            phase.set(cell, GONE);
            return true;
        }
    }

    /** The worker's driver turn, with a budget of one cell (so cycles span several turns). */
    @Operation(nonParallelGroup = "owner")
    public void ownerTick() {
        registry.shard(0).sweepIfDirty(1);
    }

    /** The worker is about to park: it finishes the sweeps of its shard and of the outside ones. */
    @Operation(nonParallelGroup = "owner")
    public void ownerPark() {
        registry.sweep(0, true);
    }

    @Operation
    public void refuseRemote() {
        registry.refuseRemote();
    }

    /**
     * A shutdown's abort begins: every spawn is refused from now on, and the spawns counted right
     * after are all there will ever be (the report takes them as final). A spawn that passed the
     * refusal check before the flag was set must be in this count, or be refused.
     */
    @Operation
    public long refuseAllAndCountSpawns() {
        registry.refuseAll();
        return registry.counts()[0];
    }

    @Operation
    public boolean isEmpty() {
        return registry.isEmpty();
    }

    /**
     * Whether one read of the counts adds up: cancelled completions within completions within
     * spawns (the completions are read first). True in every sequential run.
     */
    @Operation
    public boolean countsAddUp() {
        long[] counts = registry.counts();
        return 0 <= counts[2] && counts[2] <= counts[1] && counts[1] <= counts[0];
    }

    /** Completions with a cancellation, from one read of the counts. */
    @Operation
    public long countsCancelled() {
        return registry.counts()[2];
    }

    /** Whether a walk of both shards holds every cell live both before and after it. */
    @Operation
    public boolean walkMissesNoLiveCell() {
        boolean[] liveBefore = new boolean[cells.length];
        for (int i = 0; i < cells.length; i++) {
            liveBefore[i] = phase.get(i) == LINKED;
        }
        TaskCell<?>[] zero = registry.shard(0).snapshotAll();
        TaskCell<?>[] one = registry.shard(1).snapshotAll();
        for (int i = 0; i < cells.length; i++) {
            if (liveBefore[i] && phase.get(i) == LINKED && !contains(i % 2 == 0 ? zero : one, cells[i])) {
                return false;
            }
        }
        return true;
    }

    private static boolean contains(TaskCell<?>[] walk, TaskCell<?> cell) {
        for (TaskCell<?> c : walk) {
            if (c == cell) {
                return true;
            }
        }
        return false;
    }

    @Test
    void modelChecking() {
        SCENARIO.modelChecking(20, 400).check(getClass());
    }

    @Test
    void stress() {
        SCENARIO.stress(20, 1_000).check(getClass());
    }

    @Test
    @Tag("long")
    void modelCheckingLong() {
        LONG_SCENARIO.modelChecking(200, 5_000).check(getClass());
    }
}
