package io.asyncruntime.internal.scheduler;

import static io.asyncruntime.internal.scheduler.RegistryTestFixture.completeOffTheWorkers;
import static org.assertj.core.api.Assertions.assertThat;

import io.asyncruntime.task.Priority;
import io.asyncruntime.task.Task;
import java.util.ArrayDeque;
import org.junit.jupiter.api.Test;

/**
 * Review20 R5 (issue 10, reg10e a082534): TaskRegistry's "Cost per task" promises the spawns a
 * share of the sweeps of "at most two cell visits per spawn, amortized". With the incremental
 * spawn path, a cycle a driver turn starts (every turn while something completed) is handed to
 * the spawns after {@link ShardSweep#SWEEP_SLACK} pushes, at {@link ShardSweep#SPAWN_SWEEP_STEP}
 * visits each, and the turn's credit then leaves the turn nothing: on a busy worker with many
 * live (idle) tasks and a steady spawn/complete churn the spawns walk the whole live set over and
 * over, ~7.6 visits per spawn with 20 000 idle tasks (main: 0 on the spawn path, the turns 128
 * per 61 polls). Deterministic: cells that count their state reads (one per visited cell).
 */
class SpawnPathVisitsAtMostTwoCellsPerSpawnAmortizedTest {

    private static long visits;

    /** A cell counting the sweeps' state reads (one per visit; single-threaded test). */
    static final class Counted extends TaskCell<Void> {
        Counted(TaskShard shard) {
            super(shard, Task.never(), Priority.NORMAL);
        }

        @Override
        int state() {
            visits++;
            return super.state();
        }
    }

    @Test
    void aBusyWorkerWithManyIdleTasksPaysAtMostTwoVisitsPerSpawnOnTheSpawnPath() {
        TaskRegistry registry = new TaskRegistry(null, 1);
        TaskShard shard = registry.shard(0);
        int idle = 20_000;
        for (int i = 0; i < idle; i++) {
            shard.register(new Counted(shard), false);
        }
        // One spawn per poll; each child completes 16 polls later; a driver turn every 61 polls.
        ArrayDeque<TaskCell<?>> young = new ArrayDeque<>();
        int polls = 300_000;
        long spawnPathVisits = 0;
        for (int poll = 1; poll <= 2 * polls; poll++) {
            Counted cell = new Counted(shard);
            long before = visits;
            shard.register(cell, false);
            if (poll > polls) { // the second half: past the first cycles
                spawnPathVisits += visits - before;
            }
            young.add(cell);
            if (young.size() > 16) {
                completeOffTheWorkers(shard, young.poll()); // no scheduler: sweeps nothing
            }
            if (poll % 61 == 0) {
                shard.sweepIfDirty(ShardSweep.TICK_SWEEP_BUDGET);
            }
        }
        assertThat(spawnPathVisits / (double) polls)
                .as("cells the spawn path visited per spawn, %d idle tasks, one spawn and one completion per poll", idle)
                .isLessThanOrEqualTo(2.0);
    }
}
