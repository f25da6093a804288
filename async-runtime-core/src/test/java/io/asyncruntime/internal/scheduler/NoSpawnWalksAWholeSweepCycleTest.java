package io.asyncruntime.internal.scheduler;

import static io.asyncruntime.internal.scheduler.RegistryTestFixture.completeOffTheWorkers;
import static io.asyncruntime.internal.scheduler.RegistryTestFixture.idleCell;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Review19 F4: once a shard's list reached its trigger, one spawn walked a whole fresh sweep cycle
 * under the shard's lock (with a million live tasks, milliseconds). Now a spawn visits at most
 * {@link ShardSweep#SPAWN_SWEEP_STEP} cells (see {@link ShardSweep}, "Sweeps"). Deterministic: every
 * cell but the ones spawned during the check is COMPLETE and no turn sweeps, so the cells one
 * spawn unlinks are exactly the cells it visited, which the shard's count shows.
 */
class NoSpawnWalksAWholeSweepCycleTest {

    @Test
    void eachSpawnVisitsAtMostTheStepAndTheSpawnsFinishTheCycle() {
        TaskRegistry registry = new TaskRegistry(null, 1);
        TaskShard shard = registry.shard(0);
        int finished = 10_000;
        List<TaskCell<?>> cells = new ArrayList<>();
        for (int i = 0; i < finished; i++) {
            cells.add(idleCell(shard));
        }
        for (TaskCell<?> cell : cells) {
            completeOffTheWorkers(shard, cell); // no scheduler: a stranger's completion sweeps nothing
        }
        assertThat(shard.linkedCount()).isEqualTo(finished);

        List<TaskCell<?>> live = new ArrayList<>();
        int fullSteps = 0;
        // Enough spawns for the trigger to be reached and every finished cell to be visited.
        int spawns = 4 * finished;
        for (int i = 0; i < spawns; i++) {
            int before = shard.linkedCount();
            live.add(idleCell(shard));
            int unlinked = before + 1 - shard.linkedCount();
            if (unlinked < 0 || unlinked > ShardSweep.SPAWN_SWEEP_STEP) { // AssertJ per spawn is slow
                fail("spawn %d unlinked %d cells (each a visited COMPLETE one), more than a step of %d",
                        i, unlinked, ShardSweep.SPAWN_SWEEP_STEP);
            }
            if (unlinked == ShardSweep.SPAWN_SWEEP_STEP) {
                fullSteps++;
            }
        }
        assertThat(fullSteps).as("spawns that swept a whole step").isPositive();
        // The spawns alone finished the cycles: only the live cells stay.
        assertThat(shard.linkedCount()).isEqualTo(live.size());
        TaskCell<?>[] walked = shard.snapshotAll();
        assertThat(walked).hasSameSizeAs(live);
        // Sets (identity: a cell does not override equals): AssertJ's any-order match is quadratic.
        assertThat(new HashSet<>(Arrays.asList(walked))).isEqualTo(new HashSet<>(live));
    }
}
