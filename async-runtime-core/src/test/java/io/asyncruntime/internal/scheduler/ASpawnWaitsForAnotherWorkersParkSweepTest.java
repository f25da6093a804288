package io.asyncruntime.internal.scheduler;

import static io.asyncruntime.internal.scheduler.RegistryTestFixture.NO_SPAWN_PATH_SWEEPS;
import static io.asyncruntime.internal.scheduler.RegistryTestFixture.completeOffTheWorkers;
import static io.asyncruntime.internal.scheduler.RegistryTestFixture.idleCell;
import static org.assertj.core.api.Assertions.assertThat;

import io.asyncruntime.internal.scheduler.RegistryTestFixture.GateCell;
import io.asyncruntime.task.Priority;
import io.asyncruntime.task.Task;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Review20 R3 (issue 10, reg10e a082534; the same on main): reg10e bounds what one spawn visits
 * itself ({@link ShardSweep#SPAWN_SWEEP_STEP}), but not what it waits for. A parking worker
 * sweeps the shard of a worker that is parked with {@link ShardSweep#PARK_SWEEP_BUDGET} (64 Ki)
 * cells in one hold of that shard's lock; if the owner wakes meanwhile (a timer, an injected task)
 * and spawns, its spawn spins and yields until those 64 Ki visits are done, about the walk that
 * review19 F4 took off the spawn path (there a million cells, here up to 64 Ki per hold).
 * Deterministic: the sweeper is held at its first cell (a gate) until the spawner is seen
 * waiting for the lock; the assertion counts the cells the sweeper unlinked while the spawn waited.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ASpawnWaitsForAnotherWorkersParkSweepTest {

    @Test
    void aSpawnWaitsForAtMostATurnsShareOfAnotherThreadsSweep() throws Exception {
        // No spawn-path sweeps here (they do not matter to this): only the parking sweep unlinks.
        TaskRegistry registry = new TaskRegistry(null, 1, NO_SPAWN_PATH_SWEEPS);
        TaskShard shard = registry.shard(0); // stands for a parked worker's shard
        int finished = 2 * ShardSweep.PARK_SWEEP_BUDGET;
        TaskCell<?>[] cells = new TaskCell<?>[finished];
        for (int i = 0; i < finished; i++) {
            cells[i] = idleCell(shard);
        }
        for (TaskCell<?> cell : cells) {
            completeOffTheWorkers(shard, cell); // no scheduler: sweeps nothing
        }
        Arrays.fill(cells, null);
        GateCell gate = new GateCell(shard);
        shard.register(gate, false); // the head: the parking sweep's first visit
        int linkedAtTheGate = shard.linkedCount();

        // Another worker parks and sweeps this (parked) worker's shard with a park's budget.
        Thread sweeper = new Thread(() -> shard.sweepIfDirty(ShardSweep.PARK_SWEEP_BUDGET), "parking-worker");
        gate.stopOn(sweeper);
        sweeper.start();
        assertThat(gate.reached.await(10, TimeUnit.SECONDS)).isTrue();

        // The owner wakes and spawns while that sweep holds the lock.
        Thread owner = new Thread(() -> shard.register(new TaskCell<>(shard, Task.never(), Priority.NORMAL), false),
                "owner-spawning");
        owner.start();
        Awaitility.await().atMost(10, TimeUnit.SECONDS).until(() -> Arrays.stream(owner.getStackTrace())
                .anyMatch(frame -> frame.getMethodName().equals("lockContended")));
        gate.release.countDown();
        owner.join(10_000);
        sweeper.join(10_000);

        int unlinkedWhileTheSpawnWaited = linkedAtTheGate + 1 - shard.linkedCount();
        assertThat(unlinkedWhileTheSpawnWaited)
                .as("cells another thread's sweep visited (all COMPLETE, so unlinked) while one spawn waited for the lock")
                .isLessThanOrEqualTo(ShardSweep.TICK_SWEEP_BUDGET);
    }
}
