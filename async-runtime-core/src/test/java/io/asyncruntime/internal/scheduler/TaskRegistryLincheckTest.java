package io.asyncruntime.internal.scheduler;

import io.asyncruntime.task.Priority;
import io.asyncruntime.task.Task;
import java.util.concurrent.atomic.AtomicIntegerArray;
import org.jetbrains.lincheck.datastructures.IntGen;
import org.jetbrains.lincheck.datastructures.ModelCheckingOptions;
import org.jetbrains.lincheck.datastructures.Operation;
import org.jetbrains.lincheck.datastructures.Param;
import org.jetbrains.lincheck.datastructures.StressOptions;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The live-task registry's shards under concurrent spawns (links), completions (unlinks), a
 * shutdown refusing outside spawns, and the reads a shutdown and a dump make: the per-shard
 * locked size, the whole-shard walk, and the registry-wide two-pass emptiness check. Three cells
 * over two shards, so the lists' head, middle and tail unlinks and the cross-shard sum are all
 * reachable. Linearizable against the same operations run one at a time.
 *
 * <p>The harness keeps the runtime's one ordering rule: a cell is unlinked only after its link
 * completed (a task completes only after its spawn returned), and once. A completion of a cell
 * whose spawn or whose other completion is in progress waits for it; one of a cell never spawned
 * (or refused) or already gone returns false.
 */
@Param(name = "cell", gen = IntGen.class, conf = "0:2")
public class TaskRegistryLincheckTest {

    private static final int NEW = 0;
    private static final int LINKING = 1;
    private static final int LINKED = 2;
    private static final int UNLINKING = 3;
    private static final int GONE = 4;

    static {
        // Initialise the classes the operations use before Lincheck tracks memory (3.7 trips on
        // a class initialised inside an invocation).
        TaskRegistry warm = new TaskRegistry(null, 1);
        TaskCell<Void> cell = new TaskCell<>(warm.shard(0), Task.never(), Priority.NORMAL);
        warm.shard(0).register(cell, true);
        warm.shard(0).unregister(cell);
        warm.isEmpty();
        warm.shard(0).snapshotAll();
        warm.refuseRemote();
        try {
            warm.shard(0).register(cell, true);
        } catch (IllegalStateException expected) {
            // the refusal path, initialised
        }
    }

    private final TaskRegistry registry = new TaskRegistry(null, 1);
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

    /** A spawn from outside the workers: true if linked, false if refused or already spawned. */
    @Operation(params = {"cell"})
    public boolean spawn(int cell) {
        if (!phase.compareAndSet(cell, NEW, LINKING)) {
            while (phase.get(cell) == LINKING) {
                Thread.onSpinWait(); // "already spawned" only once that spawn is over
            }
            return false;
        }
        try {
            shardOf(cell).register(cells[cell], true);
        } catch (IllegalStateException refused) {
            phase.set(cell, GONE);
            return false;
        }
        phase.set(cell, LINKED);
        return true;
    }

    /**
     * The cell's task completes: true if it was live. A completion that finds another one in
     * progress waits for its unlink, so that "already completed" is only ever answered after the
     * cell really left the registry (the harness's phases must not run ahead of the registry).
     */
    @Operation(params = {"cell"})
    public boolean complete(int cell) {
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
                continue; // another completion won: wait for its unlink, then answer false
            }
            shardOf(cell).unregister(cells[cell]);
            phase.set(cell, GONE);
            return true;
        }
    }

    @Operation
    public void refuseRemote() {
        registry.refuseRemote();
    }

    @Operation
    public boolean isEmpty() {
        return registry.isEmpty();
    }

    @Operation
    public int liveInShardZero() {
        return registry.shard(0).size();
    }

    @Operation
    public int walkShardZero() {
        return registry.shard(0).snapshotAll().length;
    }

    @Test
    void modelChecking() {
        new ModelCheckingOptions()
                .iterations(20)
                .invocationsPerIteration(500)
                .threads(3)
                .actorsPerThread(3)
                .actorsBefore(2)
                .actorsAfter(2)
                .check(getClass());
    }

    @Test
    void stress() {
        new StressOptions()
                .iterations(20)
                .invocationsPerIteration(1_000)
                .threads(3)
                .actorsPerThread(3)
                .actorsBefore(2)
                .actorsAfter(2)
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
                .actorsBefore(2)
                .actorsAfter(3)
                .check(getClass());
    }
}
